"""The audit log seen by external clients: a real Odoo server, JSON-RPC and the web client's routes.

These run against the production code paths that Odoo's HTTP tests replace: commits, postcommit
hooks of read-only requests, separate cursors for refused logins.
"""
import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import RpcError

SALESMAN = ["sales_team.group_sale_salesman", "base.group_partner_manager"]


@pytest.fixture(scope="module")
def customer(admin):
    tag = uuid.uuid4().hex[:8]
    partner_id = admin.execute("res.partner", "create", {"name": f"Audit E2E {tag}", "phone": "0901 000 111"})
    return partner_id


def _events(admin, partner_id, operation):
    return admin.execute(
        "crm.audit.log", "search_read",
        [("record_ref", "=", f"res.partner,{partner_id}"), ("operation", "=", operation)],
        fields=["channel", "ip_address", "user_id", "line_ids", "user_agent"], order="id desc")


def test_jsonrpc_change_appears_in_the_history(admin, customer):
    admin.execute("res.partner", "write", [customer], {"phone": "0909 999 888"})
    event = _events(admin, customer, "write")[0]
    assert event["channel"] == "jsonrpc"
    assert event["ip_address"] == "127.0.0.1"
    assert event["user_id"][0] == admin.uid
    lines = admin.execute("crm.audit.log.line", "read", event["line_ids"], ["field_name", "old_value", "new_value"])
    phone = [line for line in lines if line["field_name"] == "phone"]
    assert [(line["old_value"], line["new_value"]) for line in phone] == [("0901 000 111", "0909 999 888")]
    history = admin.execute("res.partner", "read", [customer], ["crm_audit_line_ids", "crm_audit_event_count"])[0]
    assert set(event["line_ids"]) <= set(history["crm_audit_line_ids"])
    assert history["crm_audit_event_count"] >= 2


def test_list_in_a_read_only_request_is_recorded(make_user, client_factory, admin):
    login = f"audit.e2e.{uuid.uuid4().hex[:6]}@example.com"
    rpc, uid = make_user("Audit Reader", SALESMAN, login=login)
    own = rpc.execute("res.partner", "create", {"name": f"Own customer {login}"})
    web = client_factory()
    assert web.web_login(login, login) == uid
    result = web.call_kw("res.partner", "web_search_read", [("id", "=", own)], {"name": {}})
    assert result["length"] == 1
    reads = admin.execute("crm.audit.log", "search_read",
                          [("operation", "=", "read"), ("user_id", "=", uid), ("model", "=", "res.partner")],
                          fields=["channel", "record_count", "session_ref"])
    assert [(r["channel"], r["record_count"]) for r in reads] == [("web", 1)]
    assert reads[0]["session_ref"]


def test_refused_login_is_kept(client_factory, admin):
    intruder = client_factory()
    assert intruder.authenticate("admin", f"wrong-{uuid.uuid4().hex}") is False
    failed = admin.execute("crm.audit.log", "search_read",
                           [("operation", "=", "login_failed"), ("user_id", "=", admin.uid)],
                           fields=["channel", "ip_address", "denied", "details"], order="id desc", limit=1)
    assert failed and failed[0]["denied"]
    assert (failed[0]["channel"], failed[0]["ip_address"]) == ("jsonrpc", "127.0.0.1")
    assert "wrong-" not in str(failed)


def test_concurrent_changes_keep_one_valid_chain(admin, client_factory):
    """Requests appending at the same time, each in its own REPEATABLE READ transaction whose
    snapshot may predate the others' commits, still chain every event to the one before it."""
    tag = uuid.uuid4().hex[:8]
    partner_ids = admin.execute("res.partner", "create", [{"name": f"Concurrent {tag} {i}"} for i in range(6)])

    def work(partner_id):
        client = client_factory()
        client.authenticate("admin", os.environ.get("CRM_E2E_ADMIN_PASSWORD", "admin"))
        for round_ in range(5):
            client.execute("res.partner", "write", [partner_id], {"function": f"Round {round_}"})

    with ThreadPoolExecutor(len(partner_ids)) as pool:
        list(pool.map(work, partner_ids))
    writes = admin.execute("crm.audit.log", "search_count",
                           [("operation", "=", "write"), ("record_ref", "in", [f"res.partner,{pid}" for pid in partner_ids])])
    assert writes == 5 * len(partner_ids)
    action = admin.execute("crm.audit.log", "action_verify_integrity")
    assert action["params"]["type"] == "success", action["params"]["message"]


def test_the_chain_verifies(admin):
    action = admin.execute("crm.audit.log", "action_verify_integrity")
    assert action["params"]["type"] == "success", action["params"]["message"]


def test_refused_rpc_export_is_kept(make_user, admin):
    """The refusal rolls the request back; its audit event is written by a cursor of its own."""
    rpc, uid = make_user("Audit No Export", ["sales_team.group_sale_salesman", "base.group_partner_manager",
                                             "base.group_allow_export"])
    own = rpc.execute("res.partner", "create", {"name": f"No export {uuid.uuid4().hex[:6]}"})
    with pytest.raises(RpcError) as caught:
        rpc.execute("res.partner", "export_data", [own], ["name", "phone"])
    assert "export" in caught.value.message
    refused = admin.execute("crm.audit.log", "search_read",
                            [("operation", "=", "export"), ("user_id", "=", uid)],
                            fields=["denied", "channel", "res_id", "details"])
    assert [(r["denied"], r["channel"], r["res_id"], r["details"]["fields"]) for r in refused] == [
        (True, "jsonrpc", own, ["name", "phone"])]
