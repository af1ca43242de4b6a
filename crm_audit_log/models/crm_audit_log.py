import json

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import request_context
from ..tools.actions import form_action
from ..tools.chain import normalize

OPERATIONS = [
    ("create", "Create"),
    ("write", "Edit"),
    ("unlink", "Delete"),
    ("read", "View"),
    ("export", "Export"),
    ("import", "Import"),
    ("login", "Login"),
    ("login_failed", "Failed login"),
    ("share", "Share"),
    ("revoke", "Revoke"),
    ("reveal", "Reveal"),
    ("policy", "Policy change"),
    ("handover", "Hand-over"),
    ("offboarding", "Offboarding"),
    ("restore", "Restore"),
    ("security", "Security event"),
    ("retention", "Retention"),
    ("verify", "Integrity check"),
]


class CrmAuditLog(models.Model):
    """One audit event: who did what to which records, when, from where.

    Rows are written only by `crm.audit.writer` (one multi-row INSERT per batch at commit time);
    the ORM refuses to create, edit or delete them, for administrators and sudo too, and database
    triggers refuse UPDATE and DELETE except for the retention job (see `init`).
    """

    _name = "crm.audit.log"
    _inherit = ["crm.audit.append.only.mixin"]
    _description = "Audit Event"
    _order = "id desc"
    _log_access = False

    create_date = fields.Datetime(string="Date", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True, ondelete="restrict")
    user_id = fields.Many2one("res.users", string="User", readonly=True, index=True, ondelete="restrict")
    real_user_id = fields.Many2one(
        "res.users", string="Real User", readonly=True, ondelete="restrict",
        help="The user logged in behind the acting user, when the action ran as someone else.")
    is_sudo = fields.Boolean(string="As Superuser", readonly=True,
                             help="The action ran with superuser rights (sudo) on behalf of the user.")
    model = fields.Char(string="Model", readonly=True)
    model_description = fields.Char(string="Document Type", compute="_compute_model_description")
    res_id = fields.Integer(string="Record ID", readonly=True,
                            help="The record, when the event concerns a single record.")
    record_ref = fields.Reference(
        selection="_selection_record_model", string="Record", compute="_compute_record_ref",
        search="_search_record_ref")
    record_count = fields.Integer(string="Records", readonly=True)
    operation = fields.Selection(selection=OPERATIONS, readonly=True, index=True)
    channel = fields.Selection(
        selection=[
            ("web", "Web UI"),
            ("jsonrpc", "JSON-RPC"),
            ("xmlrpc", "XML-RPC"),
            ("api_key", "API key"),
            ("cron", "Scheduled action"),
            ("server_action", "Server action"),
            ("import", "Import"),
            ("system", "System"),
        ],
        readonly=True,
    )
    denied = fields.Boolean(string="Refused", readonly=True,
                            help="The action was refused; the event is kept although nothing changed.")
    # where from: for auditors only (colleagues see what was done to records they can see, not from where)
    ip_address = fields.Char(string="IP Address", readonly=True, groups="crm_audit_log.group_audit_auditor")
    user_agent = fields.Char(readonly=True, groups="crm_audit_log.group_audit_auditor")
    session_ref = fields.Char(string="Session", readonly=True, groups="crm_audit_log.group_audit_auditor",
                              help="A fingerprint of the web session (never the session itself).")
    details = fields.Json(string="Details (JSON)", readonly=True)
    details_text = fields.Text(string="Details", compute="_compute_details_text")
    line_ids = fields.One2many("crm.audit.log.line", "log_id", string="Changes", readonly=True)
    prev_digest = fields.Char(string="Previous Digest", readonly=True)
    digest = fields.Char(readonly=True)
    # deletes: the snapshot of the deleted records (see crm.audit.snapshot), by its ref in the details
    has_snapshot = fields.Boolean(string="Restorable", compute="_compute_has_snapshot")
    snapshot_ids = fields.Many2many(
        "crm.audit.snapshot", string="Deleted Records", compute="_compute_snapshot_ids",
        groups="crm_audit_log.group_audit_auditor,crm_audit_log.group_audit_restore")

    def init(self):
        self.env["crm.audit.storage"]._crm_audit_init_storage()

    # ------------------------------------------------------------------ computes
    @api.depends("model")
    def _compute_model_description(self):
        IrModel = self.env["ir.model"]
        for event in self:
            event.model_description = IrModel._get(event.model).name or event.model if event.model else False

    @api.model
    def _selection_record_model(self):
        # sudo: model names only, for the record link (as ir.actions.server._selection_target_model)
        return [(model.model, model.name) for model in self.env["ir.model"].sudo().search([])]

    @api.depends("model", "res_id")
    def _compute_record_ref(self):
        for event in self:
            ok = event.model in self.env and event.res_id
            event.record_ref = f"{event.model},{event.res_id}" if ok else False

    def _search_record_ref(self, operator, value):
        """('record_ref', '=', 'res.partner,42'): the events about that record, bulk ones included."""
        if operator not in ("=", "in"):
            raise UserError(self.env._("Unsupported search on the audited record."))
        refs = value if operator == "in" else [value]
        conditions = []
        for ref in refs:
            model, res_id = ref.split(",") if isinstance(ref, str) else ref
            conditions.append(SQL(
                "(model = %s AND (res_id = %s OR res_ids @> ARRAY[%s]::int[]))", model, int(res_id), int(res_id)))
        if not conditions:
            return [("id", "=", 0)]
        # materialised first (ARRAY): otherwise, for "newest first" pages, PostgreSQL may prefer to
        # walk the whole table backwards by id, filtering, over the two indexes that find the few rows
        return [("id", "in", SQL("(SELECT unnest(ARRAY(SELECT id FROM crm_audit_log WHERE %s)))",
                                 SQL(" OR ").join(conditions)))]

    @api.depends("operation", "details")
    def _compute_has_snapshot(self):
        for event in self:
            event.has_snapshot = event.operation == "unlink" and bool((event.details or {}).get("snapshot"))

    @api.depends("operation", "details")
    def _compute_snapshot_ids(self):
        Snapshot = self.env["crm.audit.snapshot"]
        refs = {event.id: (event.details or {}).get("snapshot") for event in self if event.operation == "unlink"}
        wanted = [ref for ref in refs.values() if ref]
        snapshots = Snapshot.search([("ref", "in", wanted), ("kind", "=", "record")]) if wanted else Snapshot
        for event in self:
            ref = refs.get(event.id)
            event.snapshot_ids = snapshots.filtered(lambda snap, ref=ref: snap.ref == ref) if ref else Snapshot

    @api.depends("details")
    def _compute_details_text(self):
        for event in self:
            details = event.details
            event.details_text = json.dumps(details, indent=2, ensure_ascii=False, sort_keys=True) if details else False

    @api.depends("operation", "model_description", "res_id")
    def _compute_display_name(self):
        labels = dict(self._fields["operation"]._description_selection(self.env))
        for event in self:
            event.display_name = self.env._(
                "%(operation)s: %(document)s", operation=labels.get(event.operation, event.operation or ""),
                document=event.model_description or "")

    # ------------------------------------------------------------------ who sees which events
    @api.model
    def _crm_audit_sees_all(self):
        """Auditors see every event of their companies (the company rule still applies)."""
        return self.env["crm.audit.visibility"]._crm_audit_sees_all()

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        query = super()._search(domain, offset, limit, order)
        if not self._crm_audit_sees_all():
            query.add_where(self.env["crm.audit.visibility"]._crm_audit_event_filter(query.table, domain))
        return query

    def _check_access(self, operation):
        result = super()._check_access(operation)
        if not self or operation != "read" or self._crm_audit_sees_all():
            return result
        candidates = self - result[0] if result else self
        forbidden = self.browse(self.env["crm.audit.visibility"]._crm_audit_forbidden_events(candidates.ids))
        if not forbidden:
            return result
        if result:
            return result[0] | forbidden, result[1]
        return forbidden, lambda: self.env["ir.rule"]._make_access_error("read", forbidden)

    # ------------------------------------------------------------------ entry points
    @api.model
    def _crm_audit_security_event(self, event, records, details):
        """Entry point for crm_security's events (share, revoke, hand-over, offboarding, reveal,
        policy, restore): one event for `records`, written with the transaction.

        With ``details["denied"]`` true (e.g. event "export" before raising a refusal), the event
        is flagged as refused and written by a cursor of its own, so that it outlives the
        transaction the refusal rolls back.
        """
        operation = event if event in dict(OPERATIONS) else "security"
        details = {
            key: ({"model": val._name, "ids": val.ids} if isinstance(val, models.BaseModel) else normalize(val))
            for key, val in (details or {}).items()
        }
        denied = bool(details.pop("denied", False))
        if operation == "security":
            details["event"] = event
        web_export = request_context.current_export() if operation == "export" else None
        if web_export:
            # a web export refused by the addon: its file format, and no second event from the controller
            details["format"] = web_export["format"]
            web_export["refusal_logged"] = web_export["refusal_logged"] or denied
        capture = self.env["crm.audit.capture"]
        writer = self.env["crm.audit.writer"]
        entry = capture._crm_audit_event(records, operation, details=details, denied=denied)
        if denied:
            writer._crm_audit_push_detached(entry)
        else:
            writer._crm_audit_push(entry)

    @api.model
    def _crm_audit_history_action(self, records):
        """The events about `records` (one record: its full history)."""
        refs = [f"{records._name},{rec_id}" for rec_id in records.ids]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("History"),
            "res_model": "crm.audit.log",
            "view_mode": "list,form",
            "views": [(self.env.ref("crm_audit_log.crm_audit_log_view_list_history").id, "list"), (False, "form")],
            "domain": [("record_ref", "in", refs)],
            "context": {"create": False},
        }

    def action_open_record(self):
        self.ensure_one()
        if not self.record_ref:
            raise UserError(self.env._("This event does not concern a single existing record."))
        return form_action(self.model, self.res_id)

    def action_crm_audit_restore(self):
        """The restore wizard, for these delete events."""
        events = self.filtered("has_snapshot")
        if not events:
            raise UserError(self.env._("These events have no deleted records to restore."))
        return form_action(
            "crm.audit.restore", False, name=self.env._("Restore Deleted Records"), target="new",
            context={"active_model": self._name, "active_ids": events.ids, "active_id": events[0].id})

    def action_crm_audit_revert(self):
        """The revert wizard, for this edit event."""
        self.ensure_one()
        if self.operation != "write":
            raise UserError(self.env._("Only edits can be reverted."))
        return form_action(
            "crm.audit.revert", False, name=self.env._("Revert an Edit"), target="new",
            context={"active_model": self._name, "active_id": self.id, "active_ids": self.ids})

    @api.model
    def action_verify_integrity(self):
        """Verify every company's chain; report the first broken link (button for audit administrators)."""
        if not self.env.user.has_group("crm_audit_log.group_audit_manager"):
            raise UserError(self.env._("Only audit administrators can verify the audit log."))
        result = self.env["crm.audit.storage"]._crm_audit_verify()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Audit log integrity"),
                "message": result["message"],
                "type": "success" if result["ok"] else "danger",
                "sticky": not result["ok"],
            },
        }

    @api.model
    def _cron_purge_expired(self, batch_size=5000, max_batches=200):
        """Retention: remove the events older than each company's retention, oldest first."""
        return self.env["crm.audit.storage"]._crm_audit_purge(batch_size=batch_size, max_batches=max_batches)
