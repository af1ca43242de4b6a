import functools
import re

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.modules import module as odoo_module
from odoo.osv import expression
from odoo.tools import SQL, format_datetime
from odoo.tools.query import Query

GRANTS = [("read", "Read"), ("write", "Edit")]
ACCESS_MEMO_KEY = "crm_security.access_memo"
# the paths of a rule domain's leaves, in its text: ('partner_id.user_id', '=', ...)
RULE_LEAF = re.compile(r"""\(\s*['"]([A-Za-z_][\w.]*)['"]\s*,\s*['"]""")
# every leaf, by its operator, and the constant ones ((1, '=', 1)): a leaf counted here but in
# neither of the others has a computed path, whose fields cannot be told from the text
RULE_OPERATOR = re.compile(
    r""",\s*['"](?:=|!=|<>|<|>|<=|>=|=\?|in|not in|like|not like|ilike|not ilike|=like|=ilike|"""
    r"""child_of|parent_of|any|not any)['"]\s*,""")
RULE_CONSTANT_LEAF = re.compile(r"""\(\s*\d+\s*,\s*['"]""")
GRANT_FACTS_KEY = "crm_security.grant_facts"
SHARE_COLUMNS = ("partner_id", "lead_id")  # the columns of crm.security.share, as the grant facts hold them
# what the grant facts are read from besides the managers view (with its own `_depends`): pending
# changes are flushed before they are read, and a change of these models forgets them (base.py)
GRANT_DEPENDENCIES = {
    "crm.security.share": ["active", "expires_at", "level", "include_sensitive", "user_id", "team_id",
                           "department_id", "partner_id", "lead_id"],
    "crm.team": ["user_id"],
    "crm.team.member": ["user_id", "crm_team_id", "active"],
    "hr.employee": ["user_id", "department_id", "active"],
    "res.users": ["partner_id", "active"],
}


def company_ancestors(model, domain):
    """`domain` (of `model`) with its conditions "company is a parent of these companies" as the
    ids of their ancestors, in the domains of its `any` conditions too (Odoo's multi-company rule
    of contacts, which users inherit): otherwise a subquery the database asks for every row it
    checks, the rows a matrix list counts included. The same answer: Odoo refuses to change a
    company's parent, and creating a company clears the rules' cache, with which this SQL is
    kept."""
    resolved = []
    for leaf in domain:
        field = model._fields.get(leaf[0]) if isinstance(leaf, list | tuple) and len(leaf) == 3 and isinstance(
            leaf[0], str) else None
        if field is not None and leaf[1] == "parent_of" and field.type == "many2one" \
                and field.comodel_name == "res.company":
            ids = leaf[2] if isinstance(leaf[2], list | tuple) else [leaf[2]]
            if all(isinstance(company_id, int) for company_id in ids):
                # sudo: the company tree itself, as Odoo reads it to decide the rule
                leaf = (leaf[0], "in", model.env["res.company"].sudo().browse(ids).parent_ids.ids)
        elif field is not None and field.relational and leaf[1] in ("any", "not any") and isinstance(leaf[2], list):
            leaf = (leaf[0], leaf[1], company_ancestors(model.env[field.comodel_name], leaf[2]))
        resolved.append(leaf)
    return resolved


def query_joins(query):
    """The joins of `query` as `Query.add_join` takes them (kind, alias, table, condition), or None
    when they cannot be read (a Query of another shape)."""
    joins = getattr(query, "_joins", None)
    if not isinstance(joins, dict):
        return None
    kinds = {"JOIN": SQL("JOIN"), "LEFT JOIN": SQL("LEFT JOIN")}
    result = []
    for alias, (sql_kind, table, condition) in joins.items():
        kind = next((name for name, sql in kinds.items() if sql == sql_kind), None)
        if kind is None:
            return None
        result.append((kind, alias, table, condition))
    return result


class SharedGrantFacts:
    """The grant facts of the users of one database, kept by a worker between transactions: a
    request that touches customer data needs no query to know who its user manages and what is
    shared with them (one query and the rules' SQL built again, about 1.5 ms of every request).

    An entry is used only while all of these hold:
    - no change of what the facts are read from is pending in the transaction that asks
      (`note_change`, called by `modified`: that transaction reads its own facts, and keeps none);
    - the model caches of the database were not invalidated since the entry was kept: a change
      clears them (`registry.clear_cache`), which every other worker learns at its next request
      through Odoo's cache signaling, as it does for the record rules' own cache;
    - in this worker, no transaction that changed them committed after the snapshot the entry was
      read in: kept with the oldest transaction id that snapshot did not see as finished, it is
      refused once a change committed by a transaction at or after it (a thread of a threaded
      server may have read the facts before such a change committed, and kept them after).

    Tests run in one transaction that never commits, shared with their requests: the store is off
    while tests run (`enabled_in_tests` turns it on for the tests of the store itself)."""

    ATTRIBUTE = "_crm_security_grant_facts_store"
    CHANGED = "_crm_security_grants_changed"  # set on a cursor: its transaction changed them
    enabled_in_tests = False

    def __init__(self, registry):
        self.registry = registry
        self.entries = {}  # uid: (cache sequence, snapshot xmin, facts)
        self.changed_xid = 0  # the newest transaction of this worker that committed a change

    @classmethod
    def of(cls, env):
        """The store of `env`'s database, or None when it may not be used (see above)."""
        if getattr(env.cr, cls.CHANGED, None) or (odoo_module.current_test and not cls.enabled_in_tests):
            return None
        return cls._of_registry(env.registry)

    @classmethod
    def _of_registry(cls, registry):
        # setdefault: one store per registry even when two threads create it at once (a commit must
        # never record its change in a store that another thread then replaces)
        store = registry.__dict__.get(cls.ATTRIBUTE)
        return store if store is not None else registry.__dict__.setdefault(cls.ATTRIBUTE, cls(registry))

    def get(self, uid):
        entry = self.entries.get(uid)
        if entry is None:
            return None
        sequence, snapshot_xmin, facts = entry
        if sequence != self.registry.cache_sequences.get("default") or snapshot_xmin <= self.changed_xid:
            self.entries.pop(uid, None)
            return None
        return facts

    def put(self, uid, facts, snapshot_xmin):
        if snapshot_xmin > self.changed_xid:
            self.entries[uid] = (self.registry.cache_sequences.get("default"), snapshot_xmin, facts)

    @classmethod
    def note_change(cls, env):
        """The transaction of `env` changes what the grant facts are read from: it stops using the
        store, every worker forgets its facts once it commits, this one at once."""
        cr = env.cr
        if getattr(cr, cls.CHANGED, None):
            return
        cr.execute("SELECT pg_current_xact_id()::text::bigint")
        xid = cr.fetchone()[0]
        setattr(cr, cls.CHANGED, xid)
        registry = env.registry
        registry.clear_cache()  # signaled to the other workers when the transaction commits
        cls._of_registry(registry).entries.clear()

        cr.postcommit.add(functools.partial(cls.committed, registry, cr, xid))
        cr.postrollback.add(functools.partial(setattr, cr, cls.CHANGED, None))

    @classmethod
    def committed(cls, registry, cr, xid):
        """The transaction `xid` of `cr`, which changed what the grant facts are read from, committed."""
        setattr(cr, cls.CHANGED, None)
        store = cls._of_registry(registry)
        store.changed_xid = max(store.changed_xid, xid)
        store.entries.clear()


class CrmSecurityOwnedMixin(models.AbstractModel):
    """Customer data with an owner: hand-over rules, sharing, and what the form needs.

    Visibility itself is enforced by record rules (see crm_security_rules.py); this mixin
    guards the owner field, which those rules depend on.
    """

    _name = "crm.security.owned.mixin"
    _description = "Customer Data with an Owner"

    # Who the record is granted to, as the record rules ask it: one SQL condition per query
    # (owners, managers, current shares), decided in the database with the rest of the rule.
    crm_security_grant = fields.Selection(
        GRANTS, string="Your Access", compute="_compute_crm_security_grant", search="_search_crm_security_grant",
        help="Technical: what the current user may do with this record as its owner, one of the owner's "
        "managers or a share recipient (company-wide records and the visibility matrix come on top).",
    )
    crm_security_can_share = fields.Boolean(compute="_compute_crm_security_can_share")
    crm_security_share_count = fields.Integer(
        string="Active Shares", compute="_compute_crm_security_share_count"
    )

    # the owner column, and how shares point to the record (share column, record column)
    _crm_security_owner_path = "user_id"
    _crm_security_share_link = ("lead_id", "id")

    def _crm_security_owner(self):
        """The user who owns this record (empty when company-wide)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ grants (record rules)
    @api.model
    def _crm_security_grant_facts(self):
        """Who the current user manages, which records are shared with them (with level, scope and
        expiry) and which partners belong to users: what the record rules ask, read in one query.

        The rules then carry these ids as constants: the database plans no subquery (the managers
        view alone took 0.6-0.9 ms to plan in every rule query), looks the ids up by hash and by
        index, and estimates the rows right. Kept for the transaction in `cr.precommit.data` (a
        commit, a rollback, a savepoint and a flush forget it; so does any change of the models
        they are read from, see base.py) and, between transactions, in the worker (see
        `SharedGrantFacts`: facts read from committed data, until a change of what they are read
        from is committed in any worker); shares are filtered by their expiry each time they are
        used, so a share still stops at its expiry second."""
        memo = self.env.cr.precommit.data.setdefault(GRANT_FACTS_KEY, {})
        uid = self.env.uid
        if uid in memo:
            return memo[uid]
        shared = SharedGrantFacts.of(self.env)
        facts = shared.get(uid) if shared else None
        if facts is None:
            for model, fnames in self._crm_security_grant_dependencies().items():
                self.env[model].flush_model(fnames)
            self.env.cr.execute(SQL(
                """SELECT f.*, pg_snapshot_xmin(pg_current_snapshot())::text::bigint
                     FROM crm_security_grant_facts(%s, %s) f""", uid, fields.Datetime.now()))
            supervised, user_partners, *shares, snapshot_xmin = self.env.cr.fetchone()
            facts = {
                "supervised": supervised,
                "user_partners": user_partners,
                # (partner id, lead id, edit, include sensitive, expires at) per share in force
                "shares": list(zip(*shares, strict=True)) if shares[0] is not None else [],
            }
            if shared:
                shared.put(uid, facts, snapshot_xmin)
        memo[uid] = facts
        return facts

    @api.model
    def _apply_ir_rules(self, query, mode="read"):
        if self.env.su or not self._crm_security_apply_rules_sql(self, query, mode):
            return super()._apply_ir_rules(query, mode)
        return None

    @api.model
    def _crm_security_apply_rules_sql(self, model, query, mode):
        """Add the record rules of `model` to `query` from SQL built once per user, mode and
        context that shapes it: a list asks them for its rows and again for its count, and every
        search of users asks those of contacts (users inherit contacts). Kept with the grant facts
        whose ids the SQL carries (forgotten with them), until the next expiry of a share it
        counts, and while the rules' domain is the one cached by ir.rule; the fields the SQL reads
        are flushed whenever it runs (its SQL names them). The joins it needs are added to `query`
        as Odoo adds them (same aliases). False, with nothing added, when Odoo must build it."""
        domain = self.env["ir.rule"]._compute_domain(model._name, mode)
        if not domain:
            return True
        facts = self._crm_security_grant_facts()
        context = self.env.context
        key = (model._name, mode, tuple(context.get("allowed_company_ids") or ()), context.get("active_test", True),
               context.get("lang"))
        memo = facts.setdefault("rules_sql", {})
        now = fields.Datetime.now()
        entry = memo.get(key)
        if entry is None or entry[0] is not domain or (entry[3] and now >= entry[3]):
            probe = Query(self.env, model._table, model._table_sql)
            expression.expression(company_ancestors(model, domain), model.sudo(), model._table, probe)
            joins = query_joins(probe)
            if joins is None:
                return False
            expiries = [share[4] for share in facts["shares"] if share[4] and share[4] > now]
            entry = memo[key] = (domain, joins, probe.where_clause, min(expiries, default=None))
        for kind, alias, table, condition in entry[1]:
            query.add_join(kind, alias, table, condition)
        if entry[2]:
            query.add_where(entry[2])
        return True

    @api.model
    def _crm_security_grant_dependencies(self):
        """{model: fields} the grant facts are read from."""
        dependencies = {model: list(fnames) for model, fnames in GRANT_DEPENDENCIES.items()}
        for model, fnames in self.env["crm.security.supervision"]._depends.items():
            dependencies.setdefault(model, []).extend(fnames)
        return dependencies

    @api.model
    def _crm_security_grant_domain(self, mode, sensitive=False, managers=True):
        """Records granted to the current user: owned, owned by someone they manage, or shared
        with them (and still in force). `mode` write: only edit shares; `sensitive`: only shares
        that include protected values. Conditions on the record's own indexed columns."""
        facts = self._crm_security_grant_facts()
        owners = [self.env.uid, *facts["supervised"]] if managers else [self.env.uid]
        record_column = self._crm_security_share_link[1]
        shared = sorted(self._crm_security_shared_keys(write=mode == "write", sensitive=sensitive))
        return ["|", (self._crm_security_owner_path, "in", sorted(set(owners))), (record_column, "in", shared)]

    @api.model
    def _crm_security_shared_keys(self, write=False, sensitive=False):
        """Values of the record column shares point to (`_crm_security_share_link`) for the shares
        of the current user in force now: edit shares only if `write`, shares that include
        protected values only if `sensitive`."""
        position = SHARE_COLUMNS.index(self._crm_security_share_link[0])
        now = fields.Datetime.now()
        return {
            share[position] for share in self._crm_security_grant_facts()["shares"]
            if share[position] and (share[4] is None or share[4] > now)
            and (not write or share[2]) and (not sensitive or share[3])
        }

    @api.model
    def _search_crm_security_grant(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(self.env._("Operation not supported"))
        values = set(value) if operator in ("in", "not in") else {value}
        if operator in ("!=", "not in"):
            values = {"read", "write", False} - values
        readable, writable = self._crm_security_grant_domain("read"), self._crm_security_grant_domain("write")
        if values >= {"read", "write"}:
            # what the rules ask (edit grants are read grants too); False too: everything
            return readable if not values & {False, None} else expression.TRUE_DOMAIN
        # sudo: a subquery of the same condition, to negate it (its SQL terms cannot be negated)
        records = self.sudo().with_context(active_test=False)
        terms = []
        if "write" in values:
            terms.append(writable)
        if "read" in values:
            terms.append(expression.AND([readable, [("id", "not in", records._search(writable))]]))
        if values & {False, None}:
            terms.append([("id", "not in", records._search(readable))])
        return expression.OR(terms) if terms else expression.FALSE_DOMAIN

    @api.depends_context("uid")
    def _compute_crm_security_grant(self):
        """What the grant search (`_crm_security_grant_domain`) finds, decided on the records' own
        owner and share columns with the same facts (record rules evaluated in Python ask for
        this value: no query, no domain to parse)."""
        uid, facts = self.env.uid, None
        record_column = self._crm_security_share_link[1]
        for rec in self:
            if not isinstance(rec.id, int):
                rec.crm_security_grant = False
                continue
            owner = rec[self._crm_security_owner_path].id
            if owner == uid:  # their own record (the usual case): the facts are not needed
                rec.crm_security_grant = "write"
                continue
            if facts is None:
                facts = self._crm_security_grant_facts()
                owners = {uid, *facts["supervised"]}
                writable, readable = self._crm_security_shared_keys(write=True), self._crm_security_shared_keys()
            key = rec[record_column]
            key = key.id if isinstance(key, models.BaseModel) else key
            rec.crm_security_grant = (
                "write" if owner in owners or key in writable else "read" if key in readable else False)

    def _crm_security_share_field(self):
        raise NotImplementedError

    @api.depends_context("uid")
    def _compute_crm_security_can_share(self):
        user = self.env.user
        if user._crm_security_is_data_admin():
            self.crm_security_can_share = True
            return
        # sudo: owners are read to decide, not returned
        owners = {rec.id: rec.sudo()._crm_security_owner() for rec in self}
        supervised = self.env["res.users"]._crm_security_supervised_ids([o.id for o in owners.values() if o])
        for rec in self:
            owner = owners[rec.id]
            rec.crm_security_can_share = bool(owner) and (owner == user or user.id in supervised[owner.id])

    def _compute_crm_security_share_count(self):
        field = self._crm_security_share_field()
        groups = self.env["crm.security.share"]._read_group(
            [(field, "in", self.ids), ("is_current", "=", True)], [field], ["__count"]
        )
        counts = {record.id: count for record, count in groups}
        for rec in self:
            rec.crm_security_share_count = counts.get(rec.id, 0)

    # ------------------------------------------------------------------ what the rules read
    @api.model
    @tools.ormcache()
    def _crm_security_access_fields(self):
        """(model, field) pairs that the record rules of customer data read, or None when a rule
        reads something this cannot tell (then every change counts). Rules are read from their
        domains' text (every `('path', operator, value)` leaf) with the models they apply to;
        what the grant searches read (owner and share columns) comes with them. Rules are
        records: changing one clears the registry cache, and this with it."""
        registry = self.env.registry
        mixin = registry[self._name]
        owned = [name for name, model in registry.items() if issubclass(model, mixin) and not model._abstract]
        pairs = set()
        rules = self.env["ir.rule"].sudo().search([("model_id.model", "in", owned)])
        for rule in rules:
            model = self.env[rule.model_id.model]
            pairs.update((model._name, fname) for fname in
                         (model._crm_security_owner_path, model._crm_security_share_link[1]))
            text = rule.domain_force or ""
            paths = RULE_LEAF.findall(text)
            if len(RULE_OPERATOR.findall(text)) != len(paths) + len(RULE_CONSTANT_LEAF.findall(text)):
                return None
            for path in paths:
                current = model
                for name in path.split("."):
                    field = current._fields.get(name)
                    if field is None:
                        return None
                    pairs.add((current._name, name))
                    if not field.relational:
                        break
                    current = self.env[field.comodel_name]
        return frozenset(pairs)

    @api.model
    @tools.ormcache("model_name")
    def _crm_security_fields_changing_access(self, model_name):
        """The fields of `model_name` whose change may change what the record rules of customer
        data let through (a field the rules read, or one they read is computed from), or None
        when every field counts. One cache lookup per change (`modified` is called for every
        field set), not one per field. (Records created or deleted change all their fields:
        those of a model the rules read count, a chatter message does not.)"""
        access = self._crm_security_access_fields()
        if access is None:
            return None
        model_fields = self.env[model_name]._fields
        dependents = self.env.registry.get_dependent_fields
        return frozenset(
            fname for fname, field in model_fields.items()
            if (model_name, fname) in access
            or any((dependent.model_name, dependent.name) in access for dependent in dependents(field)))

    def _crm_security_field_changes_access(self, model_name, fname):
        """Whether a change of `fname` on `model_name` may change what the record rules read."""
        changing = self._crm_security_fields_changing_access(model_name)
        return changing is None or fname not in self.env[model_name]._fields or fname in changing

    # ------------------------------------------------------------------ record rules on given records
    def _crm_security_access_memo(self, operation, domain=None):
        """Ids known to pass the record rules of `operation` for the current user (companies
        included), in this transaction since its last change.

        Kept in `cr.precommit.data`, which a flush, a savepoint (entered or rolled back), a commit
        and a rollback clear; a change through the ORM of a field that the rules read (directly, or
        through what it is computed from: `_crm_security_field_changes_access`) or of the grant
        facts clears it too (`modified`, see base.py), and they hold for the rule domain they were
        found with (the one ir.rule caches: a change of groups or rules gives another one). Only
        positive answers are kept, and only for the second they were found in, so that a share is
        refused from the second it expires, as the rules' SQL does. `domain`: the rules of
        `operation`, when the caller has them."""
        memo = self.env.cr.precommit.data.get(ACCESS_MEMO_KEY)
        now = fields.Datetime.now()
        if memo is None or memo["at"] != now:
            memo = self.env.cr.precommit.data[ACCESS_MEMO_KEY] = {"at": now}
        Rule = self.env["ir.rule"]
        if domain is None:
            domain = Rule._compute_domain(self._name, operation)
        key = (self._name, operation, self.env.uid, tuple(Rule._compute_domain_context_values()))
        entry = memo.get(key)
        if entry is None or entry[0] is not domain:  # the domain ir.rule caches: the same until it changes
            entry = memo[key] = (domain, set())
        return entry[1]

    @api.model
    def search_fetch(self, domain, field_names, offset=0, limit=None, order=None):
        records = super().search_fetch(domain, field_names, offset=offset, limit=limit, order=order)
        if records and not self.env.su:
            # found through the read rules: reading them next (web_search_read) needs no second check
            records._crm_security_access_memo("read").update(records._ids)
        return records

    def _check_access(self, operation):
        """Record rules checked with one SQL query instead of in Python.

        Odoo checks the rules of records it already holds (`fetch` of a many2many, `check_access`
        before a write...) with `filtered_domain`, which evaluates every path of the owner-only rule
        (shares, managers, matrix) record by record. The same domain as SQL on the given ids gives
        the same answer in one query, and records that passed it (or a search) since the last change
        are not asked again. Only when some record is refused (or is new) does Odoo's own
        check run, so errors, missing records and new records behave exactly as in Odoo.
        """
        ids = self._ids
        if not ids or not all(isinstance(rec_id, int) for rec_id in ids):
            return super()._check_access(operation)
        if not self.env["ir.model.access"].check(self._name, operation, raise_exception=False):
            return super()._check_access(operation)
        domain = self.env["ir.rule"]._compute_domain(self._name, operation)
        if not domain:
            return None
        memo = self._crm_security_access_memo(operation, domain) if not self.env.su else set()
        todo = set(ids) - memo
        if not todo:
            return None
        # the rules' computed fields (the grant) depend on more than the records (shares, teams,
        # managers): a value computed earlier in the transaction is never trusted
        computed = self._crm_security_rule_computed_fields()
        for model_name, fnames in (computed or {self._name: ["crm_security_grant"]}).items():
            self.env[model_name].invalidate_model(fnames, flush=False)
        if computed is not None and len(todo) == 1:
            return self._crm_security_check_one(operation, todo, memo)
        found = self._crm_security_check_rules(operation, todo, domain)
        memo.update(found)
        if todo <= found:
            return None
        return super()._check_access(operation)

    def _crm_security_check_one(self, operation, todo, memo):
        """One record (a form, a save): Odoo's own check, in Python, costs less than building the
        rules' SQL (parsing their domains takes longer than evaluating them on one record). A
        write or delete that passes answers the read check too, from the values now in cache
        (the form reads the saved record back)."""
        result = super()._check_access(operation)
        if result is not None:
            return result
        memo.update(todo)
        if operation != "read" and not self.env.su:
            readable = self._crm_security_access_memo("read")
            if not todo <= readable and super()._check_access("read") is None:
                readable.update(todo)
        return None

    @api.model
    @tools.ormcache()
    def _crm_security_rule_computed_fields(self):
        """{model: fields} computed and not stored that the record rules read, on the owned
        models or along their paths (evaluating the rules in Python computes them), or None when
        the rules cannot be read."""
        access = self._crm_security_access_fields()
        if access is None:
            return None
        computed = {}
        for model_name, fname in sorted(access):
            field = self.env[model_name]._fields.get(fname)
            if field is not None and field.compute and not field.store:
                computed.setdefault(model_name, []).append(fname)
        return computed

    def _crm_security_check_rules(self, operation, ids, domain):
        """The ids among `ids` that pass `domain` (the rules of `operation`). A write (or delete)
        is most often followed by a read of the same records (the form reads the saved record
        back, Odoo reads related fields): the read rules are answered in the same query and kept
        in the memo too. The owner and what shares point to come along into the cache, as masking
        the records' protected values asks for them next."""
        # sudo: the rule domains themselves decide; active_test off as filtered_domain does
        Model = self.sudo().with_context(active_test=False)
        table = Model._table
        query = Model._search(expression.AND([[("id", "in", list(ids))], domain]), order="id")
        fnames = [fname for fname in (self._crm_security_owner_path, self._crm_security_share_link[1]) if fname != "id"]
        columns = [SQL.identifier(table, "id")] + [Model._field_to_sql(table, fname, query) for fname in fnames]
        read_domain = None
        if operation != "read" and not self.env.su:
            read_domain = self.env["ir.rule"]._compute_domain(self._name, "read")
            if read_domain:  # (a Query is not tested for truth: that would run it)
                readable = Model._search(expression.AND([[("id", "in", list(ids))], read_domain]))
                columns.append(SQL("%s IN %s", SQL.identifier(table, "id"), readable.subselect()))
            else:
                columns.append(SQL("TRUE"))
        rows = self.env.execute_query(query.select(*columns))
        if not rows:
            return set()
        found = Model.browse([row[0] for row in rows])
        for index, fname in enumerate(fnames, start=1):
            self.env.cache.insert_missing(found, Model._fields[fname], [row[index] for row in rows])
        if read_domain is not None:
            self._crm_security_access_memo("read").update(row[0] for row in rows if row[-1])
        return set(found._ids)

    # ------------------------------------------------------------------ operation rights
    @api.ondelete(at_uninstall=False)
    def _unlink_except_crm_security_rights(self):
        """Deleting needs its right; more than the company's limit at once needs the bulk right."""
        user = self.env.user
        if self.env.su:
            return
        if not user.has_group("crm_security.group_delete_customer"):
            raise AccessError(self.env._("You are not allowed to delete customers or leads."))
        limit = self.env.company.crm_security_bulk_delete_limit
        if len(self) > limit:
            if not user.has_group("crm_security.group_bulk_delete"):
                raise AccessError(self.env._(
                    "Deleting %(count)s records at once needs the 'Bulk delete' right (more than %(limit)s).",
                    count=len(self), limit=limit))
            self.env["crm.security.access"]._require_identity()

    def export_data(self, fields_to_export):
        user = self.env.user
        if self.env.su or user._crm_security_is_data_admin():
            return super().export_data(fields_to_export)
        if not user.has_group("crm_security.group_export_customer"):
            self._crm_security_refuse_export(fields_to_export, self.env._("You are not allowed to export customers or leads."))
        company = self.env.company
        protected = set(self._crm_security_protected()) if hasattr(self, "_crm_security_protected") else set()
        exported = {path.split("/")[0] for path in fields_to_export}
        if user.has_group("crm_security.group_export_sensitive"):
            if exported & protected:
                self.env["crm.security.access"]._require_identity()
            return super().export_data(fields_to_export)
        if len(self) > company.crm_security_export_row_limit:
            self._crm_security_refuse_export(fields_to_export, self.env._(
                "You may export at most %(limit)s records at once.", limit=company.crm_security_export_row_limit))
        if exported & protected:
            if company.crm_security_export_protected == "refuse":
                self._crm_security_refuse_export(
                    fields_to_export, self.env._("You are not allowed to export protected fields."))
            # more masking, never less: the values are exported as the user sees them, or masked
            self = self.with_context(crm_security_export_masked=True)
        return super().export_data(fields_to_export)

    def _crm_security_refuse_export(self, fields_to_export, message):
        """Refuse the export of these records, the refusal kept in the audit log (when installed)
        although the transaction rolls back."""
        self.env["crm.security.event"]._log(
            "export", self, {"fields": list(fields_to_export), "denied": True, "reason": message})
        raise AccessError(message)

    @api.model
    def load(self, fields, data):
        if not self.env.su and not self.env.user.has_group("crm_security.group_import_customer"):
            raise AccessError(self.env._("You are not allowed to import customers or leads."))
        return super().load(fields, data)

    # ------------------------------------------------------------------ owner changes
    def _crm_security_check_target_owner(self, new_owner_id):
        """Whom the current user may give customer data to: themselves or a colleague."""
        user = self.env.user
        if self.env.su or user._crm_security_is_data_admin():
            return
        if not new_owner_id:
            raise UserError(self.env._(
                "Only customer-data administrators can leave a customer or lead without owner."))
        if new_owner_id != user.id and new_owner_id not in user._crm_security_colleague_ids():
            raise UserError(self.env._(
                "You can hand a record over only to a colleague of your sales team or department. "
                "Ask a customer-data administrator for other transfers."))

    def _crm_security_check_owner_change(self, new_owner_id):
        """Owners and their managers hand records over to colleagues; administrators do anything."""
        user = self.env.user
        if self.env.su or user._crm_security_is_data_admin():
            return
        # sudo: owners are read to decide, not returned
        owners = {rec.id: rec.sudo()._crm_security_owner() for rec in self}
        changing = self.filtered(lambda rec: owners[rec.id].id != (new_owner_id or False))
        if not changing:
            return
        if any(not owners[rec.id] for rec in changing):
            raise UserError(self.env._(
                "This record has no owner yet: a customer-data administrator assigns it."))
        supervised = self.env["res.users"]._crm_security_supervised_ids({o.id for o in owners.values()})
        if any(owners[rec.id] != user and user.id not in supervised[owners[rec.id].id] for rec in changing):
            raise AccessError(self.env._(
                "Only the owner of a record or the owner's managers can hand it over."))
        self._crm_security_check_target_owner(new_owner_id)

    def _crm_security_write_owner(self, vals, owned, write):
        """Write `vals`, which change the owner of `owned` (part of self), with `write(records,
        values)` (the model's super().write): the hand-over is checked, the rest of `vals` is
        written as the user, the owner as superuser (the former owner may lose access to the record
        in the middle of the write), and the hand-over is logged on each record."""
        owned._crm_security_check_owner_change(vals["user_id"])
        self.check_access("write")
        # sudo: owners are read to log the hand-over, not returned
        old_owners = {rec.id: rec.sudo()._crm_security_owner() for rec in owned}
        if rest := {key: value for key, value in vals.items() if key != "user_id"}:
            write(self, rest)
        write(self.sudo(), {"user_id": vals["user_id"]})
        owned._crm_security_log_handover(old_owners)
        return True

    def _crm_security_log_handover(self, old_owners):
        self.env["res.partner"]._crm_security_invalidate_masks()
        changed = self.filtered(lambda r: old_owners.get(r.id) != r.sudo()._crm_security_owner())
        for rec in changed:
            old = old_owners.get(rec.id)
            new = rec.sudo()._crm_security_owner()
            # sudo: the former owner may no longer read the record they just handed over
            rec.sudo()._message_log(body=self.env._(
                "Owner changed from %(old)s to %(new)s by %(user)s.",
                old=old.name if old else self.env._("nobody"),
                new=new.name if new else self.env._("nobody"),
                user=self.env.user.name,
            ))
        if changed:
            self.env["crm.security.event"]._log("handover", changed, {
                "old_owner_ids": {rec.id: old_owners[rec.id].id for rec in changed},
            })

    # ------------------------------------------------------------------ sharing
    def action_crm_security_share(self):
        self.ensure_one()
        if not self.crm_security_can_share:
            raise AccessError(self.env._(
                "Only the owner of a record, the owner's managers and customer-data "
                "administrators can share it."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Share %(name)s", name=self.display_name),
            "res_model": "crm.security.share",
            "view_mode": "form",
            "views": [(self.env.ref("crm_security.crm_security_share_view_form_dialog").id, "form")],
            "target": "new",
            "context": {f"default_{self._crm_security_share_field()}": self.id},
        }

    def action_crm_security_view_shares(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Shares"),
            "res_model": "crm.security.share",
            "view_mode": "list,form",
            "domain": [(self._crm_security_share_field(), "=", self.id)],
            "context": {"active_test": False, f"default_{self._crm_security_share_field()}": self.id},
        }

    def _crm_security_notify_share(self, share):
        self._message_log(body=self.env._(
            "Shared with %(recipient)s (%(level)s) until %(expiry)s by %(user)s.",
            recipient=share.recipient_name,
            level=dict(share._fields["level"]._description_selection(self.env))[share.level],
            expiry=format_datetime(self.env, share.expires_at) if share.expires_at else self.env._("revoked"),
            user=self.env.user.name,
        ))
