from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.crm_audit_log_line import EventMany2one
from ..tools.actions import form_action

RESULT_STATES = [("restored", "Restored"), ("conflict", "Conflict"), ("skipped", "Skipped")]


class EventMany2many(fields.Many2many):
    """A many2many to audit events without a foreign key to the log: its tables stay append-only,
    even for TRUNCATE (see crm.audit.storage)."""

    def update_db_foreign_keys(self, model):
        model.pool.add_foreign_key(
            self.relation, self.column1, model._table, "id", "cascade", model, self._module, force=False)


class CrmAuditRestore(models.TransientModel):
    """Restore the records deleted by one or more delete events (see `crm.audit.restorer`)."""

    _name = "crm.audit.restore"
    _description = "Restore Deleted Records"

    event_ids = EventMany2many(
        "crm.audit.log", relation="crm_audit_restore_log_rel", column1="restore_id", column2="log_id",
        string="Delete Events", default=lambda self: self._default_event_ids(),
        domain=[("operation", "=", "unlink")])
    state = fields.Selection([("draft", "To Restore"), ("done", "Done")], default="draft", required=True)
    snapshot_ids = fields.Many2many("crm.audit.snapshot", string="Deleted Records", compute="_compute_snapshot_ids")
    line_ids = fields.One2many("crm.audit.restore.line", "restore_id", string="Results", readonly=True)
    restored_count = fields.Integer(compute="_compute_counts", string="Restored")
    conflict_count = fields.Integer(compute="_compute_counts", string="Conflicts")
    skipped_count = fields.Integer(compute="_compute_counts", string="Skipped")

    @api.model
    def _default_event_ids(self):
        if self.env.context.get("active_model") != "crm.audit.log":
            return []
        ids = self.env.context.get("active_ids") or ([self.env.context["active_id"]]
                                                     if self.env.context.get("active_id") else [])
        return self.env["crm.audit.log"].browse(ids).filtered(lambda event: event.operation == "unlink").ids

    @api.depends("event_ids")
    def _compute_snapshot_ids(self):
        Snapshot = self.env["crm.audit.snapshot"]
        for wizard in self:
            refs = [ref for ref in wizard.event_ids.mapped(lambda event: (event.details or {}).get("snapshot")) if ref]
            wizard.snapshot_ids = Snapshot.search([("ref", "in", refs), ("kind", "=", "record")]) if refs else Snapshot

    @api.depends("line_ids.state")
    def _compute_counts(self):
        for wizard in self:
            states = wizard.line_ids.mapped("state")
            wizard.restored_count = states.count("restored")
            wizard.conflict_count = states.count("conflict")
            wizard.skipped_count = states.count("skipped")

    def action_restore(self):
        self.ensure_one()
        if not self.env.user.has_group("crm_audit_log.group_audit_restore"):
            raise AccessError(self.env._("You are not allowed to restore deleted records."))
        events = self.event_ids
        if not events:
            raise UserError(self.env._("Choose the delete events whose records are to be restored."))
        events.check_access("read")  # the events the user may see, whatever the wizard was given
        # sudo: snapshots are system data that only this path reads; the restore right was checked
        results = self.env["crm.audit.restorer"].sudo()._crm_audit_restore(events.sudo())
        self._crm_audit_log_restores(results)
        self.line_ids = [fields.Command.create({
            "event_id": result["event_id"], "model": result["model"], "res_id": result["res_id"],
            "name": result["name"], "state": result["state"], "reason": result.get("reason") or False,
            "missing": "\n".join(result.get("missing") or ()) or False,
        }) for result in results]
        self.state = "done"
        return form_action(self._name, self.id, target="new", name=self.env._("Restore Deleted Records"))

    def _crm_audit_log_restores(self, results):
        """One restore event per model: it lists the records, so it shows in their history."""
        by_model = defaultdict(list)
        for result in results:
            if result["state"] == "restored":
                by_model[result["model"]].append(result)
        capture = self.env["crm.audit.capture"]
        writer = self.env["crm.audit.writer"]
        for model, restored in by_model.items():
            records = self.env[model].browse([result["res_id"] for result in restored])
            details = {
                "events": sorted({result["event_id"] for result in restored}),
                "missing": {str(result["res_id"]): result["missing"] for result in restored if result["missing"]},
                "conflicts": [{"event_id": result["event_id"], "res_id": result["res_id"], "reason": result["reason"]}
                              for result in results if result["state"] == "conflict" and result["model"] == model],
            }
            writer._crm_audit_push(capture._crm_audit_event(records, "restore", details=details))


class CrmAuditRestoreLine(models.TransientModel):
    _name = "crm.audit.restore.line"
    _description = "Restore Result"
    _order = "state, id"

    restore_id = fields.Many2one("crm.audit.restore", required=True, ondelete="cascade")
    event_id = EventMany2one("crm.audit.log", string="Event", readonly=True)
    model = fields.Char(readonly=True)
    res_id = fields.Integer(string="Record ID", readonly=True)
    name = fields.Char(string="Record", readonly=True)
    state = fields.Selection(RESULT_STATES, string="Result", readonly=True)
    reason = fields.Text(readonly=True)
    missing = fields.Text(string="Not Restored Links", readonly=True,
                          help="References to records that no longer exist, left empty.")

    def action_open_record(self):
        self.ensure_one()
        if self.state != "restored" or self.model not in self.env:
            raise UserError(self.env._("This record was not restored."))
        return form_action(self.model, self.res_id)
