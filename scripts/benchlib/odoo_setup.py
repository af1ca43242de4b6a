"""Benchmark data, built inside Odoo (runs in `odoo-bin shell`). Every step is idempotent.

The same code runs on every database; what exists only with our addons (matrix, shares, audit
tables) or with OCA auditlog is detected at run time.

* users: `owners` salespeople (bench_owner_01 is "the salesman" of the scenarios), a Customer Care
  user with an employee in the department "Bench Customer Care"; with crm_security the owners get
  the rights to delete and export in bulk (groups looked up by xmlid, when they exist);
* `customers` customers inserted with SQL (INSERT ... SELECT generate_series) with the columns the
  ORM writes for a customer created in the UI (checked against an ORM create);
  the salesman owns `salesman_customers`, the other owners share the rest; with crm_security
  also the stored owner and the customer stage (round robin over the six stages); each customer
  followed by its salesperson (with the default subtypes), as the ORM subscribes the creator;
* crm_security: the first `shares` customers (list order) of bench_owner_02 shared read-only
  with the salesman, without protected fields; a matrix row letting Customer Care read the
  stages "Customer" and "Returning customer" (with protected fields);
* crm_audit_log: `events` audit events (and their field lines) inserted with SQL, spread over
  the customers (about 100 per customer at full size, 1 % of them bulk events);
* OCA auditlog: a subscribed full-log rule on res.partner (create, write, delete).
"""
import json

from odoo import Command

IDS_KEY = "crm_bench.ids"
EVENTS_KEY = "crm_bench.events_done"
MARKER_KEY = "crm_bench.marker"
STAGE_CODES = ("new", "lead", "opportunity", "customer", "returning", "inactive")
LAST_NAMES = ["Nguyen", "Tran", "Le", "Pham", "Hoang", "Huynh", "Phan", "Vu", "Vo", "Dang", "Bui", "Do",
              "Ho", "Ngo", "Duong", "Ly"]
FIRST_NAMES = ["An", "Binh", "Chi", "Dung", "Giang", "Ha", "Hai", "Hanh", "Hoa", "Hung", "Khanh", "Lan",
               "Linh", "Long", "Mai", "Minh", "Nam", "Phuong", "Quan", "Thao", "Trang", "Tuan", "Vy", "Yen"]
EVENT_CHUNK = 1_000_000
NO_AUDIT = {"crm_audit_skip": True, "tracking_disable": True, "mail_create_nolog": True,
            "mail_create_nosubscribe": True, "no_reset_password": True}


def setup(env, sizes, marker):
    """Build what is missing; return {"changed": bool, "ids": {...}, "notes": [...]}."""
    env = env(context=dict(env.context, **NO_AUDIT))
    notes, changed = [], False
    ids = json.loads(env["ir.config_parameter"].get_param(IDS_KEY) or "{}")
    if not ids.get("owners"):
        ids.update(_users(env, sizes["owners"]))
        changed = True
    if _rights(env, ids):
        changed = True
    if _customers(env, ids, sizes):
        changed = True
    if _followers(env):
        changed = True
    if "crm.security.share" in env and _shares(env, ids, sizes):
        changed = True
    if "crm.security.matrix" in env and _matrix(env, ids):
        changed = True
    if "auditlog.rule" in env and _oca_rule(env):
        changed = True
    if "crm.audit.log" in env:
        done, note = _events(env, ids, sizes)
        changed |= done
        if note:
            notes.append(note)
    if changed:
        env.cr.execute("ANALYZE res_partner")
    env["ir.config_parameter"].set_param(IDS_KEY, json.dumps(ids))
    if env["ir.config_parameter"].get_param(MARKER_KEY) != json.dumps(marker, sort_keys=True):
        env["ir.config_parameter"].set_param(MARKER_KEY, json.dumps(marker, sort_keys=True))
        changed = True
    env.cr.commit()
    return {"changed": changed, "ids": ids, "notes": notes}


# --------------------------------------------------------------------------- users
def _users(env, count):
    company = env.ref("base.main_company")
    groups = [env.ref("sales_team.group_sale_salesman").id, env.ref("base.group_partner_manager").id,
              env.ref("base.group_allow_export").id]
    Users = env["res.users"]
    owners = Users.create([{
        "name": f"Bench Owner {i:02d}", "login": f"bench_owner_{i:02d}", "email": f"owner{i:02d}@bench.example.com",
        "company_id": company.id, "company_ids": [Command.set(company.ids)], "groups_id": [Command.set(groups)],
    } for i in range(1, count + 1)])
    care = Users.create({
        "name": "Bench Care", "login": "bench_care", "email": "care@bench.example.com",
        "company_id": company.id, "company_ids": [Command.set(company.ids)],
        "groups_id": [Command.set([env.ref("base.group_user").id, env.ref("base.group_allow_export").id])],
    })
    department = env["hr.department"].create({"name": "Bench Customer Care", "company_id": company.id})
    env["hr.employee"].create({"name": "Bench Care", "user_id": care.id, "department_id": department.id,
                               "company_id": company.id})
    # the administrator may restore deleted records, when the audit log has such a group
    for xmlid in ("crm_audit_log.group_audit_restore", "crm_audit_log.group_audit_manager"):
        group = env.ref(xmlid, raise_if_not_found=False)
        if group:
            group.users = [Command.link(env.ref("base.user_admin").id)]
    return {"owners": owners.ids, "salesman": owners[0].id, "owner2": owners[1].id, "care": care.id,
            "department": department.id, "company": company.id, "admin": env.ref("base.user_admin").id}


# rights of crm_security that the salesman needs to delete and export his customers in bulk
# (a real user also confirms their password in the browser first; there is no request here)
OPERATION_GROUPS = ("crm_security.group_bulk_delete", "crm_security.group_export_sensitive")


def _rights(env, ids):
    owners = env["res.users"].browse(ids["owners"])
    changed = False
    for xmlid in OPERATION_GROUPS:
        group = env.ref(xmlid, raise_if_not_found=False)
        if group and owners - group.users:
            group.users = [Command.link(uid) for uid in (owners - group.users).ids]
            changed = True
    return changed


# --------------------------------------------------------------------------- customers
def _customers(env, ids, sizes):
    cr = env.cr
    cr.execute("SELECT count(*) FROM res_partner WHERE ref LIKE %s", ["BENCH%"])
    existing = cr.fetchone()[0]
    total = sizes["customers"]
    if existing == total:
        changed = False
    elif existing:
        raise RuntimeError(f"{existing} benchmark customers instead of {total}: rebuild the databases (--rebuild)")
    else:
        _insert_customers(env, ids, sizes)
        changed = True
    if "customer_stage_id" in env["res.partner"]._fields:
        changed |= _fill_ours(env)
    cr.execute("SELECT min(id) FROM res_partner WHERE ref LIKE %s AND user_id = %s", ["BENCH%", ids["salesman"]])
    ids["salesman_first"] = cr.fetchone()[0]
    return changed


def _insert_customers(env, ids, sizes):
    owners = ids["owners"][: sizes["owners"]]
    mine = sizes["salesman_customers"]
    env.cr.execute(
        """
        INSERT INTO res_partner (id, commercial_partner_id, name, complete_name, ref, email, email_normalized,
               phone, phone_sanitized, mobile, street, city, zip, country_id, function, website, user_id,
               active, type, lang, partner_share, is_company, create_uid, write_uid, create_date, write_date,
               calendar_last_notif_ack)
        SELECT s.id, s.id, s.name, s.name, 'BENCH' || lpad(s.g::text, 7, '0'),
               s.mail, s.mail, '+84 28 3' || lpad(s.g::text, 7, '0'), '+84283' || lpad(s.g::text, 7, '0'),
               '+84 90 ' || lpad(s.g::text, 7, '0'), s.g || ' Le Loi Street',
               (ARRAY['Ho Chi Minh City', 'Ha Noi', 'Da Nang', 'Can Tho', 'Hai Phong'])[1 + s.g %% 5],
               '700000', %(country)s, 'Buyer', 'https://c' || s.g || '.example.com', s.owner,
               TRUE, 'contact', 'en_US', TRUE, FALSE, s.owner, s.owner, s.at, s.at, s.at
          FROM (SELECT g, nextval('res_partner_id_seq') AS id,
                       (%(last)s::text[])[1 + g %% 16] || ' ' || (%(first)s::text[])[1 + (g / 16) %% 24] || ' '
                           || lpad(g::text, 6, '0') AS name,
                       lower((%(first)s::text[])[1 + (g / 16) %% 24] || '.' || (%(last)s::text[])[1 + g %% 16])
                           || '.' || g || '@example.com' AS mail,
                       CASE WHEN g <= %(mine)s THEN (%(owners)s::int[])[1]
                            ELSE (%(owners)s::int[])[2 + (g - %(mine)s - 1) %% (%(n_owners)s - 1)] END AS owner,
                       (now() AT TIME ZONE 'UTC') - make_interval(mins => %(total)s - g) AS at
                  FROM generate_series(1, %(total)s) g) s
        """,
        {"country": env.ref("base.vn").id, "last": LAST_NAMES, "first": FIRST_NAMES, "mine": mine, "owners": owners,
         "n_owners": len(owners), "total": sizes["customers"]},
    )


def _followers(env):
    """Each benchmark customer followed by its salesperson, with the default subtypes, as the ORM does
    for a customer created in the UI. Without these rows, mail_followers is empty but for what a
    repetition inserts and rolls back: vacuumed between repetitions, its statistics said "empty",
    and Odoo's follower lookup on create, planned as a scan of the table's primary key, read every
    follower inserted so far in the transaction (creating 10,000 customers took 75 s instead of
    24 s, on one side or the other at random)."""
    cr = env.cr
    cr.execute(
        """
        INSERT INTO mail_followers (res_model, res_id, partner_id)
        SELECT 'res.partner', p.id, u.partner_id
          FROM res_partner p JOIN res_users u ON u.id = p.user_id
         WHERE p.ref LIKE 'BENCH%%'
        ON CONFLICT DO NOTHING
        RETURNING id
        """)
    follower_ids = [row[0] for row in cr.fetchall()]
    subtypes = env["mail.message.subtype"].default_subtypes("res.partner")[0]
    if follower_ids and subtypes:
        cr.execute(
            """
            INSERT INTO mail_followers_mail_message_subtype_rel (mail_followers_id, mail_message_subtype_id)
            SELECT f, s FROM unnest(%s::int[]) f, unnest(%s::int[]) s ON CONFLICT DO NOTHING
            """, [follower_ids, subtypes.ids])
    return bool(follower_ids)


def _fill_ours(env):
    """The stored owner, the customer stage and the stage of each customer's company, as the ORM
    would have set them (the last as crm_security fills it when an upgrade adds its column)."""
    cr = env.cr
    stages = [env["crm.customer.stage"].sudo()._by_code(code).id for code in STAGE_CODES]
    cr.execute(
        """
        UPDATE res_partner SET crm_owner_id = user_id,
               customer_stage_id = (%(stages)s::int[])[1 + (substr(ref, 6)::int %% 6)]
         WHERE ref LIKE 'BENCH%%' AND (customer_stage_id IS NULL OR crm_owner_id IS DISTINCT FROM user_id)
        """, {"stages": stages})
    changed = bool(cr.rowcount)
    env["res.partner"]._crm_security_fill_commercial_stage()
    return changed or bool(cr.rowcount)


# --------------------------------------------------------------------------- crm_security
def _shares(env, ids, sizes):
    Share = env["crm.security.share"]
    if Share.search_count([("user_id", "=", ids["salesman"]), ("partner_id", "!=", False)]):
        return False
    partners = env["res.partner"].search([("ref", "=like", "BENCH%"), ("user_id", "=", ids["owner2"])],
                                         limit=sizes["shares"])
    Share.create([{"partner_id": partner.id, "target_type": "user", "user_id": ids["salesman"], "level": "read",
                   "include_sensitive": False} for partner in partners])
    return True


def _matrix(env, ids):
    Matrix = env["crm.security.matrix"]
    if Matrix.search_count([("department_id", "=", ids["department"])]):
        return False
    Stage = env["crm.customer.stage"]
    readable = Stage.search([("code", "in", ("customer", "returning"))])
    values = {"department_id": ids["department"], "see_sensitive": True}
    if "cell_ids" in Matrix._fields:
        values["cell_ids"] = [Command.create({"stage_id": stage.id, "access": "read" if stage in readable else "none"})
                              for stage in Stage.search([])]
    Matrix.create(values)
    return True


# --------------------------------------------------------------------------- OCA auditlog
OCA_LOG_TYPE = "fast"

def _oca_rule(env):
    """OCA auditlog in its fast mode (the values written, not the records read before and after):
    the reference the audit log issue sets ("at least 3× faster than OCA auditlog's fast mode")."""
    Rule = env["auditlog.rule"]
    model = env["ir.model"]._get("res.partner")
    existing = Rule.search([("model_id", "=", model.id), ("state", "=", "subscribed")])
    if existing:
        if existing.filtered(lambda rule: rule.log_type != OCA_LOG_TYPE):
            existing.write({"log_type": OCA_LOG_TYPE})
            return True
        return False
    values = {"name": "Customers (benchmark)", "model_id": model.id, "log_create": True, "log_write": True,
              "log_unlink": True, "log_read": False, "log_type": OCA_LOG_TYPE}
    if "capture_record" in Rule._fields:
        values["capture_record"] = True
    Rule.create(values).subscribe()
    return True


# --------------------------------------------------------------------------- audit events
def _events(env, ids, sizes):
    """Insert the missing benchmark events; (inserted anything, note or None)."""
    from .odoo_events import insert_events

    Param = env["ir.config_parameter"]
    done = int(Param.get_param(EVENTS_KEY) or 0)
    if done >= sizes["events"]:
        return False, None
    note = insert_events(env, ids, start=done, total=sizes["events"], chunk=EVENT_CHUNK,
                         progress=lambda n: (Param.set_param(EVENTS_KEY, str(n)), env.cr.commit()))
    return True, note
