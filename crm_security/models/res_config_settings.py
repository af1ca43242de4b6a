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
    crm_security_ip_mode = fields.Selection(related="company_id.crm_security_ip_mode", readonly=False)
    crm_security_breakglass_user_id = fields.Many2one(
        related="company_id.crm_security_breakglass_user_id", readonly=False)
    crm_security_2fa_group_ids = fields.Many2many(related="company_id.crm_security_2fa_group_ids", readonly=False)
    crm_security_export_row_limit = fields.Integer(related="company_id.crm_security_export_row_limit", readonly=False)
    crm_security_export_protected = fields.Selection(
        related="company_id.crm_security_export_protected", readonly=False)
    crm_security_bulk_delete_limit = fields.Integer(
        related="company_id.crm_security_bulk_delete_limit", readonly=False)
