from odoo import Command, api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools.sql import table_exists

# models whose events are not themselves audited (they are the audit log)
NOT_AUDITABLE = ("crm.audit.log", "crm.audit.log.line")
HISTORY_ACTION_PREFIX = "crm_audit_history_action_"
OPERATION_FIELDS = {
    "create": "log_create",
    "write": "log_write",
    "unlink": "log_unlink",
    "read": "log_read",
    "export": "log_export",
    "import": "log_import",
}


class CrmAuditRule(models.Model):
    """What is audited: per model, which operations and fields, and which users are left out.

    Rules are read through an ormcache; every change clears the registry caches, which Odoo
    signals to the other workers at the end of the request: a change applies at once everywhere.
    """

    _name = "crm.audit.rule"
    _description = "Audit Rule"
    _order = "model, id"

    active = fields.Boolean(default=True)
    model_id = fields.Many2one(
        "ir.model", string="Model", required=True, ondelete="cascade",
        domain=[("transient", "=", False), ("model", "not in", NOT_AUDITABLE)])
    model = fields.Char(related="model_id.model", store=True, index=True, string="Model Name")
    log_create = fields.Boolean(string="Creations", default=True)
    log_write = fields.Boolean(string="Edits", default=True)
    log_unlink = fields.Boolean(string="Deletions", default=True)
    log_read = fields.Boolean(string="Views", help="Opening a record, lists (one event per request) "
                                                   "and reading protected fields.")
    log_export = fields.Boolean(string="Exports", default=True)
    log_import = fields.Boolean(string="Imports", default=True)
    field_ids = fields.Many2many(
        "ir.model.fields", relation="crm_audit_rule_field_rel", column1="rule_id", column2="field_id",
        string="Audited Fields", domain="[('model_id', '=', model_id), ('store', '=', True)]",
        help="Leave empty to audit every stored field.")
    excluded_user_ids = fields.Many2many(
        "res.users", relation="crm_audit_rule_user_rel", column1="rule_id", column2="user_id",
        string="Users Not Audited", help="For example integration users whose traffic would flood the log.")

    @api.depends("model_id")
    def _compute_display_name(self):
        for rule in self:
            rule.display_name = rule.model_id.name or ""

    @api.constrains("model_id")
    def _check_model_id(self):
        for rule in self.sudo():  # sudo: ir.model is technical data, read to validate only
            if rule.model_id.model in NOT_AUDITABLE or rule.model_id.transient:
                raise ValidationError(self.env._("The model %(model)s cannot be audited.", model=rule.model_id.name))

    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        self._crm_audit_rules_changed()
        return rules

    def write(self, vals):
        result = super().write(vals)
        self._crm_audit_rules_changed()
        return result

    def unlink(self):
        result = super().unlink()
        self._crm_audit_rules_changed()
        return result

    @api.model
    def _crm_audit_rules_changed(self):
        self.env.registry.clear_cache()
        self._crm_audit_sync_history_actions()

    @api.model
    def _crm_audit_sync_history_actions(self):
        """One "History" entry in the Action menu of every audited model (forms and lists).

        The server actions get an xmlid of this addon (noupdate), so that uninstalling it removes them.
        """
        # sudo: technical records owned by this addon, kept in line with the rules
        Data = self.env["ir.model.data"].sudo()
        existing = {data.name: data for data in Data.search(
            [("module", "=", "crm_audit_log"), ("model", "=", "ir.actions.server"),
             ("name", "=like", HISTORY_ACTION_PREFIX + "%")])}
        wanted = {}
        for model in self.sudo().search([]).model_id:  # sudo: all active rules, whoever changes one
            wanted[HISTORY_ACTION_PREFIX + model.model.replace(".", "_")] = model
        for name, data in existing.items():
            if name not in wanted:
                self.env["ir.actions.server"].sudo().browse(data.res_id).unlink()  # sudo: see above
                data.unlink()
        for name, model in wanted.items():
            if name in existing:
                continue
            action = self.env["ir.actions.server"].sudo().create({  # sudo: see above
                "name": self.env._("History"),
                "model_id": model.id,
                "binding_model_id": model.id,
                "binding_view_types": "form,list",
                "state": "code",
                "code": "action = env['crm.audit.log']._crm_audit_history_action(records)",
                "groups_id": [Command.link(self.env.ref("base.group_user").id)],
            })
            Data.create({"module": "crm_audit_log", "name": name, "model": "ir.actions.server",
                         "res_id": action.id, "noupdate": True})

    def init(self):
        # a rules map computed before this table existed (module install) must not survive;
        # on upgrades, rules created by older versions get their History action
        self._crm_audit_rules_changed()

    @api.model
    @tools.ormcache()
    def _crm_audit_rules_map(self):
        """{model: ((operations, field names or None for all, excluded user ids), ...)} of active rules."""
        cr = self.env.cr
        if not table_exists(cr, "crm_audit_rule") or not self.env["crm.audit.writer"]._crm_audit_storage_ready(cr):
            return {}  # installing or uninstalling this addon
        self.flush_model()
        cr.execute(SQL("""
            SELECT r.model, r.log_create, r.log_write, r.log_unlink, r.log_read, r.log_export, r.log_import,
                   ARRAY(SELECT f.name FROM crm_audit_rule_field_rel rel
                         JOIN ir_model_fields f ON f.id = rel.field_id WHERE rel.rule_id = r.id),
                   ARRAY(SELECT u.user_id FROM crm_audit_rule_user_rel u WHERE u.rule_id = r.id)
              FROM crm_audit_rule r
             WHERE r.active AND r.model IS NOT NULL
        """))
        rules = {}
        for model, *flags, field_names, user_ids in cr.fetchall():
            if model not in self.env.registry or model in NOT_AUDITABLE:
                continue
            operations = frozenset(op for op, flag in zip(OPERATION_FIELDS, flags, strict=False) if flag)
            spec = (operations, frozenset(field_names) if field_names else None, frozenset(user_ids))
            rules.setdefault(model, []).append(spec)
        return {model: tuple(specs) for model, specs in rules.items()}
