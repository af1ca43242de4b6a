import uuid
from collections import defaultdict
from contextlib import contextmanager

from odoo import api, fields, models, tools
from odoo.tools import SQL

# rows that Odoo deletes in Python with a record, found by (model, res_id) pairs: (model, model column)
DOCUMENT_LINKS = (
    ("mail.message", "model"),
    ("mail.followers", "res_model"),
    ("mail.activity", "res_model"),
    ("ir.attachment", "res_model"),
    ("ir.model.data", "model"),
)
# never snapshot nor restored: queues (a restored outgoing mail would be sent again) and the log itself
NOT_RESTORED = frozenset((
    "mail.mail", "bus.bus", "crm.audit.log", "crm.audit.log.line", "crm.audit.snapshot", "crm.audit.anomaly",
))
LOG_ACCESS = frozenset(("create_uid", "write_uid"))
MAX_DEPTH = 4
EARLY = "crm_audit_log.snapshot_early"
KINDS = [
    ("record", "Deleted record"),
    ("child", "Deleted with it"),
    ("document", "Chatter, attachment or follower"),
    ("relation", "Many2many links"),
    ("backref", "Reference from another record"),
    ("restored", "Restored"),
]


class CrmAuditSnapshot(models.Model):
    """Complete copies of deleted records, taken in the deleting transaction, for restore.

    One row per copied database row (`kind` record, child, document), per many2many link set
    (relation) and per reference from a surviving record that the database clears (backref).
    The copy itself is in the jsonb column `data`, which no ORM field exposes: only the system
    reads it (restore), so protected values never reach the interface. Rows are append-only
    (database triggers, as for the log); a restore appends a `restored` row per record.

    A snapshot is tied to its delete event by `ref`, which the event keeps in its details
    (`details->>'snapshot'`, covered by the event's digest).
    """

    _name = "crm.audit.snapshot"
    _inherit = ["crm.audit.append.only.mixin"]
    _description = "Deleted Record Snapshot"
    _order = "id"
    _log_access = False

    ref = fields.Char(string="Snapshot", readonly=True)  # indexed with root_id, see init()
    model = fields.Char(readonly=True)
    res_id = fields.Integer(string="Record ID", readonly=True)
    root_id = fields.Integer(string="Deleted Record ID", readonly=True,
                             help="The deleted record of the event this row belongs to.")
    depth = fields.Integer(readonly=True)
    kind = fields.Selection(KINDS, readonly=True)
    name = fields.Char(readonly=True)
    create_date = fields.Datetime(string="Date", readonly=True)
    model_description = fields.Char(string="Document Type", compute="_compute_model_description")
    is_restored = fields.Boolean(string="Restored", compute="_compute_is_restored")

    def init(self):
        cr = self.env.cr
        cr.execute(SQL("""
            ALTER TABLE crm_audit_snapshot ADD COLUMN IF NOT EXISTS data jsonb;
            CREATE INDEX IF NOT EXISTS crm_audit_snapshot_root_idx ON crm_audit_snapshot (ref, root_id);
            -- a first version also indexed ref alone: the index above serves those lookups too
            DROP INDEX IF EXISTS crm_audit_snapshot__ref_index;
            CREATE INDEX IF NOT EXISTS crm_audit_snapshot_file_idx ON crm_audit_snapshot ((data->>'store_fname'))
                WHERE model = 'ir.attachment';
            DROP INDEX IF EXISTS crm_audit_log_snapshot_idx;
            -- the per-user counts of the anomaly check (deletes and exports only: a small partial index)
            CREATE INDEX IF NOT EXISTS crm_audit_log_anomaly_idx ON crm_audit_log (user_id, operation, create_date)
                WHERE operation IN ('unlink', 'export');
            -- no foreign key may point to the log's tables (a first version of this addon had some)
            ALTER TABLE IF EXISTS crm_audit_anomaly DROP CONSTRAINT IF EXISTS crm_audit_anomaly_log_id_fkey;
            ALTER TABLE IF EXISTS crm_audit_restore_log_rel DROP CONSTRAINT IF EXISTS crm_audit_restore_log_rel_log_id_fkey;
            ALTER TABLE IF EXISTS crm_audit_restore_line DROP CONSTRAINT IF EXISTS crm_audit_restore_line_event_id_fkey;
            ALTER TABLE IF EXISTS crm_audit_revert DROP CONSTRAINT IF EXISTS crm_audit_revert_event_id_fkey;
            ALTER TABLE IF EXISTS crm_audit_revert_line DROP CONSTRAINT IF EXISTS crm_audit_revert_line_log_line_id_fkey;
        """))
        self.env["crm.audit.storage"]._crm_audit_guard("crm_audit_snapshot")

    # ------------------------------------------------------------------ display
    @api.depends("model")
    def _compute_model_description(self):
        IrModel = self.env["ir.model"]
        for snap in self:
            snap.model_description = IrModel._get(snap.model).name or snap.model if snap.model else False

    def _compute_is_restored(self):
        done = self._crm_audit_restored_pairs([(snap.ref, snap.root_id) for snap in self])
        for snap in self:
            snap.is_restored = (snap.ref, snap.root_id) in done

    @api.depends("name", "model", "res_id")
    def _compute_display_name(self):
        for snap in self:
            snap.display_name = snap.name or f"{snap.model},{snap.res_id}"

    @api.model
    def _crm_audit_restored_pairs(self, pairs):
        """The (ref, root id) pairs among `pairs` that a restore already brought back."""
        pairs = [(ref, root) for ref, root in pairs if ref and root]
        if not pairs:
            return set()
        self.env.cr.execute(SQL(
            """SELECT s.ref, s.root_id FROM crm_audit_snapshot s
                 JOIN unnest(%s::varchar[], %s::int[]) AS p(ref, root) ON s.ref = p.ref AND s.root_id = p.root
                WHERE s.kind = 'restored'""", [p[0] for p in pairs], [p[1] for p in pairs]))
        return set(self.env.cr.fetchall())

    # ------------------------------------------------------------------ what goes with a record
    @api.model
    @tools.ormcache("model_name")
    def _crm_audit_dependents(self, model_name):
        """(cascades, backrefs, relations) of a model, from the registry:

        * cascades: (model, field) many2one to it that the database deletes with it;
        * backrefs: (model, field) plain stored many2one to it that the database sets to NULL;
        * relations: (table, own column, other column, other table) of many2many links to it.
        """
        registry = self.env.registry
        cascades, backrefs, relations = [], [], set()
        tables = {model._table for model in registry.values() if model._auto and not model._abstract}
        for name, model in registry.items():
            if model._abstract or model._transient or not model._auto or name in NOT_RESTORED:
                continue
            for field in model._fields.values():
                if not field.store:
                    continue
                if field.type == "many2one" and field.comodel_name == model_name and field.column_type \
                        and not field.company_dependent:
                    if field.ondelete == "cascade":
                        cascades.append((name, field.name))
                    elif field.ondelete == "set null" and not field.compute and field.name not in LOG_ACCESS:
                        backrefs.append((name, field.name))
                elif field.type == "many2many" and field.relation and field.relation not in tables:
                    comodel = registry.get(field.comodel_name)
                    if comodel is None or comodel._abstract:
                        continue
                    if name == model_name:
                        relations.add((field.relation, field.column1, field.column2, comodel._table))
                    if field.comodel_name == model_name:
                        relations.add((field.relation, field.column2, field.column1, model._table))
        return tuple(cascades), tuple(backrefs), tuple(sorted(relations))

    # ------------------------------------------------------------------ taking snapshots
    @contextmanager
    def _crm_audit_snapshot_early(self, records):
        """Snapshot `records` now, for the unlink that runs inside this block (mail.thread deletes
        the chatter before the records: `base.unlink` would be too late for it)."""
        taken = (None, None)
        if records._ids and self.env["crm.audit.capture"]._crm_audit_spec(records, "unlink") is not None:
            taken = self._crm_audit_snapshot_take(records)
        stack = self.env.cr.precommit.data.setdefault(EARLY, [])
        stack.append((records._name, frozenset(records._ids), taken))
        try:
            yield
        finally:
            stack.pop()

    @api.model
    def _crm_audit_snapshot_for(self, records):
        """The snapshot of `records` (taken earlier in this unlink, or now): see _crm_audit_snapshot_take."""
        stack = self.env.cr.precommit.data.get(EARLY) or ()
        for model, ids, taken in reversed(stack):
            if taken[0] and model == records._name and ids == frozenset(records._ids):
                return taken
        return self._crm_audit_snapshot_take(records)

    @api.model
    def _crm_audit_snapshot_take(self, records):
        """Copy `records` and everything deleted or cleared with them; return (ref, copy), or
        (None, None) when none of them exists.

        Rows never pass through Python on their way: one INSERT ... SELECT for the records, one
        per level of what goes with them (rows the database deletes in cascade, recursively; at
        the first level their chatter, followers, activities, attachments and external ids), one
        for the many2many links and the references that other records hold to them. The copy of
        the records themselves comes back (`copy`: {"rows": {id: row as JSON}, "links": {(table,
        column): {id: [linked ids]}}}) for the delete event's field lines.
        """
        ids = [rec_id for rec_id in records._ids if isinstance(rec_id, int)]
        if not ids:
            return None, None
        self.env.flush_all()
        ref = uuid.uuid4().hex
        now = fields.Datetime.now()
        Model = records.browse()
        self.env.cr.execute(SQL(
            """INSERT INTO crm_audit_snapshot (ref, model, res_id, root_id, depth, kind, name, create_date, data)
               SELECT %s, %s, t.id, t.id, 0, 'record', %s, %s, to_jsonb(t) FROM %s t WHERE t.id = ANY(%s::int[])
            RETURNING res_id, data""",
            ref, Model._name, self._crm_audit_name_sql(Model), now, SQL.identifier(Model._table), ids))
        rows = dict(self.env.cr.fetchall())
        if not rows:
            return None, None
        roots_of = defaultdict(dict)  # model: {id: root id}
        roots_of[Model._name] = {rec_id: rec_id for rec_id in rows}
        frontier = {Model._name: roots_of[Model._name]}
        for depth in range(1, MAX_DEPTH + 1):
            frontier = self._crm_audit_snapshot_level(ref, now, depth, frontier, roots_of)
            if not frontier:
                break
        links = self._crm_audit_snapshot_links(ref, now, roots_of, Model._name)
        return ref, {"rows": rows, "links": links}

    @api.model
    def _crm_audit_snapshot_level(self, ref, now, depth, frontier, roots_of):
        """Copy the rows that go with the rows of `frontier` ({model: {id: root}}), in one statement;
        return the new ones the same way."""
        ctes, selects = [], []
        for index, (parent_model, parents) in enumerate(frontier.items()):
            cascades, _backrefs, _relations = self._crm_audit_dependents(parent_model)
            links = [(model, fname, None, "child") for model, fname in cascades]
            if depth == 1:
                links += [(model, "res_id", model_column, "document") for model, model_column in DOCUMENT_LINKS
                          if model in self.env and model != parent_model]
            if not links:
                continue
            ids_cte = SQL.identifier(f"ids_{index}")
            ctes.append(SQL("%s AS MATERIALIZED (SELECT %s::int[] AS ids)", ids_cte, list(parents)))
            identity = all(pid == root for pid, root in parents.items())
            if not identity:
                ctes.append(SQL("%s AS MATERIALIZED (SELECT * FROM unnest(%s::int[], %s::int[]) AS m(pid, root))",
                                SQL.identifier(f"map_{index}"), list(parents), list(parents.values())))
            for model, column, model_column, kind in links:
                target = SQL("t.%s", SQL.identifier(column))
                items, condition, root = SQL("%s i", ids_cte), SQL("%s = ANY(i.ids)", target), target
                if not identity:
                    items = SQL("%s, %s m", items, SQL.identifier(f"map_{index}"))
                    condition, root = SQL("%s AND m.pid = %s", condition, target), SQL("m.root")
                if model_column:
                    condition = SQL("%s AND t.%s = %s", condition, SQL.identifier(model_column), parent_model)
                if roots_of.get(model):
                    condition = SQL("%s AND NOT (t.id = ANY(%s::int[]))", condition, sorted(roots_of[model]))
                selects.append(SQL(
                    "SELECT %s AS model, t.id AS res_id, %s AS root_id, %s AS kind, to_jsonb(t) AS data"
                    " FROM %s t, %s WHERE %s",
                    model, root, kind, SQL.identifier(self.env[model]._table), items, condition))
        if not selects:
            return {}
        # DISTINCT: a row may go with two parents (a partner following their own record)
        self.env.cr.execute(SQL(
            """WITH %(ctes)s
               INSERT INTO crm_audit_snapshot (ref, model, res_id, root_id, depth, kind, name, create_date, data)
               SELECT DISTINCT ON (u.model, u.res_id) %(ref)s, u.model, u.res_id, u.root_id, %(depth)s, u.kind, NULL,
                      %(now)s, u.data
                 FROM (%(selects)s) u
            RETURNING model, res_id, root_id""",
            ctes=SQL(", ").join(ctes), ref=ref, depth=depth, now=now, selects=SQL(" UNION ALL ").join(selects)))
        found = defaultdict(dict)
        for model, res_id, root_id in self.env.cr.fetchall():
            found[model][res_id] = root_id
            roots_of[model][res_id] = root_id
        return found

    @api.model
    def _crm_audit_name_sql(self, Model):
        field = Model._fields.get(Model._rec_name or "")
        if field is None or not field.store or not field.column_type:
            return SQL("NULL")
        if field.translate:
            return SQL("COALESCE(t.%s->>%s, t.%s->>'en_US')", SQL.identifier(field.name),
                       self.env.lang or "en_US", SQL.identifier(field.name))
        return SQL("t.%s::varchar", SQL.identifier(field.name))

    @api.model
    def _crm_audit_snapshot_links(self, ref, now, roots_of, root_model):
        """Many2many links of every copied row, and references to them from surviving records: one
        statement; each model's ids are sent once (CTE), roots joined only to the rows found.
        Return the links of the rows of `root_model` ({(table, column): {id: [linked ids]}}, every
        many2many table of the model a key, even without links)."""
        roots_of = {model_name: roots for model_name, roots in roots_of.items() if roots}
        names = {model_name: index for index, model_name in enumerate(roots_of)}
        ctes, selects = [], []
        for model_name, roots in roots_of.items():
            ctes.append(SQL("%s AS MATERIALIZED (SELECT %s::int[] AS ids)",
                            SQL.identifier(f"ids_{names[model_name]}"), list(roots)))
        for model_name, roots in roots_of.items():
            _cascades, backrefs, relations = self._crm_audit_dependents(model_name)
            if not relations and not backrefs:
                continue
            index = names[model_name]
            ids_cte = SQL.identifier(f"ids_{index}")
            identity = all(pid == root for pid, root in roots.items())
            if not identity:
                map_cte = SQL.identifier(f"map_{index}")
                ctes.append(SQL("%s AS MATERIALIZED (SELECT * FROM unnest(%s::int[], %s::int[]) AS m(pid, root))",
                                map_cte, list(roots), list(roots.values())))

            def source(alias, column, identity=identity, ids_cte=ids_cte, index=index):
                """(FROM items, WHERE condition, root expression) of rows whose `column` is a copied id."""
                target = SQL("%s.%s", SQL.identifier(alias), SQL.identifier(column))
                if identity:
                    return SQL("%s i", ids_cte), SQL("%s = ANY(i.ids)", target), target
                return (SQL("%s i, %s m", ids_cte, SQL.identifier(f"map_{index}")),
                        SQL("%s = ANY(i.ids) AND m.pid = %s", target, target), SQL("m.root"))

            for table, column, other, other_table in relations:
                items, condition, root = source("r", column)
                selects.append(SQL(
                    """SELECT %(ref)s, %(model)s, r.%(col)s, min(%(root)s), 0, 'relation', NULL::varchar, %(now)s,
                              jsonb_build_object('table', %(table_name)s, 'col', %(col_name)s, 'other', %(other_name)s,
                                                 'other_table', %(other_table)s, 'ids', jsonb_agg(r.%(other)s))
                         FROM %(table)s r, %(items)s WHERE %(condition)s
                        GROUP BY r.%(col)s""",
                    ref=ref, model=model_name, col=SQL.identifier(column), root=root, now=now, table_name=table,
                    col_name=column, other_name=other, other_table=other_table, other=SQL.identifier(other),
                    table=SQL.identifier(table), items=items, condition=condition))
            for ref_model, fname in backrefs:
                items, condition, root = source("t", fname)
                if ref_model in names:  # rows copied themselves come back with their own values
                    items = SQL("%s, %s c", items, SQL.identifier(f"ids_{names[ref_model]}"))
                    condition = SQL("%s AND NOT (t.id = ANY(c.ids))", condition)
                selects.append(SQL(
                    """SELECT %(ref)s, %(ref_model)s, t.id, %(root)s, 0, 'backref', NULL::varchar, %(now)s,
                              jsonb_build_object('field', %(fname)s, 'target', t.%(field)s, 'model', %(model)s)
                         FROM %(table)s t, %(items)s WHERE %(condition)s""",
                    ref=ref, ref_model=ref_model, root=root, now=now, fname=fname, field=SQL.identifier(fname),
                    model=model_name, table=SQL.identifier(self.env[ref_model]._table), items=items,
                    condition=condition))
        links = {(table, column): {} for table, column, _other, _other_table in
                 self._crm_audit_dependents(root_model)[2]}
        if selects:
            self.env.cr.execute(SQL(
                """WITH %s INSERT INTO crm_audit_snapshot (ref, model, res_id, root_id, depth, kind, name, create_date,
                                                       data) %s
                RETURNING CASE WHEN kind = 'relation' AND model = %s THEN res_id END,
                          CASE WHEN kind = 'relation' AND model = %s THEN data END""",
                SQL(", ").join(ctes), SQL(" UNION ALL ").join(selects), root_model, root_model))
            for res_id, data in self.env.cr.fetchall():
                if res_id is not None:
                    links[data["table"], data["col"]][res_id] = data["ids"]
        return links

    @api.model
    def _crm_audit_snapshot_files(self, fnames):
        """The attachment files among `fnames` that snapshots keep (for the filestore garbage collector)."""
        kept = set()
        for chunk in self.env.cr.split_for_in_conditions(fnames):
            self.env.cr.execute(SQL(
                """SELECT DISTINCT data->>'store_fname' FROM crm_audit_snapshot
                    WHERE model = 'ir.attachment' AND kind <> 'restored' AND data->>'store_fname' IN %s""", chunk))
            kept.update(row[0] for row in self.env.cr.fetchall())
        return kept
