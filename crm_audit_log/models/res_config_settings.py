from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_audit_retention_days = fields.Integer(
        related="company_id.crm_audit_retention_days", readonly=False
    )
    crm_audit_alert_user_ids = fields.Many2many(related="company_id.crm_audit_alert_user_ids", readonly=False)
    crm_audit_alert_delete = fields.Boolean(related="company_id.crm_audit_alert_delete", readonly=False)
    crm_audit_alert_export = fields.Boolean(related="company_id.crm_audit_alert_export", readonly=False)
    crm_audit_digest_enabled = fields.Boolean(related="company_id.crm_audit_digest_enabled", readonly=False)
    crm_audit_anomaly_export_limit = fields.Integer(
        related="company_id.crm_audit_anomaly_export_limit", readonly=False)
    crm_audit_anomaly_delete_limit = fields.Integer(
        related="company_id.crm_audit_anomaly_delete_limit", readonly=False)
    crm_audit_anomaly_window = fields.Integer(related="company_id.crm_audit_anomaly_window", readonly=False)
    crm_audit_offhours_alert = fields.Boolean(related="company_id.crm_audit_offhours_alert", readonly=False)
    crm_audit_offhours_start = fields.Float(related="company_id.crm_audit_offhours_start", readonly=False)
    crm_audit_offhours_end = fields.Float(related="company_id.crm_audit_offhours_end", readonly=False)
