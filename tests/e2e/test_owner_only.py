"""Owner-only customers and leads, seen by an external client over /jsonrpc and the web session."""
import uuid

import pytest

from .conftest import SALESMAN, RpcError


@pytest.fixture(scope="module")
def people(make_user):
    owner, owner_uid = make_user("E2E Owner", SALESMAN)
    outsider, outsider_uid = make_user("E2E Outsider", SALESMAN)
    tag = uuid.uuid4().hex[:8]
    email = f"ceo.{tag}@private-e2e.vn"
    name = f"Private Customer {tag}"
    partner_id = owner.execute("res.partner", "create", {"name": name, "email": email, "phone": "+84 90 111 2233"})
    lead_id = owner.execute("crm.lead", "create", {"name": f"Deal {tag}", "partner_id": partner_id})
    return dict(owner=owner, outsider=outsider, outsider_uid=outsider_uid, owner_uid=owner_uid,
                partner_id=partner_id, lead_id=lead_id, email=email, name=name, tag=tag)


def _clean(client, *secrets):
    for secret in secrets:
        assert secret not in client.last_response_text


def test_owner_is_the_creator(people):
    partner = people["owner"].execute("res.partner", "read", [people["partner_id"]], ["user_id", "email"])[0]
    assert partner["user_id"][0] == people["owner_uid"]
    assert partner["email"] == people["email"]


def test_outsider_learns_nothing(people):
    outsider, tag, email = people["outsider"], people["tag"], people["email"]
    assert outsider.execute("res.partner", "search", [("email", "=", email)]) == []
    _clean(outsider, tag)
    assert outsider.execute("res.partner", "search_count", [("email", "ilike", "private-e2e")]) == 0
    assert outsider.execute("res.partner", "name_search", email) == []
    outsider.execute("res.partner", "search_read", [], fields=["name", "email"])
    _clean(outsider, tag, email)
    outsider.execute("crm.lead", "search_read", [], fields=["name", "partner_id"])
    _clean(outsider, tag)
    outsider.execute("res.partner", "read_group", [], ["name"], ["name"])
    _clean(outsider, tag)
    for model, rec_id in (("res.partner", people["partner_id"]), ("crm.lead", people["lead_id"])):
        with pytest.raises(RpcError) as caught:
            outsider.execute(model, "read", [rec_id], ["name"])
        assert caught.value.name == "odoo.exceptions.AccessError"
        _clean(outsider, tag, email)


def test_share_then_revoke(people):
    owner, outsider = people["owner"], people["outsider"]
    share_id = owner.execute("crm.security.share", "create", {
        "partner_id": people["partner_id"], "user_id": people["outsider_uid"], "reason": "e2e"})
    found = outsider.execute("res.partner", "search_read", [("name", "=", people["name"])], fields=["name", "email"])
    assert [f["name"] for f in found] == [people["name"]]
    assert found[0]["email"] != people["email"], "a read share shows the customer, not its e-mail"
    owner.execute("crm.security.share", "action_revoke", [share_id])
    assert outsider.execute("res.partner", "search", [("name", "=", people["name"])]) == []


def test_hand_over_to_a_stranger_is_refused(people):
    with pytest.raises(RpcError) as caught:
        people["owner"].execute("res.partner", "write", [people["partner_id"]], {"user_id": people["outsider_uid"]})
    assert "colleague" in caught.value.message


def test_web_session_path(people, client_factory):
    web = client_factory()
    login = people["outsider"].execute("res.users", "read", [people["outsider_uid"]], ["login"])[0]["login"]
    assert web.web_login(login, people["outsider"].password) == people["outsider_uid"]
    result = web.call_kw("res.partner", "web_search_read", [], specification={"display_name": {}, "email": {}})
    assert people["tag"] not in repr(result)
