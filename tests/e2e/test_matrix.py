"""The department × customer stage matrix, seen by an external client over /jsonrpc.

An administrator puts a new salesperson in a new department and gives that department a row of
the matrix; the salesperson then sees the customers of the granted stages that somebody else
owns, on every read path, and the next call already follows a change of stage or of the matrix.
"""
import uuid

import pytest

from .conftest import RpcError

SALESMAN = ["sales_team.group_sale_salesman", "base.group_partner_manager"]
STAGES = ("new", "lead", "opportunity", "customer", "returning", "inactive")


def _xmlid(admin, module, name):
    found = admin.execute("ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)],
                          fields=["res_id"])
    assert found, f"{module}.{name} not found"
    return found[0]["res_id"]


@pytest.fixture(scope="module")
def world(admin, make_user):
    tag = uuid.uuid4().hex[:8]
    stage = {code: _xmlid(admin, "crm_security", f"customer_stage_{code}") for code in STAGES}
    owner, owner_uid = make_user("E2E Matrix Owner", SALESMAN)
    member, member_uid = make_user("E2E Care Member", SALESMAN)
    department_id = admin.execute("hr.department", "create", {"name": f"E2E Customer Care {tag}"})
    admin.execute("hr.employee", "create", {"name": "E2E Care Member", "user_id": member_uid,
                                            "department_id": department_id})
    customers = {
        code: owner.execute("res.partner", "create", {
            "name": f"Matrix {tag} {code}", "is_company": True, "email": f"{code}.{tag}@matrix-e2e.vn",
            "customer_stage_id": stage[code]})
        for code in STAGES
    }
    for code, partner_id in customers.items():
        read = admin.execute("res.partner", "read", [partner_id], ["user_id", "customer_stage_id"])[0]
        assert (read["user_id"][0], read["customer_stage_id"][0]) == (owner_uid, stage[code])
    return dict(tag=tag, stage=stage, owner=owner, member=member, department_id=department_id,
                customers=customers, code_of={pid: code for code, pid in customers.items()})


@pytest.fixture
def row(admin, world):
    """The department's row: Customer read, Returning customer edit; removed after the test."""
    row_id = admin.execute("crm.security.matrix", "create", {
        "department_id": world["department_id"],
        "cell_ids": [(0, 0, {"stage_id": world["stage"]["customer"], "access": "read"}),
                     (0, 0, {"stage_id": world["stage"]["returning"], "access": "edit"})],
    })
    yield row_id
    rows = admin.execute("crm.security.matrix", "search", [("department_id", "=", world["department_id"])])
    admin.execute("crm.security.matrix", "unlink", rows)


def cells(admin, row_id):
    """{stage id: cell id} of the row."""
    found = admin.execute("crm.security.matrix.cell", "search_read", [("matrix_id", "=", row_id)],
                          fields=["stage_id"])
    return {cell["stage_id"][0]: cell["id"] for cell in found}


def seen(world):
    """The stage codes of the world's customers the member finds, by three read paths that must agree."""
    member, tag = world["member"], world["tag"]
    domain = [("name", "like", f"Matrix {tag} ")]
    found = member.execute("res.partner", "search_read", domain, fields=["name", "customer_stage_id"])
    codes = {world["code_of"][rec["id"]] for rec in found}
    assert member.execute("res.partner", "search_count", domain) == len(codes)
    named = member.execute("res.partner", "name_search", f"Matrix {tag}", [], "ilike", 100)
    assert {world["code_of"][pid] for pid, _name in named} == codes
    return codes


def test_sees_exactly_the_granted_stages(admin, world, row):
    member, customers = world["member"], world["customers"]
    assert seen(world) == {"customer", "returning"}
    # outside the granted stages nothing leaks, whatever the path
    for code in ("new", "lead", "opportunity", "inactive"):
        with pytest.raises(RpcError) as caught:
            member.execute("res.partner", "read", [customers[code]], ["name"])
        assert caught.value.name == "odoo.exceptions.AccessError"
        assert f"Matrix {world['tag']} {code}" not in member.last_response_text
    member.execute("res.partner", "search_read", [], fields=["name", "email"])
    for code in ("new", "lead", "opportunity", "inactive"):
        assert f"{code}.{world['tag']}@matrix-e2e.vn" not in member.last_response_text
    # read cell: read only; edit cell: may edit
    with pytest.raises(RpcError) as caught:
        member.execute("res.partner", "write", [customers["customer"]], {"comment": "called"})
    assert caught.value.name == "odoo.exceptions.AccessError"
    assert member.execute("res.partner", "write", [customers["returning"]], {"comment": "called"}) is True


def test_protected_fields_follow_the_row(admin, world, row):
    member, partner_id = world["member"], world["customers"]["customer"]
    real = f"customer.{world['tag']}@matrix-e2e.vn"
    assert member.execute("res.partner", "read", [partner_id], ["email"])[0]["email"] != real
    assert real not in member.last_response_text
    admin.execute("crm.security.matrix", "write", [row], {"see_sensitive": True})
    assert member.execute("res.partner", "read", [partner_id], ["email"])[0]["email"] == real


def test_stage_change_applies_at_once(admin, world, row):
    partner_id, stage = world["customers"]["opportunity"], world["stage"]
    try:
        admin.execute("res.partner", "write", [partner_id], {"customer_stage_id": stage["customer"]})
        assert seen(world) == {"customer", "returning", "opportunity"}
        admin.execute("res.partner", "write", [partner_id], {"customer_stage_id": stage["inactive"]})
        assert seen(world) == {"customer", "returning"}
    finally:
        admin.execute("res.partner", "write", [partner_id], {"customer_stage_id": stage["opportunity"]})


def test_matrix_change_applies_at_once(admin, world, row):
    customer_cell = cells(admin, row)[world["stage"]["customer"]]
    # as the form saves it: the row with commands on its cells
    admin.execute("crm.security.matrix", "write", [row], {"cell_ids": [(1, customer_cell, {"access": "none"})]})
    assert seen(world) == {"returning"}
    admin.execute("crm.security.matrix", "write", [row], {
        "cell_ids": [(0, 0, {"stage_id": world["stage"]["opportunity"], "access": "read"})]})
    assert seen(world) == {"returning", "opportunity"}
    # a cell written on its own
    admin.execute("crm.security.matrix.cell", "write", [customer_cell], {"access": "edit"})
    assert seen(world) == {"customer", "returning", "opportunity"}
    assert world["member"].execute("res.partner", "write", [world["customers"]["customer"]],
                                   {"comment": "edit granted"}) is True
    # the row removed: back to owner-only
    admin.execute("crm.security.matrix", "unlink", [row])
    assert seen(world) == set()
