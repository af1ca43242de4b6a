"""Sensitive fields masked for a user who may open the customer, seen by an external client."""
import json
import uuid

import pytest

from .conftest import SALESMAN, RpcError


@pytest.fixture(scope="module")
def shared(make_user):
    owner, _owner_uid = make_user("Mask Owner", SALESMAN)
    viewer, viewer_uid = make_user("Mask Viewer", SALESMAN)
    tag = uuid.uuid4().hex[:8]
    email, phone = f"boss.{tag}@masked-e2e.vn", "0912345678"
    partner_id = owner.execute("res.partner", "create", {"name": f"Masked Co {tag}", "email": email, "phone": phone})
    owner.execute("crm.security.share", "create", {"partner_id": partner_id, "user_id": viewer_uid})
    return dict(owner=owner, viewer=viewer, partner_id=partner_id, email=email, phone=phone, tag=tag)


def test_viewer_sees_masks_everywhere(shared):
    viewer, pid, email, phone = shared["viewer"], shared["partner_id"], shared["email"], shared["phone"]
    calls = [
        ("read", [[pid], ["email", "phone", "email_normalized", "phone_sanitized", "email_formatted"]], {}),
        ("search_read", [[("id", "=", pid)]], {"fields": ["email", "phone"]}),
        ("web_search_read", [[("id", "=", pid)]], {"specification": {"email": {}, "phone": {}}}),
        ("export_data", [[pid], ["email", "phone"]], {}),
        ("search_read", [[("email", "ilike", "masked-e2e")]], {"fields": ["name"]}),
        ("name_search", [email], {}),
    ]
    for method, args, kwargs in calls:
        viewer.execute("res.partner", method, *args, **kwargs)
        assert email not in viewer.last_response_text, method
        assert phone not in viewer.last_response_text, method
        assert "345678" not in viewer.last_response_text, method
    record = viewer.execute("res.partner", "read", [pid], ["email", "phone", "crm_security_masked_fields"])[0]
    assert record["email"].startswith("bo***@masked-e2e.vn")
    assert record["phone"] == "09*****678"
    assert "email" in json.loads(record["crm_security_masked_fields"])


def test_grouping_by_a_protected_field_is_refused(shared):
    with pytest.raises(RpcError) as caught:
        shared["viewer"].execute("res.partner", "read_group", [], ["email"], ["email"])
    assert "protected" in caught.value.message


def test_saving_the_mask_keeps_the_real_value(shared):
    viewer, owner, pid = shared["viewer"], shared["owner"], shared["partner_id"]
    shown = viewer.execute("res.partner", "read", [pid], ["email"])[0]["email"]
    with pytest.raises(RpcError):  # a read share: the viewer may not write at all
        viewer.execute("res.partner", "write", [pid], {"email": shown})
    assert owner.execute("res.partner", "read", [pid], ["email"])[0]["email"] == shared["email"]


def test_owner_sees_real_values(shared):
    record = shared["owner"].execute("res.partner", "read", [shared["partner_id"]], ["email", "phone"])[0]
    assert (record["email"], record["phone"]) == (shared["email"], shared["phone"])
