import logging
from collections import defaultdict

import psycopg2
from psycopg2 import errorcodes

from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import table_columns

from .crm_audit_snapshot import NOT_RESTORED

_logger = logging.getLogger(__name__)

ROW_KINDS = ("record", "child", "document")


class CrmAuditRestorer(models.AbstractModel):
    """Puts deleted records back from their snapshots (see `crm.audit.snapshot`), with SQL.

    Each deleted record comes back whole or not at all, with its original id: its row, the rows
    deleted with it, its chatter, attachments, followers and external ids, its many2many links to
    records that still exist, and the references that surviving records held to it. Many2one
    values pointing to records that no longer exist are left empty and reported.

    The common path restores every record of the request in one statement per table, inside a
    savepoint; if anything fails (a unique value now used by another record...), each record is
    retried alone in its own savepoint, and those that still fail are reported as conflicts.
    """

    _name = "crm.audit.restorer"
    _description = "Deleted Record Restore"

    @api.model
    def _crm_audit_restore(self, events):
        """Restore the records deleted by `events` (unlink events); return one result dict per record:
        {event_id, model, res_id, name, state: restored|conflict|skipped, reason, missing: [...]}."""
        Snapshot = self.env["crm.audit.snapshot"]
        results, candidates = [], []
        refs = {}
        for event in events.sorted("id", reverse=True):
            ref = (event.details or {}).get("snapshot") if event.operation == "unlink" else None
            if not ref:
                results.append({"event_id": event.id, "model": event.model, "res_id": event.res_id or 0,
                                "name": event.display_name, "state": "skipped",
                                "reason": self.env._("This event has no snapshot to restore.")})
                continue
            refs[ref] = event
        if not refs:
            return results
        cr = self.env.cr
        cr.execute(SQL(
            """SELECT ref, model, res_id, name, data->>'create_date' FROM crm_audit_snapshot
                WHERE ref = ANY(%s) AND kind = 'record' ORDER BY res_id""", list(refs)))
        roots = cr.fetchall()
        for ref in sorted(set(refs) - {row[0] for row in roots}, key=lambda ref: -refs[ref].id):
            event = refs[ref]
            results.append({"event_id": event.id, "model": event.model, "res_id": event.res_id or 0,
                            "name": event.display_name, "state": "skipped",
                            "reason": self.env._("Its copy was removed by the retention job.")})
        done = Snapshot._crm_audit_restored_pairs([(ref, res_id) for ref, _m, res_id, _n, _d in roots])
        existing = self._crm_audit_existing(roots)
        seen = set()
        for ref, model, res_id, name, create_date in sorted(roots, key=lambda row: -refs[row[0]].id):
            result = {"event_id": refs[ref].id, "model": model, "res_id": res_id, "name": name or f"#{res_id}",
                      "state": "skipped", "ref": ref, "missing": []}
            results.append(result)
            if (ref, res_id) in done:
                result["reason"] = self.env._("Already restored.")
            elif (model, res_id) in seen:
                result["reason"] = self.env._("Restored from a later deletion of the same record.")
            elif (model, res_id) in existing:
                if existing[(model, res_id)] == create_date:
                    result["reason"] = self.env._("The record exists.")
                else:
                    result["state"] = "conflict"
                    result["reason"] = self.env._("Its id is used by another record.")
            elif model not in self.env or model in NOT_RESTORED:
                result["reason"] = self.env._("Its model is no longer installed.")
            else:
                candidates.append(result)
            seen.add((model, res_id))
        if candidates:
            self._crm_audit_restore_candidates(candidates)
        return results

    @api.model
    def _crm_audit_existing(self, roots):
        """{(model, id): create_date as text} of the roots whose id is used."""
        by_model = defaultdict(list)
        for _ref, model, res_id, _name, _date in roots:
            if model in self.env:
                by_model[model].append(res_id)
        found = {}
        for model, ids in by_model.items():
            Model = self.env[model]
            date = SQL("to_jsonb(t)->>'create_date'")
            self.env.cr.execute(SQL("SELECT id, %s FROM %s t WHERE id = ANY(%s)", date,
                                    SQL.identifier(Model._table), ids))
            found.update({(model, rec_id): created for rec_id, created in self.env.cr.fetchall()})
        return found

    @api.model
    def _crm_audit_restore_candidates(self, candidates):
        cr = self.env.cr
        try:
            with cr.savepoint():
                missing = self._crm_audit_restore_pairs([(c["ref"], c["res_id"]) for c in candidates])
        except psycopg2.Error as error:
            _logger.info("Restore of %d records in one batch failed (%s): one by one", len(candidates),
                         error.pgcode)
            for candidate in candidates:
                try:
                    with cr.savepoint():
                        missing = self._crm_audit_restore_pairs([(candidate["ref"], candidate["res_id"])])
                except psycopg2.Error as single_error:
                    candidate["state"] = "conflict"
                    candidate["reason"] = self._crm_audit_conflict_reason(single_error)
                else:
                    candidate["state"] = "restored"
                    candidate["reason"] = False
                    candidate["missing"] = missing.get((candidate["ref"], candidate["res_id"]), [])
        else:
            for candidate in candidates:
                candidate["state"] = "restored"
                candidate["reason"] = False
                candidate["missing"] = missing.get((candidate["ref"], candidate["res_id"]), [])
        self.env.invalidate_all()

    @api.model
    def _crm_audit_conflict_reason(self, error):
        diag = error.diag
        if error.pgcode == errorcodes.UNIQUE_VIOLATION:
            constraint = diag.constraint_name or ""
            message = self._crm_audit_constraint_message(diag.table_name, constraint)
            if diag.constraint_name and diag.constraint_name.endswith("_pkey"):
                return self.env._("A row deleted with it has its id used by another record (%(table)s).",
                                  table=diag.table_name)
            return self.env._("A unique value is now used by another record: %(message)s",
                              message=message or constraint)
        if error.pgcode == errorcodes.FOREIGN_KEY_VIOLATION:
            return self.env._("A record it needs no longer exists (%(constraint)s).",
                              constraint=diag.constraint_name or diag.table_name)
        if error.pgcode == errorcodes.NOT_NULL_VIOLATION:
            return self.env._("A required value is missing (%(column)s).", column=diag.column_name)
        return self.env._("The database refused it: %(message)s", message=diag.message_primary or error.pgcode)

    @api.model
    def _crm_audit_constraint_message(self, table, constraint):
        for model in self.env.registry.values():
            if model._table != table:
                continue
            for key, _definition, message in model._sql_constraints:
                if constraint == f"{table}_{key}":
                    return str(message)
        return None

    # ------------------------------------------------------------------ the SQL
    @api.model
    def _crm_audit_restore_pairs(self, pairs):
        """Restore the snapshot rows of the deleted records `pairs` [(ref, root id)]; raise on any
        database error (the caller's savepoint then undoes everything). Return the references that
        could not be restored: {(ref, root): [text, ...]}."""
        cr = self.env.cr
        scope = SQL("JOIN unnest(%s::varchar[], %s::int[]) AS p(ref, root) ON s.ref = p.ref AND s.root_id = p.root",
                    [pair[0] for pair in pairs], [pair[1] for pair in pairs])
        cr.execute(SQL("""SELECT s.depth, s.model, array_agg(s.id ORDER BY s.id), array_agg(s.res_id),
                                 bool_or(s.kind <> 'document')
                            FROM crm_audit_snapshot s %s WHERE s.kind IN %s
                        GROUP BY s.depth, s.model ORDER BY s.depth, s.model""", scope, ROW_KINDS))
        groups = [group for group in cr.fetchall() if group[1] in self.env and group[1] not in NOT_RESTORED]
        restoring = defaultdict(set)
        for _depth, model, _snap_ids, res_ids, _own in groups:
            restoring[model].update(res_ids)
        missing = defaultdict(list)
        for _depth, model, snap_ids, _res_ids, _own in groups:
            self._crm_audit_insert_rows(model, snap_ids, restoring, missing)
        self._crm_audit_insert_relations(scope, missing)
        self._crm_audit_restore_backrefs(scope)
        now = fields.Datetime.now()
        cr.execute(SQL(
            """INSERT INTO crm_audit_snapshot (ref, model, res_id, root_id, depth, kind, create_date, data)
               SELECT s.ref, s.model, s.res_id, s.root_id, 0, 'restored', %s, jsonb_build_object('uid', %s)
                 FROM crm_audit_snapshot s %s WHERE s.kind = 'record'""", now, self.env.uid, scope))
        self._crm_audit_recompute(groups)
        return missing

    @api.model
    def _crm_audit_insert_rows(self, model_name, snap_ids, restoring, missing):
        """One INSERT for the copied rows of a model; many2one values whose target is gone become NULL."""
        cr = self.env.cr
        Model = self.env[model_name]
        columns = table_columns(cr, Model._table)
        targets = []
        for field in Model._fields.values():
            if field.type != "many2one" or not field.store or field.name not in columns or field.company_dependent:
                continue
            comodel = self.env.registry.get(field.comodel_name)
            if comodel is None or comodel._abstract or not comodel._auto:
                continue
            targets.append((field, comodel))
        gone = defaultdict(set)
        if targets:
            selects = [SQL(
                """SELECT s.ref, s.root_id, s.res_id, %(fname)s, (s.data->>%(fname)s)::int
                     FROM crm_audit_snapshot s LEFT JOIN %(table)s c ON c.id = (s.data->>%(fname)s)::int
                    WHERE s.id = ANY(%(ids)s) AND s.data->>%(fname)s IS NOT NULL AND c.id IS NULL
                      AND NOT ((s.data->>%(fname)s)::int = ANY(%(restoring)s::int[]))""",
                fname=field.name, table=SQL.identifier(comodel._table), ids=snap_ids,
                restoring=sorted(restoring.get(comodel._name, ()))) for field, comodel in targets]
            cr.execute(SQL(" UNION ALL ").join(selects))
            rows = cr.fetchall()  # before the labels below, which may query
            labels = {field.name: field._description_string(self.env) for field, _comodel in targets}
            description = self.env["ir.model"]._get(model_name).name or model_name
            for ref, root, res_id, fname, target in rows:
                gone[fname].add(target)
                missing[(ref, root)].append(self.env._(
                    "%(document)s #%(id)s: %(field)s pointed to a record that no longer exists (#%(target)s); "
                    "left empty.", document=description, id=res_id, field=labels[fname], target=target))
        expressions = []
        for column in columns:
            if column in gone:
                expressions.append(SQL("CASE WHEN r.%s = ANY(%s) THEN NULL ELSE r.%s END",
                                       SQL.identifier(column), sorted(gone[column]), SQL.identifier(column)))
            else:
                expressions.append(SQL("r.%s", SQL.identifier(column)))
        cr.execute(SQL(
            """INSERT INTO %(table)s (%(columns)s)
               SELECT %(values)s FROM crm_audit_snapshot s, jsonb_populate_record(NULL::%(table)s, s.data) r
                WHERE s.id = ANY(%(ids)s)""",
            table=SQL.identifier(Model._table), columns=SQL(", ").join(SQL.identifier(c) for c in columns),
            values=SQL(", ").join(expressions), ids=snap_ids))

    @api.model
    def _crm_audit_insert_relations(self, scope, missing):
        """Many2many links, to records that exist (again); one INSERT per relation table."""
        cr = self.env.cr
        cr.execute(SQL(
            """SELECT s.data->>'table', s.data->>'col', s.data->>'other', s.data->>'other_table', s.model,
                      array_agg(s.id)
                 FROM crm_audit_snapshot s %s WHERE s.kind = 'relation' GROUP BY 1, 2, 3, 4, 5""", scope))
        for table, column, other, other_table, model, snap_ids in cr.fetchall():
            if model not in self.env or model in NOT_RESTORED:
                continue
            own_table = self.env[model]._table
            cr.execute(SQL(
                """SELECT s.ref, s.root_id, count(*) FROM crm_audit_snapshot s
                     CROSS JOIN jsonb_array_elements_text(s.data->'ids') AS x(other_id)
                    WHERE s.id = ANY(%s) AND NOT EXISTS (SELECT 1 FROM %s o WHERE o.id = x.other_id::int)
                    GROUP BY s.ref, s.root_id""", snap_ids, SQL.identifier(other_table)))
            for ref, root, count in cr.fetchall():
                missing[(ref, root)].append(self.env._(
                    "%(count)s link(s) in %(table)s to records that no longer exist were left out.",
                    count=count, table=table))
            cr.execute(SQL(
                """INSERT INTO %(table)s (%(col)s, %(other)s)
                   SELECT s.res_id, x.other_id::int FROM crm_audit_snapshot s
                    CROSS JOIN jsonb_array_elements_text(s.data->'ids') AS x(other_id)
                     JOIN %(other_table)s o ON o.id = x.other_id::int
                     JOIN %(own_table)s m ON m.id = s.res_id
                    WHERE s.id = ANY(%(ids)s)
                   ON CONFLICT DO NOTHING""",
                table=SQL.identifier(table), col=SQL.identifier(column), other=SQL.identifier(other),
                other_table=SQL.identifier(other_table), own_table=SQL.identifier(own_table), ids=snap_ids))

    @api.model
    def _crm_audit_restore_backrefs(self, scope):
        """References that surviving records held to the deleted ones, where still empty."""
        cr = self.env.cr
        cr.execute(SQL(
            """SELECT s.model, s.data->>'field', s.data->>'model', array_agg(s.id)
                 FROM crm_audit_snapshot s %s WHERE s.kind = 'backref' GROUP BY 1, 2, 3""", scope))
        for model, fname, target_model, snap_ids in cr.fetchall():
            if model not in self.env or fname not in self.env[model]._fields or target_model not in self.env:
                continue
            Model = self.env[model]
            cr.execute(SQL(
                """UPDATE %(table)s t SET %(field)s = (s.data->>'target')::int
                     FROM crm_audit_snapshot s
                    WHERE s.id = ANY(%(ids)s) AND t.id = s.res_id AND t.%(field)s IS NULL
                      AND EXISTS (SELECT 1 FROM %(target)s x WHERE x.id = (s.data->>'target')::int)
                RETURNING t.id""",
                table=SQL.identifier(Model._table), field=SQL.identifier(fname), ids=snap_ids,
                target=SQL.identifier(self.env[target_model]._table)))
            updated = [row[0] for row in cr.fetchall()]
            if updated:
                records = Model.browse(updated)
                records.invalidate_recordset([fname])
                records.sudo().modified([fname])  # sudo: recompute what depends on the restored link

    @api.model
    def _crm_audit_recompute(self, groups):
        """What depends on the restored records elsewhere (e.g. a company's contacts) is recomputed."""
        env = self.env(user=SUPERUSER_ID)  # superuser: recomputations of stored fields, as the ORM does them
        env.invalidate_all()
        for _depth, model, _snap_ids, res_ids, own in groups:
            if not own:
                continue  # chatter, attachments, followers: nothing depends on them
            Model = env[model]
            stored = [name for name, field in Model._fields.items() if field.store and field.column_type]
            Model.browse(res_ids).modified(stored)
        env.flush_all()
