"""What the database offers, detected at run time (runs inside Odoo).

crm_audit_log is being written while this benchmark exists: instead of failing, a scenario whose
feature is missing reports "n/a (not implemented: ...)". Entry points looked for:

* audit rules: model `crm.audit.rule` with `_crm_audit_rules_map()` -> {model: ((operations, fields, excluded), ...)};
* audit tables: `crm_audit_log` (events) and `crm_audit_log_line` (field lines, column `log_id`);
* History: `crm.audit.log._crm_audit_history_action(records)` and the field `crm_audit_line_ids` on customers;
* restore (first found): `crm.audit.log.action_restore()` or `._crm_audit_restore()` on the
  deletion events, or a transient model `crm.audit.restore` with a field pointing to
  `crm.audit.log` and a method `action_restore` / `action_confirm`;
* OCA auditlog: tables `auditlog_log` / `auditlog_log_line`.
"""
import json

RESTORE_WIZARD = "crm.audit.restore"
RESTORE_METHODS = ("action_restore", "action_confirm", "action_apply")
AUDIT_TABLES = {"crm_audit_log": "crm_audit_log_line", "auditlog_log": "auditlog_log_line"}


def _installed(env, module):
    return bool(env["ir.module.module"].sudo().search_count([("name", "=", module), ("state", "=", "installed")]))


def features(env):
    events = int(env["ir.config_parameter"].sudo().get_param("crm_bench.events_done") or 0)
    entry, _why = restore_entry_point(env)
    return {
        "ours": _installed(env, "crm_security") or _installed(env, "crm_audit_log"),
        "security": _installed(env, "crm_security"),
        "shares": "crm.security.share" in env,
        "matrix": "crm.security.matrix" in env,
        "audit": "crm.audit.rule" in env and "crm.audit.log" in env
        and hasattr(env["crm.audit.rule"], "_crm_audit_rules_map"),
        "events": events,
        "restore": bool(entry),
        "oca_auditlog": "auditlog.log" in env,
    }


def audit_rule(env, model):
    """{"operations": [...], "all_fields": bool} of the audit of `model`, or None."""
    if "crm.audit.rule" not in env:
        return None
    specs = env["crm.audit.rule"]._crm_audit_rules_map().get(model)
    if not specs:
        return None
    operations = set()
    all_fields = False
    for ops, field_names, _excluded in specs:
        operations |= set(ops)
        all_fields |= field_names is None
    return {"operations": sorted(operations), "all_fields": all_fields}


def _tables(env):
    env.cr.execute("SELECT relname FROM pg_class WHERE relname = ANY(%s) AND relkind IN ('r', 'p', 'v')",
                   [list(AUDIT_TABLES) + list(AUDIT_TABLES.values())])
    return {row[0] for row in env.cr.fetchall()}


def count_audit_rows(env, feats, model=None):
    """Snapshot of the audit tables: {table: last id}; see `audit_delta`."""
    present = _tables(env)
    mark = {}
    for table in AUDIT_TABLES:
        if table in present:
            env.cr.execute(f"SELECT COALESCE(max(id), 0) FROM {table}")
            mark[table] = env.cr.fetchone()[0]
    mark["max_id"] = mark.get("crm_audit_log", 0)
    return mark


def audit_delta(env, mark):
    """Events and lines written since `mark` (this transaction's, not yet rolled back)."""
    result = {}
    present = _tables(env)
    for table, line_table in AUDIT_TABLES.items():
        if table not in mark:
            continue
        env.cr.execute(f"SELECT count(*) FROM {table} WHERE id > %s", [mark[table]])
        result[f"{table}_events"] = env.cr.fetchone()[0]
        if line_table in present:
            env.cr.execute(f"SELECT count(*) FROM {line_table} WHERE log_id > %s", [mark[table]])
            result[f"{table}_lines"] = env.cr.fetchone()[0]
    return result


def restore_entry_point(env):
    """(callable(events, model, ids), None) or (None, why not)."""
    if "crm.audit.log" not in env:
        return None, "no crm.audit.log"
    Log = env["crm.audit.log"]
    for method in ("action_restore", "_crm_audit_restore"):
        if callable(getattr(Log, method, None)):
            return (lambda events, model, ids, method=method: getattr(events, method)()), None
    if RESTORE_WIZARD in env:
        Wizard = env[RESTORE_WIZARD]
        link = next((name for name, field in Wizard._fields.items()
                     if field.type in ("many2one", "many2many") and field.comodel_name == "crm.audit.log"), None)
        method = next((name for name in RESTORE_METHODS if callable(getattr(Wizard, name, None))), None)
        if link and method:
            def run(events, model, ids, link=link, method=method):
                field = Wizard._fields[link]
                value = events[:1].id if field.type == "many2one" else [(6, 0, events.ids)]
                wizard = events.env[RESTORE_WIZARD].with_context(
                    active_model="crm.audit.log", active_ids=events.ids, active_id=events[:1].id).create({link: value})
                return getattr(wizard, method)()
            return run, None
    return None, "no restore entry point in crm_audit_log yet (crm.audit.log.action_restore or crm.audit.restore)"


def describe(env):
    """Features plus the audit rule of customers, for the report."""
    feats = features(env)
    feats["partner_audit"] = audit_rule(env, "res.partner")
    return json.loads(json.dumps(feats, default=str))
