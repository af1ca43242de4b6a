from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_security_private_customers = fields.Boolean(
        related="company_id.crm_security_private_customers", readonly=False
    )
    crm_security_private_leads = fields.Boolean(
        related="company_id.crm_security_private_leads", readonly=False
    )
    crm_security_manager_mode = fields.Selection(
        related="company_id.crm_security_manager_mode", readonly=False
    )
    crm_security_managers_see_sensitive = fields.Boolean(
        related="company_id.crm_security_managers_see_sensitive", readonly=False
    )
    crm_security_exact_search = fields.Boolean(related="company_id.crm_security_exact_search", readonly=False)
    crm_security_reveal_enabled = fields.Boolean(related="company_id.crm_security_reveal_enabled", readonly=False)
    crm_security_reveal_minutes = fields.Integer(related="company_id.crm_security_reveal_minutes", readonly=False)
    crm_security_reveal_daily_cap = fields.Integer(related="company_id.crm_security_reveal_daily_cap", readonly=False)
    crm_security_matrix_leads = fields.Boolean(related="company_id.crm_security_matrix_leads", readonly=False)
    crm_security_inactive_days = fields.Integer(related="company_id.crm_security_inactive_days", readonly=False)
