"""The server the test command starts is a real Odoo 18 with both addons, reachable as an external client."""


def test_server_is_odoo_18(admin):
    version = admin.service("common", "version")
    assert version["server_version_info"][:2] == [18, 0]


def test_both_addons_installed(admin):
    mods = admin.execute("ir.module.module", "search_read",
                         [("name", "in", ["crm_security", "crm_audit_log"])], fields=["name", "state"])
    assert {m["name"]: m["state"] for m in mods} == {"crm_security": "installed", "crm_audit_log": "installed"}


def test_languages_loaded(admin):
    langs = admin.execute("res.lang", "search_read", [("code", "in", ["vi_VN", "zh_CN"])], fields=["code"])
    assert {lang["code"] for lang in langs} == {"vi_VN", "zh_CN"}


def test_security_groups_exist_and_are_translated(admin):
    groups = admin.execute("ir.model.data", "search_read",
                           [("module", "in", ["crm_security", "crm_audit_log"]), ("model", "=", "res.groups")],
                           fields=["name", "res_id"])
    names = {g["name"] for g in groups}
    assert {"group_customer_data_admin", "group_crm_security_manager", "group_audit_auditor",
            "group_audit_manager"} <= names
    group_id = next(g["res_id"] for g in groups if g["name"] == "group_customer_data_admin")
    en = admin.execute("res.groups", "read", [group_id], ["name"])[0]["name"]
    vi = admin.execute("res.groups", "read", [group_id], ["name"], context={"lang": "vi_VN"})[0]["name"]
    zh = admin.execute("res.groups", "read", [group_id], ["name"], context={"lang": "zh_CN"})[0]["name"]
    assert len({en, vi, zh}) == 3, (en, vi, zh)


def test_a_new_user_logs_in_over_rpc_and_the_web(make_user, client_factory):
    client, uid = make_user("Rpc Tester", ["sales_team.group_sale_salesman"])
    assert client.execute("res.users", "read", [uid], ["login"])[0]["login"]
    web = client_factory()
    assert web.web_login(client.execute("res.users", "read", [uid], ["login"])[0]["login"],
                         client.password) == uid
