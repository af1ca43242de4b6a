from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_audit_retention_days = fields.Integer(
        related="company_id.crm_audit_retention_days", readonly=False
    )
