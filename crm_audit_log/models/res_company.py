from odoo import Command, api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    crm_audit_retention_days = fields.Integer(
        string="Audit Retention (days)",
        default=1095,
        help="Audit events older than this are removed by the retention job (default: 3 years).",
    )
    # alerts
    crm_audit_alert_user_ids = fields.Many2many(
        "res.users", relation="crm_audit_alert_user_rel", column1="company_id", column2="user_id",
        string="Alert Recipients",
        help="Receive every delete and export alert of the company, and the weekly export digest. "
             "Empty: the administrator.")
    crm_audit_alert_delete = fields.Boolean(string="Alert on Deletes", default=True)
    crm_audit_alert_export = fields.Boolean(string="Alert on Exports", default=True)
    crm_audit_digest_enabled = fields.Boolean(string="Weekly Export Digest")
    # anomalies, counted per user
    crm_audit_anomaly_export_limit = fields.Integer(
        string="Export Threshold", default=500,
        help="More records than this exported by one user within the window is an anomaly (0: never).")
    crm_audit_anomaly_delete_limit = fields.Integer(
        string="Delete Threshold", default=50,
        help="More records than this deleted by one user within the window is an anomaly (0: never).")
    crm_audit_anomaly_window = fields.Integer(
        string="Anomaly Window (hours)", default=1,
        help="Records are counted over this many hours; one alert per user and kind per window.")
    crm_audit_offhours_alert = fields.Boolean(
        string="Alert Outside Working Hours",
        help="Logins, deletes and exports outside working hours (company time zone) are anomalies.")
    crm_audit_offhours_start = fields.Float(string="Off Hours From", default=22.0)
    crm_audit_offhours_end = fields.Float(string="Off Hours Until", default=6.0)

    @api.model
    def _crm_audit_init_alert_recipients(self):
        """Companies without alert recipients get the administrator, when they are one of theirs."""
        admin = self.env.ref("base.user_admin", raise_if_not_found=False)
        if not admin:
            return
        for company in self.search([("crm_audit_alert_user_ids", "=", False)]):
            if company in admin.company_ids:
                company.crm_audit_alert_user_ids = [Command.link(admin.id)]
