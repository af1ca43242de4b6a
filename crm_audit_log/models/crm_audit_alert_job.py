from odoo import fields, models


class CrmAuditAlertJob(models.Model):
    """An alert waiting for the alert cron (see `crm.audit.alert`): written with SQL by the
    transaction of the delete or export it is about (`log_id`: its audit event), removed once its
    mails are queued."""

    _name = "crm.audit.alert.job"
    _description = "Pending Audit Alert"
    _log_access = False
    _order = "id"

    # no foreign key: the log's guards (no TRUNCATE, DELETE only by retention) stay as they are
    log_id = fields.Integer(string="Event", required=True)
    kind = fields.Selection([("unlink", "Delete"), ("export", "Export"), ("login", "Login")], required=True)
