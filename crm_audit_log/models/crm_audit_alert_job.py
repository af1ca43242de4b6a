from odoo import fields, models


class CrmAuditAlertJob(models.Model):
    """An alert waiting for the alert cron (see `crm.audit.alert`): written with SQL by the
    transaction of the delete or export it is about, removed once its mails are queued."""

    _name = "crm.audit.alert.job"
    _description = "Pending Audit Alert"
    _log_access = False
    _order = "id"

    log_id = fields.Many2one("crm.audit.log", string="Event", required=True, ondelete="cascade")
    kind = fields.Selection([("unlink", "Delete"), ("export", "Export")], required=True)
    names = fields.Json(string="Record Names")
