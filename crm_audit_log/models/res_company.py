from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    crm_audit_retention_days = fields.Integer(
        string="Audit Retention (days)",
        default=1095,
        help="Audit events older than this are removed by the retention job (default: 3 years).",
    )
