from odoo import api, fields, models
from odoo.tools import SQL

AUTH_OPERATIONS = ("login", "login_failed")
BULK_CHECK = 1000  # ids of a bulk event checked to decide whether the user sees one of its records
PINNED_IDS = 1000  # rows read by id: decided from their records up to this many rows
READABLE_MEMO_KEY = "crm_audit_log.readable"
RECORDS_OF_KEY = "crm_audit_log.records_of"


class CrmAuditVisibility(models.AbstractModel):
    """Who sees which events and lines: the events of the records one can see (the audited model's
    own record rules), one's own logins; auditors everything of their companies.

    Three paths, all on the audited models' record rules:
    * a record's history (the domain names the records): their readability is checked in Python,
      as `read()` does, and the SQL filter only names the readable ids;
    * other searches: a correlated EXISTS per audited model, checked by primary key per row;
    * direct reads (`_check_access`): the records behind the events are checked in Python.
    """

    _name = "crm.audit.visibility"
    _description = "Audit Log Visibility"

    @api.model
    def _crm_audit_sees_all(self):
        return self.env.su or self.env.user.has_group("crm_audit_log.group_audit_auditor")

    @api.model
    def _crm_audit_visible_models(self):
        """Audited models whose records the user may read at all."""
        names = self.env["crm.audit.rule"]._crm_audit_rules_map().keys()
        return sorted(name for name in names if name in self.env and self.env[name].has_access("read"))

    @api.model
    def _crm_audit_readable(self, model_name, ids):
        """The ids among `ids` the user may read.

        A history asks this several times per request for the same records (the counter, the
        lines, their fetches): the answers are kept until anything changes (see
        `_crm_audit_readable_memo`)."""
        ids = {rec_id for rec_id in ids if rec_id}
        if not ids or model_name not in self.env or not self.env[model_name].has_access("read"):
            return set()
        known = self._crm_audit_readable_memo(model_name)
        todo = ids - known.keys()
        if todo:
            # sudo: existence only; the access check itself runs as the user
            existing = self.env[model_name].sudo().browse(sorted(todo)).exists()
            readable = set(existing.with_env(self.env)._filtered_access("read").ids)
            known.update({rec_id: rec_id in readable for rec_id in todo})
        return {rec_id for rec_id in ids if known[rec_id]}

    @api.model
    def _crm_audit_readable_memo(self, model_name):
        """{record id: readable} for the current user (companies included) in this transaction
        since its last change: kept in `cr.precommit.data`, which a flush, a savepoint (entered or
        rolled back), a commit and a rollback clear; any change of any record through the ORM
        clears it too (`modified`, see base.py), and so does the next second (shares expire)."""
        data = self.env.cr.precommit.data
        memo = data.get(READABLE_MEMO_KEY)
        now = fields.Datetime.now()
        if memo is None or memo["at"] != now:
            memo = data[READABLE_MEMO_KEY] = {"at": now}
        key = (model_name, self.env.uid, self.env.su, tuple(self.env["ir.rule"]._compute_domain_context_values()))
        return memo.setdefault(key, {})

    # ------------------------------------------------------------------ domains
    @api.model
    def _crm_audit_leaves(self, domain):
        """The leaves of a conjunctive domain, or None if it has OR / NOT."""
        if any(isinstance(term, str) and term in ("|", "!") for term in domain or ()):
            return None
        return [tuple(term) for term in domain or () if isinstance(term, list | tuple) and len(term) == 3]

    @api.model
    def _crm_audit_pinned(self, domain, lines=False):
        """{model: ids} when the domain names the records (events: record_ref; lines: model and res_id)."""
        leaves = self._crm_audit_leaves(domain)
        if leaves is None:
            return None
        pinned, models, res_ids, own_ids = None, None, None, None
        for name, operator, value in leaves:
            values = value if operator == "in" and isinstance(value, list | tuple) else [value]
            if operator not in ("=", "in"):
                continue
            if name == "id" and all(isinstance(v, int) for v in values) and len(values) <= PINNED_IDS:
                own_ids = set(values) if own_ids is None else own_ids & set(values)
            elif name == "record_ref" and not lines:
                refs = {}
                for ref in values:
                    model, rec_id = ref.split(",") if isinstance(ref, str) else ref
                    refs.setdefault(model, set()).add(int(rec_id))
                pinned = refs if pinned is None else {m: ids & refs.get(m, set()) for m, ids in pinned.items()}
            elif name == "model" and all(isinstance(v, str) for v in values):
                models = set(values) if models is None else models & set(values)
            elif name == "res_id" and lines and all(isinstance(v, int) for v in values):
                res_ids = set(values) if res_ids is None else res_ids & set(values)
        if lines and models and res_ids is not None:
            return {model: res_ids for model in models}
        if own_ids is not None:
            # rows read by id (a form, a one2many, a check): pinned to the records behind them
            by_ids = self._crm_audit_records_of(own_ids, lines)
            pinned = by_ids if pinned is None or lines else {m: ids & by_ids.get(m, set()) for m, ids in pinned.items()}
        return None if lines and own_ids is None else pinned

    @api.model
    def _crm_audit_records_of(self, ids, lines):
        """{model: record ids} behind these events (their first records) or lines.

        Events and lines never change and their ids are never reused: what was read once is kept
        for the transaction (a history reads its lines' records several times)."""
        known = self.env.cr.cache.setdefault(RECORDS_OF_KEY, {})
        kind = "line" if lines else "event"
        rest = sorted(rec_id for rec_id in ids if (kind, rec_id) not in known)
        if rest:
            if lines:
                query = SQL("SELECT id, model, ARRAY[res_id] FROM crm_audit_log_line WHERE id = ANY(%s)", rest)
            else:
                query = SQL("SELECT id, model, array_append(res_ids[1:%s], res_id) FROM crm_audit_log WHERE id = ANY(%s)",
                            BULK_CHECK, rest)
            self.env.cr.execute(query)
            for row_id, model, rec_ids in self.env.cr.fetchall():
                known[kind, row_id] = (model, tuple(rec_id for rec_id in rec_ids if rec_id))
        records = {}
        for rec_id in ids:
            if (kind, rec_id) in known:
                model, rec_ids = known[kind, rec_id]
                records.setdefault(model, set()).update(rec_ids)
        return records

    @api.model
    def _crm_audit_domain_models(self, domain):
        leaves = self._crm_audit_leaves(domain)
        if leaves is None:
            return None
        found = None
        for name, operator, value in leaves:
            if name == "model" and operator in ("=", "in"):
                values = set(value) if operator == "in" else {value}
                found = values if found is None else found & values
        return found

    # ------------------------------------------------------------------ SQL filters
    @api.model
    def _crm_audit_exists_sql(self, model_name, alias, columns):
        """EXISTS conditions, one per (column, is_array) of `alias`: the record(s) pass the user's
        record rules on `model_name`; None when the user sees none of its records."""
        query = self.env[model_name].with_context(active_test=False)._search([])
        if query.is_empty():
            return None
        record_id = SQL.identifier(query.table, "id")
        where = query.where_clause if query._where_clauses else SQL("TRUE")
        conditions = []
        for column, array in columns:
            target = SQL.identifier(alias, column)
            match = SQL("%s = ANY(%s)", record_id, target) if array else SQL("%s = %s", record_id, target)
            # LIMIT 1 keeps the check per row: without it PostgreSQL may turn it into a hash of
            # every visible record (and its JIT may then spend more time than the query)
            conditions.append(SQL("EXISTS(SELECT 1 FROM %s WHERE %s AND %s LIMIT 1)", query.from_clause, where, match))
        return conditions

    @api.model
    def _crm_audit_event_filter(self, alias, domain):
        table = SQL.identifier(alias)
        terms = [SQL("(%s.user_id = %s AND %s.operation IN %s)", table, self.env.uid, table, AUTH_OPERATIONS)]
        pinned = self._crm_audit_pinned(domain)
        if pinned is not None:
            for model, ids in pinned.items():
                readable = sorted(self._crm_audit_readable(model, ids))
                if readable:
                    terms.append(SQL(
                        "(%(t)s.model = %(model)s AND %(t)s.operation NOT IN %(auth)s"
                        " AND (%(t)s.res_id = ANY(%(ids)s) OR %(t)s.res_ids && %(ids)s::int[]))",
                        t=table, model=model, auth=AUTH_OPERATIONS, ids=readable))
            return SQL("(%s)", SQL(" OR ").join(terms))
        models = self._crm_audit_domain_models(domain)
        for name in self._crm_audit_visible_models():
            if models is not None and name not in models:
                continue
            conditions = self._crm_audit_exists_sql(name, alias, [("res_id", False), ("res_ids", True)])
            if conditions:
                terms.append(SQL(
                    "(%(t)s.model = %(model)s AND %(t)s.operation NOT IN %(auth)s AND (%(single)s OR %(bulk)s))",
                    t=table, model=name, auth=AUTH_OPERATIONS, single=conditions[0], bulk=conditions[1]))
        return SQL("(%s)", SQL(" OR ").join(terms))

    @api.model
    def _crm_audit_line_filter(self, alias, domain):
        table = SQL.identifier(alias)
        pinned = self._crm_audit_pinned(domain, lines=True)
        terms = []
        if pinned is not None:
            for model, ids in pinned.items():
                readable = sorted(self._crm_audit_readable(model, ids))
                if readable:
                    terms.append(SQL("(%s.model = %s AND %s.res_id = ANY(%s))", table, model, table, readable))
        else:
            models = self._crm_audit_domain_models(domain)
            for name in self._crm_audit_visible_models():
                if models is None or name in models:
                    visible = self._crm_audit_exists_sql(name, alias, [("res_id", False)])
                    if visible:
                        terms.append(SQL("(%s.model = %s AND %s)", table, name, visible[0]))
        return SQL("(%s)", SQL(" OR ").join(terms)) if terms else SQL("FALSE")

    # ------------------------------------------------------------------ direct reads
    @api.model
    def _crm_audit_forbidden_events(self, ids):
        self.env.cr.execute(SQL(
            "SELECT id, model, res_id, res_ids, user_id, operation FROM crm_audit_log WHERE id = ANY(%s)", list(ids)))
        rows = self.env.cr.fetchall()
        wanted = {}
        for _id, model, res_id, res_ids, _user, _op in rows:
            wanted.setdefault(model, set()).update(filter(None, [res_id, *(res_ids or [])[:BULK_CHECK]]))
        readable = {model: self._crm_audit_readable(model, rec_ids) for model, rec_ids in wanted.items()}
        forbidden = set()
        for event_id, model, res_id, res_ids, user_id, operation in rows:
            if operation in AUTH_OPERATIONS:
                visible = user_id == self.env.uid
            else:
                seen = readable.get(model, set())
                visible = res_id in seen or any(rec_id in seen for rec_id in (res_ids or [])[:BULK_CHECK])
            if not visible:
                forbidden.add(event_id)
        return forbidden

    @api.model
    def _crm_audit_forbidden_lines(self, ids, check_records=True):
        self.env.cr.execute(SQL(
            """SELECT l.id, l.model, l.res_id, e.company_id FROM crm_audit_log_line l
               LEFT JOIN crm_audit_log e ON e.id = l.log_id WHERE l.id = ANY(%s)""", list(ids)))
        rows = self.env.cr.fetchall()
        companies = set(self.env.companies.ids)
        readable = {}
        if check_records:
            wanted = {}
            for _id, model, res_id, _company in rows:
                wanted.setdefault(model, set()).add(res_id)
            readable = {model: self._crm_audit_readable(model, rec_ids) for model, rec_ids in wanted.items()}
        return {
            line_id for line_id, model, res_id, company_id in rows
            if (company_id and company_id not in companies)
            or (check_records and res_id not in readable.get(model, set()))
        }
