import json

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import SQL

from ..tools.masking import looks_masked, mask
from .masked_field import install_masked_fields

CACHE_KEY = "crm_security.unmasked"
PROTECTED_KEY = "crm_security.protected"


class CrmSecurityMaskedMixin(models.AbstractModel):
    """Customer data whose protected fields are masked for everyone but the owner and the authorised.

    Concrete models are owned records too (crm.security.owned.mixin gives the grants); the list
    of protected fields comes from the configuration (crm.security.field).
    """

    _name = "crm.security.masked.mixin"
    _description = "Customer Data with Protected Fields"

    crm_security_can_reveal = fields.Boolean(compute="_compute_crm_security_can_reveal")
    crm_security_masked_fields = fields.Char(
        compute="_compute_crm_security_masked_fields",
        help="Technical: the protected fields the current user sees masked on this record (JSON list).",
    )

    @api.model
    def _setup_base(self):
        done = self.env.registry[self._name]._setup_done
        result = super()._setup_base()
        if not done:
            install_masked_fields(self)
        return result

    # ------------------------------------------------------------------ who sees what
    @api.model
    def _crm_security_protected(self):
        """{field: (kind, policy)}, asked for every serialised value: kept for the transaction."""
        cache = self.env.cr.precommit.data.get(PROTECTED_KEY)
        protected = cache.get(self._name) if cache is not None else None
        if protected is None:
            protected = self.env.cr.precommit.data.setdefault(PROTECTED_KEY, {})[self._name] = \
                self.env["crm.security.field"]._protected_fields(self._name)
        return protected

    @api.model
    def _crm_security_kinds_seen(self):
        """Kinds of protected fields the user sees on every record they can open; None = all.
        Decided once per user and transaction (it is asked for every serialised value)."""
        cache = self.env.cr.precommit.data.setdefault("crm_security.kinds", {})
        if self.env.uid not in cache:
            user = self.env.user
            if self.env.uid == SUPERUSER_ID or user._crm_security_is_data_admin():
                kinds = None
            else:
                kinds = frozenset(kind for kind, group in (("email", "crm_security.group_see_customer_email"),
                                                           ("phone", "crm_security.group_see_customer_phone"))
                                  if user.has_group(group))
            cache[self.env.uid] = kinds
        return cache[self.env.uid]

    @api.model
    def _crm_security_unmasked_domain(self):
        """Records whose protected values the user sees: company-wide ones, their own, their
        subordinates' (if configured), sensitive shares."""
        managers = self.env.company.sudo().crm_security_managers_see_sensitive
        terms = [
            [(self._crm_security_owner_path, "=", False)],
            self._crm_security_grant_domain("read", sensitive=True, managers=managers),
        ]
        return expression.OR(terms + self._crm_security_extra_unmasked_domains())

    @api.model
    def _crm_security_extra_unmasked_domains(self):
        """Hook: more grants of real values (e.g. the department matrix)."""
        return []

    def _determine_fields_to_fetch(self, field_names, ignore_when_in_cache=False):
        """Protected values are fetched with the owner and what shares point to, which decide
        whether the user sees them (see _crm_security_decide_unmasked) without another query."""
        fields_to_fetch = super()._determine_fields_to_fetch(field_names, ignore_when_in_cache=ignore_when_in_cache)
        if self.env.su:
            return fields_to_fetch
        protected = self._crm_security_protected()
        if not any(field.name in protected for field in fields_to_fetch):
            return fields_to_fetch
        for fname in self._crm_security_decision_fields():
            field = self._fields[fname]
            if field not in fields_to_fetch and (
                    not ignore_when_in_cache or any(self.env.cache.get_missing_ids(self, field))):
                fields_to_fetch.append(field)
        return fields_to_fetch

    @api.model
    def _crm_security_decision_fields(self):
        """The columns `_crm_security_decide_unmasked` decides from (fetched with protected values)."""
        return [fname for fname in (self._crm_security_owner_path, self._crm_security_share_link[1]) if fname != "id"]

    def _crm_security_unmasked_cache(self):
        return self.env.cr.precommit.data.setdefault(CACHE_KEY, {}).setdefault((self.env.uid, self._name), {})

    def _crm_security_decide_unmasked(self, missing, cache):
        """Decide whether the user sees the protected values of `missing` (and of the records
        fetched with them) in full. Owners, managers and sensitive shares are decided from the
        grant facts and the owner column, fetched with the other columns; the other grants by
        `_crm_security_extra_unmasked_ids`."""
        batch = missing | {rid for rid in self._prefetch_ids if isinstance(rid, int)} - cache.keys()
        # sudo: decides from ownership and shares, whatever the user may read
        records = self.sudo().with_context(active_test=False).browse(sorted(batch))
        record_column = self._crm_security_share_link[1]
        owner_field, record_field = records._fields[self._crm_security_owner_path], records._fields[record_column]
        records.fetch(self._crm_security_decision_fields())  # with the other columns the serialisation needs
        owners = records.env.cache.get_until_miss(records, owner_field)
        keys = records.env.cache.get_until_miss(records, record_field) if record_column != "id" else records._ids
        managers = self.env.company.sudo().crm_security_managers_see_sensitive
        facts = self._crm_security_grant_facts()
        seeing = {self.env.uid, *facts["supervised"]} if managers else {self.env.uid}
        shared = self._crm_security_shared_keys(sensitive=True)
        decided = min(len(owners), len(keys))  # the values in cache (a missing record has none)
        rest = list(records._ids[decided:])
        for rid, owner, key in zip(records._ids[:decided], owners, keys, strict=False):
            if not owner or owner in seeing or key in shared:
                cache[rid] = True
            else:
                rest.append(rid)
        found = records.browse(rest)._crm_security_extra_unmasked_ids() if rest else set()
        cache.update({rid: rid in found for rid in rest})

    def _crm_security_extra_unmasked_ids(self):
        """Hook: the ids of these records (sudo) whose protected values the other grants show
        (`_crm_security_extra_unmasked_domains`); searched, unless an override decides from
        the columns fetched with them."""
        extra = self._crm_security_extra_unmasked_domains()
        if not extra:
            return set()
        return set(self.search(expression.AND([[("id", "in", self.ids)], expression.OR(extra)])).ids)

    @api.model
    def _crm_security_invalidate_masks(self):
        """Forget who sees what in this transaction (after a change of owner, share, reveal or policy)."""
        self.env.cr.precommit.data.pop(CACHE_KEY, None)
        self.env.cr.precommit.data.pop(PROTECTED_KEY, None)
        self.env.cr.precommit.data.pop("crm_security.reveals", None)
        self.env.cr.precommit.data.pop("crm_security.kinds", None)
        for model in ("res.partner", "crm.lead"):
            self.env[model].invalidate_model(["crm_security_masked_fields", "crm_security_can_reveal"])

    def _crm_security_field_masked(self, fname):
        """Whether the current user sees `fname` of this record masked.

        Asked for every protected value serialised: decided once for all the protected fields of
        the records fetched together (see `_crm_security_decided`)."""
        rec_id = self._ids[0] if len(self._ids) == 1 else self.ensure_one().id
        if not isinstance(rec_id, int) or self.env.context.get("crm_security_export_masked"):
            return bool(self._crm_security_masked_fnames([fname]).get(self._origin.id or self.id))
        decided = self.env.cr.precommit.data.get(CACHE_KEY, {}).get((self.env.uid, self._name, "fields", False))
        if decided is None or rec_id not in decided:
            decided = self._crm_security_decided()
        return fname in decided[rec_id]

    def _crm_security_decided(self):
        """{record id: (the protected fields the current user sees masked)} for these saved records
        and those fetched with them, decided in one batch and kept with the other mask caches of
        the transaction (forgotten with them)."""
        key = (self.env.uid, self._name, "fields", bool(self.env.context.get("crm_security_export_masked")))
        decided = self.env.cr.precommit.data.setdefault(CACHE_KEY, {}).setdefault(key, {})
        todo = {rid for rid in self._ids if rid not in decided}
        if todo:
            batch = self.browse(todo | {rid for rid in self._prefetch_ids if isinstance(rid, int) and rid not in decided})
            masked = batch._crm_security_masked_fnames([f for f in self._crm_security_protected() if f in self._fields])
            decided.update({rid: tuple(masked.get(rid, ())) for rid in batch._ids})
        return decided

    def _crm_security_masked_fnames(self, fnames):
        """{record id: [the fields among `fnames` the user sees masked]}, only for records with some.

        Asked for every protected value that leaves the server, so decided in batch and cached per
        transaction: the kinds of fields the user sees everywhere, the records they see in full,
        their reveals.
        """
        protected = self._crm_security_protected()
        fnames = [fname for fname in fnames if fname in protected]
        if not fnames:
            return {}
        records = self._origin or self  # new records: their origin (new ones of their own: none)
        ids = [rec_id for rec_id in records._ids if rec_id]
        if self.env.context.get("crm_security_export_masked") and self.env.uid != SUPERUSER_ID:
            return {rec_id: fnames for rec_id in ids}  # export without the sensitive-export right
        kinds = self._crm_security_kinds_seen()
        if kinds is not None:
            fnames = [fname for fname in fnames if protected[fname][0] not in kinds]
        if kinds is None or not fnames or not ids:
            return {}
        cache = self._crm_security_unmasked_cache()
        missing = {rec_id for rec_id in ids if rec_id not in cache}
        if missing:
            records._crm_security_decide_unmasked(missing, cache)
        hidden = [rec_id for rec_id in ids if not cache[rec_id]]
        if not hidden:
            return {}
        revealed = self.env["crm.security.reveal"]._current_keys(self._name)
        if not revealed:
            return {rec_id: fnames for rec_id in hidden}
        return {rec_id: [fname for fname in fnames if (rec_id, fname) not in revealed] for rec_id in hidden}

    def _crm_security_masked_value(self, fname, value):
        spec = self._crm_security_protected().get(fname) if value else None
        return self._crm_security_mask_protected(fname, value, spec) if spec else value

    def _crm_security_mask_protected(self, fname, value, spec):
        """`value` of the protected field `fname` ((kind, policy) `spec`) as the current user sees it.
        Asked for every protected value serialised (an export: once per field and record)."""
        if self.env.context.get("crm_security_export_masked") and self.env.uid != SUPERUSER_ID:
            # an export without the sensitive-export right: every protected value of a saved record
            # (as `_crm_security_masked_fnames` decides, without asking it once per value)
            return mask(spec[0], value) if self._origin.id or self.id else value
        return mask(spec[0], value) if self._crm_security_field_masked(fname) else value

    # ------------------------------------------------------------------ crm_audit_log hooks
    @api.model
    def _crm_security_field_is_protected(self, fname):
        """crm_audit_log keeps the values of these fields out of its displayed columns."""
        return fname in self._crm_security_protected()

    def _crm_security_audit_mask(self, fname, value, viewer):
        """How `viewer` may see an audited value of this record (masked unless they see the real one;
        a deleted record has no owner any more, so its values stay masked)."""
        record = self if viewer.id == self.env.uid else self.with_user(viewer)
        return record._crm_security_masked_value(fname, value)

    @api.depends_context("uid")
    def _compute_crm_security_masked_fields(self):
        saved = self.browse([rid for rid in self._ids if isinstance(rid, int)])
        decided = saved._crm_security_decided() if saved else {}
        new = self - saved
        fnames = [f for f in self._crm_security_protected() if f in self._fields]
        masked_new = new._crm_security_masked_fnames(fnames) if new else {}
        # one assignment per distinct value (usually one: nothing, or the same fields everywhere)
        groups = {}
        for rec in self:
            masked = decided[rec.id] if rec.id in decided else tuple(masked_new.get(rec._origin.id or rec.id, ()))
            groups.setdefault(masked, []).append(rec.id)
        for masked, ids in groups.items():
            self.browse(ids).crm_security_masked_fields = json.dumps(list(masked))

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_crm_security_can_reveal(self):
        allowed = self.env.company.sudo().crm_security_reveal_enabled and self.env.user.has_group(
            "crm_security.group_crm_security_reveal")
        for rec in self:
            rec.crm_security_can_reveal = allowed and rec.crm_security_masked_fields not in (False, "[]")

    def action_crm_security_reveal(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reveal a Protected Value"),
            "res_model": "crm.security.reveal.request",
            "view_mode": "form",
            "target": "new",
            "context": {"default_res_model": self._name, "default_res_id": self.id},
        }

    def _crm_security_restricted(self, fname):
        """Whether the user may not use `fname` freely in searches, groupings and orderings."""
        if self.env.su or fname not in self._crm_security_protected():
            return False
        kinds = self._crm_security_kinds_seen()
        return kinds is not None and self._crm_security_protected()[fname][0] not in kinds

    # ------------------------------------------------------------------ side channels
    def _condition_to_sql(self, alias, fname, operator, value, query):
        sql = super()._condition_to_sql(alias, fname, operator, value, query)
        if not self._crm_security_restricted(fname):
            return sql
        if operator in ("=", "in") and self.env.company.sudo().crm_security_exact_search:
            return sql
        # a search on a protected value only finds the records whose value the user sees:
        # searching `email ilike '@gmail'` tells nobody who uses gmail
        unmasked = self.sudo()._search(self._crm_security_unmasked_domain())
        return SQL("(%s AND %s IN %s)", sql, SQL.identifier(alias, "id"), unmasked.subselect())

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        """Group labels and aggregates of a protected field would show its raw values."""
        for spec in groupby:
            if self._crm_security_restricted(spec.split(":")[0].split(".")[0]):
                raise UserError(self.env._("You cannot group by a protected field."))
        for spec in aggregates:
            fname = spec.split(":")[0].split(".")[0]
            if fname != "__count" and self._crm_security_restricted(fname):
                raise UserError(self.env._("You cannot aggregate a protected field."))
        return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)

    def _order_field_to_sql(self, alias, field_name, direction, nulls, query):
        if self._crm_security_restricted(field_name):
            field_name = "id"  # sorting would reveal values relative to known ones
        return super()._order_field_to_sql(alias, field_name, direction, nulls, query)

    def _crm_security_mask_suggestions(self, suggestions):
        """Suggested recipients carry raw e-mail addresses: mask those of protected records."""
        masked = set()
        for rec in self:
            for fname, (kind, _policy) in rec._crm_security_protected().items():
                if kind == "email" and fname in rec._fields and rec._crm_security_field_masked(fname):
                    masked.add(rec.sudo()[fname])  # sudo: compared, never returned
        for suggestion in suggestions:
            email = suggestion.get("email")
            partner = self.env["res.partner"].browse(suggestion.get("partner_id") or [])
            if email and (email in masked or (partner and partner._crm_security_field_masked("email"))):
                suggestion["email"] = mask("email", email)
        return suggestions

    # ------------------------------------------------------------------ writes
    def _crm_security_guard_protected_write(self, vals):
        """Drop masked values a form sends back unchanged; refuse changes the user may not make."""
        protected = self._crm_security_protected()
        touched = [fname for fname in vals if fname in protected]
        if not touched or self.env.su:
            return vals
        # the write's own access check, first: it fetches what masking is decided from (and the
        # write does not check again), and nothing is said about a record the user may not edit
        self.check_access("write")
        vals = dict(vals)
        for fname in touched:
            kind, policy = protected[fname]
            masked = [rec for rec in self if rec._crm_security_field_masked(fname)]
            if not masked:
                continue
            # sudo: compares with the real value, which is not returned
            if all(looks_masked(kind, vals[fname], rec.sudo()[fname]) for rec in masked):
                vals.pop(fname)  # the form saved the mask it was shown: keep the real value
            elif policy == "owner":
                raise AccessError(self.env._(
                    "You cannot change the %(field)s of this record: it is protected.",
                    field=self._fields[fname]._description_string(self.env)))
        return vals

    def copy_data(self, default=None):
        vals_list = super().copy_data(default)
        for rec, vals in zip(self, vals_list, strict=True):
            for fname in rec._crm_security_protected():
                if fname in vals and rec._crm_security_field_masked(fname):
                    vals[fname] = False  # a copy must not unmask what its maker cannot see
        return vals_list
