{
    "name": "CRM Audit Log",
    "summary": "Append-only, tamper-evident audit log of every touch of customer data, "
    "with record history, deleted-record restore and alerts",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "author": "CRM Security Team",
    "website": "https://example.com/crm-security",
    "license": "LGPL-3",
    "depends": ["crm", "base_setup", "base_import"],
    "data": [
        "security/crm_audit_log_groups.xml",
        "security/ir.model.access.csv",
        "security/crm_audit_log_rules.xml",
        "data/crm_audit_rule_data.xml",
        "data/ir_cron_data.xml",
        "views/crm_audit_log_views.xml",
        "views/crm_audit_rule_views.xml",
        "views/res_partner_views.xml",
        "views/crm_lead_views.xml",
        "views/res_config_settings_views.xml",
        "views/crm_audit_log_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "crm_audit_log/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": True,
}
