"""The scenarios, run inside Odoo (`odoo-bin shell`), one repetition per request.

Each scenario method prepares what is not measured (records to write, deleted records to restore)
and returns the measured body: one callable, or a list of callables (its units: one write, one
batch of creations) that a repetition may run in parts (`begin`, `step`, `finish`: the
orchestrator alternates the sides part by part). The body runs as a real user (never the
superuser), starts each call like a new request (empty caches) and ends it like a commit does
(`cr.flush()`: ORM flush + precommit hooks, where mail tracking and the audit log write their
rows). After the measurement the transaction is rolled back, so every repetition starts from the
same data.
"""
import functools
import gc
import re
import time

from lxml import etree

from odoo import sql_db

from .odoo_features import audit_delta, audit_rule, count_audit_rows, features, restore_entry_point

COUNT_LIMIT = 10001  # what the web client asks for (10,000 + 1)
WARMUP = {"create": 20, "create_small": 20, "write": 20, "unlink": 10, "restore": 10, "export": 20}


def _status_kb(field):
    with open("/proc/self/status") as status:
        match = re.search(rf"^{field}:\s+(\d+)", status.read(), re.M)
    return int(match.group(1)) if match else 0


def _reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # resets VmHWM, the peak resident size
        return True
    except OSError:
        return False


class Bench:
    def __init__(self, env, sizes, ids):
        self.env, self.sizes, self.ids = env, sizes, ids
        self.features = features(env)
        self.cache = {}
        self.current = None  # the repetition under way (begin ... finish)

    # ------------------------------------------------------------------ environments
    def user_env(self, uid):
        context = {"lang": "en_US", "tz": "UTC", "allowed_company_ids": [self.ids["company"]], "bin_size": True}
        return self.env(user=uid, su=False, context=context)

    def new_request(self):
        """What a new HTTP request starts with: no record cache, no cursor cache."""
        self.env.invalidate_all()
        self.env.cr.cache.clear()

    def commit_like(self):
        """What the end of a request does before COMMIT: ORM flush and precommit hooks."""
        self.env.cr.flush()

    def rollback(self):
        self.env.cr.rollback()
        self.env.cr.cache.clear()
        self.env.invalidate_all(flush=False)

    # ------------------------------------------------------------------ protocol
    def prepare(self, key):
        """{"na": reason} when the scenario cannot run on this database, else {"info": {...}}."""
        method = getattr(self, f"_prepare_{key}", None)
        reason = method() if method else None
        return {"na": reason} if reason else {"info": self._info(key)}

    def run(self, key, warmup=False, calls=None):
        """One repetition, whole."""
        self.begin(key, warmup, calls)
        self.step()
        return self.finish()

    def begin(self, key, warmup=False, calls=None):
        """Prepare a repetition, which `step` runs in parts and `finish` ends: {"units": count}."""
        self.calls = calls or self.sizes["calls"]
        body, calls, check = getattr(self, f"_scenario_{key}")(warmup)
        units = list(body) if isinstance(body, list | tuple) else [body]
        gc.collect()
        self.current = {"units": units, "done": 0, "calls": calls, "check": check, "seconds": 0.0, "queries": 0,
                        "peak_ok": _reset_peak(), "rss0": _status_kb("VmRSS"), "ru0": _status_kb("VmHWM")}
        return {"units": len(units)}

    def abort(self):
        """Roll back the repetition under way, if any (another side failed halfway)."""
        self.current = None
        self.rollback()
        return {}

    def step(self, count=None):
        """Run the next `count` units of the repetition (all that remain: None), timed."""
        current = self.current
        units = current["units"][current["done"]:None if count is None else current["done"] + count]
        queries0 = sql_db.sql_counter
        start = time.perf_counter()
        for unit in units:
            unit()
        current["seconds"] += time.perf_counter() - start
        current["queries"] += sql_db.sql_counter - queries0
        current["done"] += len(units)
        return {"done": current["done"], "units": len(current["units"])}

    def finish(self):
        """End the repetition: its time and queries per call, memory, checks; roll it back."""
        current, self.current = self.current, None
        if current["done"] < len(current["units"]):
            raise RuntimeError(f"{len(current['units']) - current['done']} units of the repetition were not run")
        calls = current["calls"]
        peak = _status_kb("VmHWM")
        mem_kb = max(0, peak - current["rss0"]) if current["peak_ok"] else max(0, peak - current["ru0"])
        result = {"seconds": current["seconds"] / calls, "queries": current["queries"] / calls, "mem_kb": mem_kb,
                  "calls": calls}
        if current["check"]:
            result["check"] = current["check"]()
        self.rollback()
        return result

    def _info(self, key):
        info = {"features": self.features}
        if key in ("list", "list_masked", "care"):
            info["spec_fields"] = sorted(self._partner_list_spec())
        return info

    # ------------------------------------------------------------------ helpers
    def _size(self, key, warmup):
        return min(self.sizes[key], WARMUP.get(key, 1)) if warmup else self.sizes[key]

    def _calls(self, warmup):
        return 1 if warmup else self.calls

    def _salesman_ids(self, count, order="id"):
        partners = self.user_env(self.ids["salesman"])["res.partner"].search(
            [("ref", "=like", "BENCH%"), ("user_id", "=", self.ids["salesman"])], order=order, limit=count)
        return partners.ids

    def _customer_vals(self, count, tag):
        country = self.env.ref("base.vn").id
        return [{
            "name": f"Bench {tag} {i:06d}", "email": f"{tag.lower()}.{i}@example.com",
            "phone": f"+84 28 5{i:07d}", "mobile": f"+84 91 {i:07d}", "street": f"{i} Nguyen Hue",
            "city": "Ho Chi Minh City", "zip": "700000", "country_id": country, "function": "Purchaser",
            "website": f"https://n{i}.example.com", "user_id": self.ids["salesman"],
        } for i in range(count)]

    def _audit_check(self):
        mark = count_audit_rows(self.env, self.features)
        return lambda: audit_delta(self.env, mark)

    def _partner_list_spec(self):
        if "partner_spec" not in self.cache:
            Partner = self.user_env(self.ids["salesman"])["res.partner"]
            self.cache["partner_spec"] = list_spec(Partner, None)
        return self.cache["partner_spec"]

    # ------------------------------------------------------------------ create / write / delete
    def _prepare_create(self):
        return self._needs_audit("create")

    def _prepare_write(self):
        return self._needs_audit("write") or self._needs_customers(self.sizes["write"])

    def _prepare_unlink(self):
        return self._needs_audit("unlink") or self._needs_customers(self.sizes["unlink"])

    def _needs_audit(self, operation):
        if not self.features["ours"]:
            return None
        if not self.features["audit"]:
            return "not implemented: crm_audit_log has no audit rules"
        rule = audit_rule(self.env, "res.partner")
        if rule is None or operation not in rule["operations"]:
            return f"not implemented: no audit rule logs '{operation}' on customers"
        return None

    def _needs_customers(self, count):
        owned = len(self._salesman_ids(count))
        return None if owned >= count else f"the salesman owns {owned} customers, {count} needed: rebuild"

    def _scenario_create(self, warmup, key="create"):
        Partner = self.user_env(self.ids["salesman"])["res.partner"]
        vals_list = self._customer_vals(self._size(key, warmup), "Create")
        batch = self.sizes["batch"]
        check = self._audit_check()

        def create(batch_vals):
            self.new_request()
            Partner.create(batch_vals)
            self.commit_like()

        return [functools.partial(create, vals_list[index:index + batch])
                for index in range(0, len(vals_list), batch)], 1, check

    def _scenario_create_small(self, warmup):
        return self._scenario_create(warmup, key="unlink")

    def _scenario_write(self, warmup):
        Partner = self.user_env(self.ids["salesman"])["res.partner"]
        ids = self._salesman_ids(self._size("write", warmup))
        check = self._audit_check()

        def write(index, rec_id):
            self.new_request()
            Partner.browse(rec_id).write({"phone": f"+84 28 7{index:07d}", "function": f"Manager {index}"})
            self.commit_like()

        return [functools.partial(write, index, rec_id) for index, rec_id in enumerate(ids)], 1, check

    def _scenario_unlink(self, warmup):
        Partner = self.user_env(self.ids["salesman"])["res.partner"]
        ids = self._salesman_ids(self._size("unlink", warmup), order="id desc")
        check = self._audit_check()

        def body():
            self.new_request()
            Partner.browse(ids).unlink()
            self.commit_like()

        return body, 1, check

    # ------------------------------------------------------------------ restore
    def _prepare_restore(self):
        if not self.features["ours"]:
            return None  # the standard side measures the creation of as many customers
        reason = self._needs_audit("unlink")
        if reason:
            return reason
        entry, why = restore_entry_point(self.env)
        return None if entry else f"not implemented: {why}"

    def _scenario_restore(self, warmup):
        Partner = self.user_env(self.ids["salesman"])["res.partner"]
        ids = self._salesman_ids(self._size("unlink", warmup), order="id desc")
        before = count_audit_rows(self.env, self.features)
        Partner.browse(ids).unlink()
        self.commit_like()
        entry, _why = restore_entry_point(self.env)
        admin_env = self.user_env(self.ids["admin"])
        events = admin_env["crm.audit.log"].sudo().search(
            [("id", ">", before.get("max_id", 0)), ("operation", "=", "unlink"), ("model", "=", "res.partner")])
        events = events.with_env(admin_env)

        def body():
            self.new_request()
            entry(events.browse(events.ids), "res.partner", ids)
            self.commit_like()

        def check():
            return {"restored": self.env["res.partner"].with_context(active_test=False).search_count(
                [("id", "in", ids)])}

        return body, 1, check

    # ------------------------------------------------------------------ lists
    def _list_body(self, uid, domain, spec, calls, model="res.partner"):
        Model = self.user_env(uid)[model]
        out = {}

        def body():
            for _ in range(calls):
                self.new_request()
                out["result"] = Model.web_search_read(domain, spec, limit=self.sizes["list_limit"],
                                                      count_limit=COUNT_LIMIT)
                self.commit_like()

        return body, out

    def _list_check(self, out, masked_fields=("email", "phone", "mobile")):
        def check():
            records = out["result"]["records"]
            masked = sum(1 for rec in records if any(isinstance(rec.get(f), str) and "*" in rec[f] for f in masked_fields))
            return {"rows": len(records), "length": out["result"]["length"], "masked_rows": masked}

        return check

    def _scenario_list(self, warmup, domain=None, uid=None):
        uid = uid or self.ids["salesman"]
        calls = self._calls(warmup)
        body, out = self._list_body(uid, domain or [], self._partner_list_spec(), calls)
        return body, calls, self._list_check(out)

    def _prepare_list_masked(self):
        if self.features["ours"] and not self.features["shares"]:
            return "not implemented: no crm.security.share"
        return None

    def _scenario_list_masked(self, warmup):
        return self._scenario_list(warmup, domain=[("user_id", "=", self.ids["owner2"])])

    def _prepare_care(self):
        if self.features["ours"] and not self.features["matrix"]:
            return "not implemented: no crm.security.matrix"
        return None

    def _scenario_care(self, warmup):
        return self._scenario_list(warmup, uid=self.ids["care"])

    # ------------------------------------------------------------------ history
    def _prepare_history(self):
        if not self.features["ours"]:
            return "absolute target: measured with the addons only"
        if not self.features["audit"]:
            return "not implemented: no crm.audit.log"
        if not hasattr(self.env["crm.audit.log"], "_crm_audit_history_action"):
            return "not implemented: no History action on records"
        if not self.features["events"]:
            return "no benchmark events in the log (see the setup notes)"
        return None

    def _prepare_history_tab(self):
        reason = self._prepare_history()
        if reason:
            return reason
        if "crm_audit_line_ids" not in self.env["res.partner"]._fields:
            return "not implemented: no History tab on customers"
        return None

    def _scenario_history(self, warmup):
        uid, calls = self.ids["salesman"], self._calls(warmup)
        uenv = self.user_env(uid)
        partner = uenv["res.partner"].browse(self.ids["salesman_first"])
        action = uenv["crm.audit.log"]._crm_audit_history_action(partner)
        view_id = next((vid for vid, kind in action.get("views") or () if kind == "list"), None)
        spec = list_spec(uenv["crm.audit.log"], view_id)
        body, out = self._list_body(uid, action["domain"], spec, calls, model="crm.audit.log")

        def check():
            return {"rows": len(out["result"]["records"]), "length": out["result"]["length"]}

        return body, calls, check

    def _scenario_history_tab(self, warmup):
        uid, calls = self.ids["salesman"], self._calls(warmup)
        Partner = self.user_env(uid)["res.partner"]
        spec = form_field_spec(Partner, ["crm_audit_event_count", "crm_audit_line_ids"])
        out = {}

        def body():
            for _ in range(calls):
                self.new_request()
                out["result"] = Partner.browse(self.ids["salesman_first"]).web_read(spec)
                self.commit_like()

        def check():
            record = out["result"][0]
            return {"events": record.get("crm_audit_event_count"), "lines": len(record.get("crm_audit_line_ids") or [])}

        return body, calls, check

    # ------------------------------------------------------------------ export
    def _prepare_export(self):
        return self._needs_audit("export") or self._needs_customers(self.sizes["export"])

    def _scenario_export(self, warmup):
        Partner = self.user_env(self.ids["salesman"])["res.partner"]
        count = self._size("export", warmup)
        fields = ["name", "email", "phone", "mobile", "street", "city", "zip", "country_id/name", "user_id/name",
                  "function"]
        check = self._audit_check()
        out = {}

        def body():
            self.new_request()
            records = Partner.search([("ref", "=like", "BENCH%"), ("user_id", "=", self.ids["salesman"])],
                                     order="id", limit=count)
            out["rows"] = len(records.export_data(fields)["datas"])
            self.commit_like()

        def audit_and_rows():
            return dict(check(), rows=out["rows"])

        return body, 1, audit_and_rows


# --------------------------------------------------------------------------- specifications
def _field_spec(Model, name, node=None):
    field = Model._fields[name]
    if field.type == "many2one":
        return {"fields": {"display_name": {}}}
    if field.type in ("one2many", "many2many"):
        comodel = Model.env[field.comodel_name]
        sub = node.find("list") if node is not None else None
        if sub is not None:
            return {"fields": {child.get("name"): _field_spec(comodel, child.get("name"), child)
                               for child in sub.iterchildren("field") if child.get("name") in comodel._fields}}
        inner = {"display_name": {}}
        if node is not None and node.get("widget") == "many2many_tags" and "color" in comodel._fields:
            inner["color"] = {}
        return {"fields": inner}
    return {}


def list_spec(Model, view_id):
    """The specification the web client sends for a list view (its fields, as the user sees them)."""
    views = Model.get_views([(view_id or False, "list")])
    arch = etree.fromstring(views["views"]["list"]["arch"])
    return {node.get("name"): _field_spec(Model, node.get("name"), node)
            for node in arch.iterchildren("field") if node.get("name") in Model._fields}


def form_field_spec(Model, names):
    """The specification of some fields of the form view (with their sub-lists)."""
    arch = etree.fromstring(Model.get_views([(False, "form")])["views"]["form"]["arch"])
    spec = {}
    for name in names:
        node = arch.find(f".//field[@name='{name}']")
        spec[name] = _field_spec(Model, name, node)
    return spec
