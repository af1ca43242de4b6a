from odoo import fields, models

HISTORY_LIMIT = 200


class CrmAuditHistoryMixin(models.AbstractModel):
    """"History" on a form: a smart button (every event about the record) and a tab (field changes)."""

    _name = "crm.audit.history.mixin"
    _description = "Audit History"

    crm_audit_event_count = fields.Integer(string="History", compute="_compute_crm_audit_history")
    crm_audit_line_ids = fields.Many2many(
        "crm.audit.log.line", string="Change History", compute="_compute_crm_audit_history")

    def _compute_crm_audit_history(self):
        Log = self.env["crm.audit.log"]
        Line = self.env["crm.audit.log.line"]
        for record in self:
            if not isinstance(record.id, int) or not Log.has_access("read"):
                record.crm_audit_event_count = 0
                record.crm_audit_line_ids = Line
                continue
            record.crm_audit_event_count = Log.search_count([("record_ref", "=", f"{record._name},{record.id}")])
            record.crm_audit_line_ids = Line.search(
                [("model", "=", record._name), ("res_id", "=", record.id)], limit=HISTORY_LIMIT)

    def action_crm_audit_history(self):
        self.ensure_one()
        return self.env["crm.audit.log"]._crm_audit_history_action(self)
