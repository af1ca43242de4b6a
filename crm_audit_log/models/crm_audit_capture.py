from collections import defaultdict
from datetime import datetime, timezone

from odoo import SUPERUSER_ID, api, models, tools
from odoo.exceptions import MissingError
from odoo.tools import SQL

from ..tools import request_context
from ..tools.chain import normalize
from ..tools.values import MASK, deleted_lines, is_empty, is_secret, raw_value, text_value, with_name

MAGIC_FIELDS = frozenset(("id", "create_uid", "create_date", "write_uid", "write_date", "display_name"))
RELATIONAL = ("many2one", "many2many", "one2many")


def _utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)


class CrmAuditCapture(models.AbstractModel):
    """Turns ORM operations into audit events (plain dicts) for `crm.audit.writer`.

    Old values come from the ORM cache, fetched in one batch only for the fields concerned
    (never `read()`, which may mask values); names of related records are resolved in batch when
    the events are written (`_crm_audit_finalize`). A delete's lines are read from the snapshot
    taken for restore, finished at once (`_crm_audit_deleted_lines`).

    Masking hook (duck-typed, implemented by crm_security): if the audited model defines
    ``_crm_security_field_is_protected(field_name) -> bool``, lines of protected fields keep their
    values only in the system-only raw columns; see `crm.audit.log.line` for how they are shown.
    """

    _name = "crm.audit.capture"
    _description = "Audit Capture"

    # ------------------------------------------------------------------ what is audited
    @api.model
    def _crm_audit_spec(self, records, operation):
        """Audited field names for `operation` on `records` by their user; None: not audited."""
        # no context key may switch auditing off: the client controls the context
        specs = self.env["crm.audit.rule"]._crm_audit_rules_map().get(records._name)
        if not specs:
            return None
        uid, names, audited = records.env.uid, frozenset(), False
        for operations, field_names, excluded in specs:
            if operation not in operations or uid in excluded:
                continue
            audited = True
            if field_names is None:
                return self._crm_audit_all_fields(records._name)
            names |= field_names
        return names if audited else None

    @api.model
    @tools.ormcache("model_name")
    def _crm_audit_all_fields(self, model_name):
        return frozenset(
            name for name, field in self.env[model_name]._fields.items()
            if field.store and (field.column_type or field.type == "many2many") and name not in MAGIC_FIELDS
        )

    @api.model
    def _crm_audit_protected_fields(self, records, field_names):
        hook = getattr(records, "_crm_security_field_is_protected", None)
        if hook is None:
            return frozenset()
        return frozenset(fname for fname in field_names if hook(fname))

    # ------------------------------------------------------------------ events
    @api.model
    def _crm_audit_company_id(self, env):
        if env.uid:
            return env.company.id
        main = env.ref("base.main_company", raise_if_not_found=False)
        return main.id if main else None

    @api.model
    def _crm_audit_channel(self, env, info):
        if env.context.get("import_file"):
            return "import"
        return request_context.scoped_channel() or (info.channel if info else "system")

    @api.model
    def _crm_audit_event(self, records, operation, details=None, ids=None, count=None, denied=False):
        """A new event about `records` (or the given `ids`) by the user of `records.env`."""
        env = records.env
        info = request_context.current()
        uid = env.uid or None
        session_uid = info.session_uid if info else None
        if ids is None:
            ids = [rec_id for rec_id in records._ids if isinstance(rec_id, int)]
        return {
            "create_date": _utcnow(),
            "company_id": self._crm_audit_company_id(env),
            "user_id": uid,
            "real_user_id": session_uid if session_uid and session_uid != uid else None,
            "is_sudo": bool(env.su) and uid != SUPERUSER_ID,
            "model": records._name,
            "ids": list(ids) if ids is not False else None,
            "record_count": count,
            "operation": operation,
            "channel": self._crm_audit_channel(env, info),
            "denied": bool(denied),
            "ip_address": info.ip_address if info else None,
            "user_agent": info.user_agent if info else None,
            "session_ref": info.session_ref if info else None,
            "details": normalize(details) if details else None,
            "lines": [],
        }

    # ------------------------------------------------------------------ values
    @api.model
    def _crm_audit_values(self, records, field_names):
        """{field: [raw value per record]}, from the cache, fetched in one batch where missing."""
        recs = records.sudo()  # sudo: values only go to the audit log, whose raw columns only the system reads
        plain = [f for f in field_names if not recs._fields[f].translate and recs._fields[f].type != "binary"]
        translated = [f for f in field_names if recs._fields[f].translate]
        real = recs.filtered(lambda rec: isinstance(rec.id, int))
        if real and plain:
            real.fetch(plain)
        result = {}
        cache = recs.env.cache
        for fname in plain:
            field = recs._fields[fname]
            values = cache.get_until_miss(recs, field)
            if len(values) < len(recs):
                values = [field.convert_to_cache(rec[fname], rec, validate=False) for rec in recs]
            result[fname] = [raw_value(field.type, value) for value in values]
        if translated and real:
            result.update(self._crm_audit_translations(recs, translated))
        return result

    @api.model
    def _crm_audit_translations(self, records, field_names):
        """{field: [{lang: value} per record]} of translated fields, straight from their jsonb columns."""
        records.flush_recordset(field_names)
        self.env.cr.execute(SQL(
            "SELECT id, %s FROM %s WHERE id = ANY(%s)",
            SQL(", ").join(SQL.identifier(fname) for fname in field_names),
            SQL.identifier(records._table), list(records._ids)))
        rows = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        return {
            fname: [dict(rows.get(rec_id, [None] * len(field_names))[index] or {}) for rec_id in records._ids]
            for index, fname in enumerate(field_names)
        }

    @api.model
    def _crm_audit_lines(self, records, field_names, old, new, only=None):
        """Field lines of `records` from aligned old/new value lists (None: no such side).

        `only[i]`, when given, limits record i to those field names (create: the keys of its vals).
        Unchanged values (edit) and empty ones (create, delete) give no line.
        """
        protected = self._crm_audit_protected_fields(records, field_names)
        lines = []
        for index, rec_id in enumerate(records._ids):
            if not isinstance(rec_id, int):
                continue
            for fname in field_names:
                if only is not None and fname not in only[index]:
                    continue
                field = records._fields[fname]
                before = old[fname][index] if old is not None and fname in old else None
                after = new[fname][index] if new is not None and fname in new else None
                if field.translate:
                    # a language without its own value shows the English one (as Odoo does)
                    before, after = before or {}, after or {}
                    for lang in sorted(set(before) | set(after)):
                        self._crm_audit_add_line(
                            lines, rec_id, field, before.get(lang, before.get("en_US")),
                            after.get(lang, after.get("en_US")), fname in protected, lang, old, new)
                else:
                    self._crm_audit_add_line(lines, rec_id, field, before, after, fname in protected, None, old, new)
        return lines

    @api.model
    def _crm_audit_add_line(self, lines, rec_id, field, before, after, protected, lang, old, new):
        if old is not None and new is not None:
            if before == after:
                return
        elif is_empty(before) and is_empty(after):
            return
        lines.append({
            "res_id": rec_id, "field_name": field.name, "field_type": field.type, "lang": lang,
            "old_raw": before, "new_raw": after, "is_protected": protected,
        })

    @api.model
    def _crm_audit_deleted_lines(self, records, field_names, copy):
        """Field lines of deleted `records` (old values only), finished (names, texts, canonical
        form), read from their snapshot `copy` (see crm.audit.snapshot._crm_audit_snapshot_take)
        rather than fetched again: a delete is one of the biggest events there are.

        As on create and write, the lines hold the fields people set: a computed read-only field
        (a normalized e-mail, a complete name) has no line, secrets neither; the snapshot keeps
        every column for restore.
        """
        model_fields = records._fields
        rows, links = copy["rows"], copy["links"]
        ids = [rec_id for rec_id in records._ids if rec_id in rows]
        fnames = [
            fname for fname in sorted(field_names)
            if fname in model_fields and model_fields[fname].type != "binary"
            and not (model_fields[fname].compute and model_fields[fname].readonly)
            and not is_secret(fname, model_fields[fname].groups)
        ]
        # many2many tables the snapshot did not copy (a relation that is a model's table)
        fallback = [fname for fname in fnames if model_fields[fname].type == "many2many"
                    and (model_fields[fname].relation, model_fields[fname].column1) not in links]
        fetched = self._crm_audit_values(records.browse(ids), fallback) if fallback else {}
        values, wanted = {}, defaultdict(set)
        for fname in fnames:
            field = model_fields[fname]
            if fname in fetched:
                column = fetched[fname]
            elif field.type == "many2many":
                linked = links[field.relation, field.column1]
                column = [sorted(linked.get(rec_id, ())) for rec_id in ids]
            elif field.translate:
                column = [dict(rows[rec_id].get(fname) or {}) for rec_id in ids]
            elif field.type == "datetime":  # JSON has them as 2024-01-31T12:00:00(.5)
                column = [raw_value("datetime", stamp and datetime.fromisoformat(stamp))
                          for stamp in (rows[rec_id].get(fname) for rec_id in ids)]
            else:
                column = [raw_value(field.type, rows[rec_id].get(fname)) for rec_id in ids]
            values[fname] = column
            if field.type == "many2one":
                wanted[field.comodel_name].update(value for value in column if value)
            elif field.type == "many2many":
                for value in column:
                    wanted[field.comodel_name].update(value)
        names = {comodel: self._crm_audit_names(comodel, comodel_ids)
                 for comodel, comodel_ids in wanted.items() if comodel_ids}
        protected = self._crm_audit_protected_fields(records, fnames)
        yes_no = (self.env._("Yes"), self.env._("No"))
        lines = []
        for fname in fnames:
            field = model_fields[fname]
            labels = dict(field._description_selection(self.env)) if field.type == "selection" else None
            lines += deleted_lines(field, ids, values[fname], fname in protected, labels,
                                   names.get(field.comodel_name, {}) if field.type in RELATIONAL else {}, yes_no)
        return lines

    @api.model
    def _crm_audit_secret_lines(self, records, field_names):
        """A change of a secret (password, token) is logged, never its value."""
        return [
            {"res_id": rec_id, "field_name": fname, "field_type": records._fields[fname].type, "lang": None,
             "old_raw": None, "new_raw": None, "is_protected": False, "old_text": MASK, "new_text": MASK,
             "secret": True}
            for rec_id in records._ids if isinstance(rec_id, int) for fname in field_names
        ]

    @api.model
    def _crm_audit_split_secrets(self, records, field_names):
        secret = {f for f in field_names if f in records._fields and is_secret(f, records._fields[f].groups)}
        return [f for f in field_names if f not in secret], sorted(secret)

    # ------------------------------------------------------------------ names and texts (at write time)
    @api.model
    def _crm_audit_finalize(self, events):
        """Resolve the names of related records in one batch per model and set the lines' texts."""
        wanted = defaultdict(set)
        todo = []
        for event in events:
            model_fields = self.env[event["model"]]._fields if event["model"] in self.env else {}
            for line in event["lines"]:
                if line.get("secret") or "old_text" in line or "canonical" in line:
                    continue
                field = model_fields.get(line["field_name"])
                todo.append((line, field))
                if field is not None and field.type in RELATIONAL:
                    for raw in (line["old_raw"], line["new_raw"]):
                        if isinstance(raw, int):
                            wanted[field.comodel_name].add(raw)
                        elif isinstance(raw, list):
                            wanted[field.comodel_name].update(raw)
        names = {comodel: self._crm_audit_names(comodel, ids) for comodel, ids in wanted.items()}
        yes_no = (self.env._("Yes"), self.env._("No"))
        labels = {}
        for line, field in todo:
            ftype = line["field_type"]
            field_names = names.get(field.comodel_name, {}) if field is not None and ftype in RELATIONAL else {}
            if ftype == "selection" and field is not None and field not in labels:
                labels[field] = dict(field._description_selection(self.env))
            line["old_raw"] = with_name(ftype, line["old_raw"], field_names)
            line["new_raw"] = with_name(ftype, line["new_raw"], field_names)
            if line["is_protected"]:
                line["old_text"] = line["new_text"] = None
                continue
            field_labels = labels.get(field)
            line["old_text"] = text_value(ftype, line["old_raw"], field_labels, field_names, yes_no)
            line["new_text"] = text_value(ftype, line["new_raw"], field_labels, field_names, yes_no)

    @api.model
    def _crm_audit_names(self, comodel, ids):
        if comodel not in self.env:
            return {}
        # sudo: names of related records, stored in the log like the ids they go with
        records = self.env[comodel].sudo().with_context(active_test=False).browse(sorted(ids))
        try:
            return {rec.id: rec.display_name for rec in records}
        except MissingError:  # deleted since the value was captured (rare: no query spent on it otherwise)
            return {rec.id: rec.display_name for rec in records.exists()}
