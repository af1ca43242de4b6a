from odoo import api, models
from odoo.exceptions import AccessError, UserError

from ..tools import request_context
from ..tools.values import raw_value
from .crm_audit_visibility import READABLE_MEMO_KEY

# These overrides sit on `base`, so right above BaseModel's own methods: they see what is really
# created, written or deleted, after every model-specific override has done its part. Each one
# costs a dictionary lookup when the model is not audited (rules are cached, see crm.audit.rule).


class Base(models.AbstractModel):
    _inherit = "base"

    # ------------------------------------------------------------------ create / write / unlink
    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        request_context.note_created(self._name, records.ids)
        spec = self.env["crm.audit.capture"]._crm_audit_spec(self, "create")
        if spec is not None and records:
            self._crm_audit_after_create(records, vals_list, spec)
        return records

    def write(self, vals):
        spec = self.env["crm.audit.capture"]._crm_audit_spec(self, "write") if self else None
        state = self._crm_audit_before_write(vals, spec) if spec is not None else None
        result = super().write(vals)
        if state is not None:
            self._crm_audit_after_write(vals, state)
        return result

    def unlink(self):
        spec = self.env["crm.audit.capture"]._crm_audit_spec(self, "unlink") if self else None
        event = self._crm_audit_before_unlink(spec) if spec is not None else None
        result = super().unlink()
        if event is not None:
            self.env["crm.audit.writer"]._crm_audit_push(event)
            self.env["crm.audit.alert"]._crm_audit_alert_queue(event, "unlink")
        return result

    def _crm_audit_after_create(self, records, vals_list, spec):
        capture = self.env["crm.audit.capture"]
        keys = {key for vals in vals_list for key in vals}
        plain, secrets = capture._crm_audit_split_secrets(records, [k for k in keys if k in spec or k in records._fields])
        plain = [fname for fname in plain if fname in spec]
        binary = [fname for fname in plain if records._fields[fname].type == "binary"]
        plain = [fname for fname in plain if fname not in binary]
        only = [set(vals) for vals in vals_list] if len(vals_list) == len(records) else None
        if only is None:
            binary = []
        new = capture._crm_audit_values(records, plain)
        new.update({fname: [raw_value("binary", vals.get(fname)) for vals in vals_list] for fname in binary})
        event = capture._crm_audit_event(records, "create")
        event["lines"] = capture._crm_audit_lines(records, plain + binary, None, new, only)
        event["lines"] += capture._crm_audit_secret_lines(records, secrets)
        self.env["crm.audit.writer"]._crm_audit_push(event)

    def _crm_audit_before_write(self, vals, spec):
        capture = self.env["crm.audit.capture"]
        plain, secrets = capture._crm_audit_split_secrets(self, [k for k in vals if k in spec or k in self._fields])
        plain = [fname for fname in plain if fname in spec]
        if not plain and not secrets:
            return None
        binary = [fname for fname in plain if self._fields[fname].type == "binary"]
        plain = [fname for fname in plain if fname not in binary]
        return plain, binary, secrets, capture._crm_audit_values(self, plain)

    def _crm_audit_after_write(self, vals, state):
        capture = self.env["crm.audit.capture"]
        plain, binary, secrets, old = state
        new = capture._crm_audit_values(self, plain)
        old.update({fname: [None] * len(self) for fname in binary})
        new.update({fname: [raw_value("binary", vals[fname])] * len(self) for fname in binary})
        lines = capture._crm_audit_lines(self, plain + binary, old, new)
        lines += capture._crm_audit_secret_lines(self, secrets)
        if lines:
            event = capture._crm_audit_event(self, "write")
            event["lines"] = lines
            self.env["crm.audit.writer"]._crm_audit_push(event)

    def _crm_audit_before_unlink(self, spec):
        event = self.env["crm.audit.capture"]._crm_audit_event(self, "unlink")
        # the complete copy for restore, taken now (the records, and what only they point to, are
        # about to go); the event's lines are read from it, and its names are what the alerts give
        ref, copy = self.env["crm.audit.snapshot"]._crm_audit_snapshot_for(self)
        if ref:
            event["lines"] = self.env["crm.audit.capture"]._crm_audit_deleted_lines(self, spec, copy)
            event["details"] = dict(event["details"] or {}, snapshot=ref)
        return event

    def modified(self, fnames, create=False, before=False):
        # any change may change who may read the audited records: forget what was decided
        if not fnames:  # e.g. a computed many2many assigned: nothing changes
            return super().modified(fnames, create=create, before=before)
        self.env.cr.precommit.data.pop(READABLE_MEMO_KEY, None)
        result = super().modified(fnames, create=create, before=before)
        self.env.cr.precommit.data.pop(READABLE_MEMO_KEY, None)  # and what was decided meanwhile
        return result

    # ------------------------------------------------------------------ reads
    @api.readonly
    def web_read(self, specification):
        with request_context.read_scope() as outermost:
            result = super().web_read(specification)
        if outermost:
            self._crm_audit_read(list(specification), listing=len(self) != 1)
        return result

    @api.model
    @api.readonly
    def web_search_read(self, domain, specification, offset=0, limit=None, order=None, count_limit=None):
        with request_context.read_scope() as outermost:
            result = super().web_search_read(domain, specification, offset=offset, limit=limit, order=order,
                                             count_limit=count_limit)
        if outermost:
            self._crm_audit_read(list(specification), listing=True, count=len(result["records"]))
        return result

    @api.model
    @api.readonly
    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None, **read_kwargs):
        with request_context.read_scope() as outermost:
            result = super().search_read(domain, fields, offset=offset, limit=limit, order=order, **read_kwargs)
        if outermost:
            self._crm_audit_read(fields, listing=True, count=len(result))
        return result

    @api.readonly
    def read(self, fields=None, load="_classic_read"):
        with request_context.read_scope() as outermost:
            result = super().read(fields, load=load)
        if outermost:
            self._crm_audit_read(fields, listing=False, protected_only=True)
        return result

    def web_save(self, vals, specification, next_id=None):
        # the values sent back after saving are not a "view" of the record
        with request_context.read_scope():
            return super().web_save(vals, specification, next_id=next_id)

    def _crm_audit_read(self, fnames, listing, count=None, protected_only=False):
        capture = self.env["crm.audit.capture"]
        if capture._crm_audit_spec(self, "read") is None:
            return
        fnames = [fname for fname in (fnames or self._fields) if fname in self._fields]
        protected = sorted(capture._crm_audit_protected_fields(self, fnames))
        if protected_only and not protected:
            return
        details = {"protected_fields": protected} if protected else {}
        if listing:
            details["list"] = True
            event = capture._crm_audit_event(self, "read", details=details, ids=[], count=count)
        else:
            event = capture._crm_audit_event(self, "read", details=details)
        self.env["crm.audit.writer"]._crm_audit_push(event)

    # ------------------------------------------------------------------ export / import
    def export_data(self, fields_to_export):
        capture = self.env["crm.audit.capture"]
        if capture._crm_audit_spec(self, "export") is None:
            return super().export_data(fields_to_export)
        writer = self.env["crm.audit.writer"]
        web_export = request_context.current_export()
        details = {"fields": list(fields_to_export)}
        if web_export:
            details["format"] = web_export["format"]
        try:
            result = super().export_data(fields_to_export)
        except (AccessError, UserError):
            # refused (Odoo's export right, a record rule, an addon's policy): the event must
            # outlive the transaction that the refusal rolls back; once per export
            if not (web_export or {}).get("refusal_logged"):
                writer._crm_audit_push_detached(capture._crm_audit_event(self, "export", details=details, denied=True))
                if web_export:
                    web_export["refusal_logged"] = True
            raise
        event = capture._crm_audit_event(self, "export", details=details)
        # a grouped export calls this once per group: one event per request
        merge_key = ("export", self._name, tuple(fields_to_export), self.env.uid)
        writer._crm_audit_push(event, merge_key=merge_key)
        self.env["crm.audit.alert"]._crm_audit_alert_queue(event, "export", merge_key=merge_key)
        return result

    @api.model
    def load(self, fields, data):
        capture = self.env["crm.audit.capture"]
        if capture._crm_audit_spec(self, "import") is None:
            return super().load(fields, data)
        writer = self.env["crm.audit.writer"]
        mark = writer._crm_audit_mark()
        with request_context.channel_scope("import"), request_context.collect_created() as created:
            result = super().load(fields, data)
        ids = [rec_id for rec_id in result.get("ids") or () if rec_id]
        if not ids:
            # nothing was imported: load() rolled its savepoint back, drop what it logged
            writer._crm_audit_discard_since(mark)
            return result
        new_ids = created.get(self._name, set())
        details = {
            "file_name": self.env.context.get("crm_audit_import_file"),
            "fields": [field if isinstance(field, str) else "/".join(field) for field in fields],
            "rows": len(data),
            "created_ids": sorted(rec_id for rec_id in ids if rec_id in new_ids),
            "updated_ids": sorted(rec_id for rec_id in ids if rec_id not in new_ids),
        }
        with request_context.channel_scope("import"):
            writer._crm_audit_push(capture._crm_audit_event(self, "import", details=details, ids=ids))
        return result
