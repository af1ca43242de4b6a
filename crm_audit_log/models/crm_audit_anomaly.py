from odoo import api, fields, models

from ..tools.actions import form_action
from .crm_audit_log_line import EventMany2one

ANOMALY_KINDS = [
    ("export", "Many records exported"),
    ("unlink", "Many records deleted"),
    ("off_hours", "Activity outside working hours"),
]


class CrmAuditAnomaly(models.Model):
    """An unusual activity of a user, detected when their delete or export events are written.

    The last anomaly of each user and kind also decides when the next alert may go out: once per
    window (see `crm.audit.alert._crm_audit_anomaly_raise`).
    """

    _name = "crm.audit.anomaly"
    _description = "Audit Anomaly"
    _order = "date desc, id desc"

    date = fields.Datetime(required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="User", required=True, readonly=True, index=True,
                              ondelete="cascade")
    company_id = fields.Many2one("res.company", string="Company", readonly=True, ondelete="cascade")
    kind = fields.Selection(ANOMALY_KINDS, required=True, readonly=True)
    model = fields.Char(string="Model Name", readonly=True)
    model_description = fields.Char(string="Document Type", compute="_compute_model_description")
    record_count = fields.Integer(string="Records", readonly=True,
                                  help="Records exported or deleted by the user within the window.")
    limit = fields.Integer(string="Threshold", readonly=True)
    window_hours = fields.Integer(string="Window (hours)", readonly=True)
    # no foreign key to the log (as its lines): the log's tables stay append-only, even for TRUNCATE
    log_id = EventMany2one("crm.audit.log", string="Event", readonly=True, ondelete="set null")

    @api.depends("model")
    def _compute_model_description(self):
        IrModel = self.env["ir.model"]
        for anomaly in self:
            anomaly.model_description = IrModel._get(anomaly.model).name or anomaly.model if anomaly.model else False

    @api.depends("kind", "user_id")
    def _compute_display_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for anomaly in self:
            anomaly.display_name = self.env._(
                "%(kind)s: %(user)s", kind=labels.get(anomaly.kind, ""), user=anomaly.user_id.name or "")

    def action_open_event(self):
        self.ensure_one()
        return form_action("crm.audit.log", self.log_id.id)
