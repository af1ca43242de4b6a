"""The benchmark of crm_security + crm_audit_log against standard Odoo 18 (see scripts/bench.py).

Modules:
    spec       sizes, scenarios and targets (pure Python, shared by both sides)
    databases  build and reuse the benchmark databases (odoo-bin -i, markers)
    workers    long-lived `odoo-bin shell` processes driven over a socket
    report     aligned table, JSON, Markdown; chart draws the PNG
    odoo_*     code that runs inside Odoo (setup of the data, scenarios, worker loop)
"""
