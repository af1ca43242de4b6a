"""IP allowlist seen from two source addresses (loopback aliases), as an external client would."""
import pytest

from .conftest import SALESMAN, RpcError, loopback_alias_available

ALLOWED, OTHER = "127.0.0.2", "127.0.0.1"


@pytest.fixture
def allowlist(admin):
    """Call it with a mode once the test's users exist (make_user logs them in from 127.0.0.1)."""
    company_id = admin.execute("res.users", "read", [admin.uid], ["company_id"])[0]["company_id"][0]
    rule_id = admin.execute("crm.security.ip.rule", "create", {"network": f"{ALLOWED}/32", "name": "e2e office",
                                                               "company_id": company_id})

    def enable(mode):
        admin.execute("res.company", "write", [company_id], {"crm_security_ip_mode": mode})

    yield enable
    enable("off")
    admin.execute("crm.security.ip.rule", "unlink", [rule_id])


def test_allowlist_from_two_addresses(make_user, client_factory, allowlist):
    assert loopback_alias_available(ALLOWED), "this machine has no 127.0.0.2 on its loopback interface"
    user, uid = make_user("Policy Salesman", SALESMAN)
    user_login = user.execute("res.users", "read", [uid], ["login"])[0]["login"]
    allowlist("enforce")
    from_office = client_factory(source=ALLOWED)
    from_elsewhere = client_factory(source=OTHER)
    assert from_office.authenticate(user_login, user.password) == uid
    assert from_office.execute("res.partner", "search_count", []) >= 0
    assert not from_elsewhere.authenticate(user_login, user.password)
    with pytest.raises(RpcError):
        from_elsewhere.uid = uid
        from_elsewhere.password = user.password
        from_elsewhere.execute("res.partner", "search_count", [])
    assert from_office.web_login(user_login, user.password) == uid
    with pytest.raises(RpcError):  # the web login from outside the allowlist is refused
        client_factory(source=OTHER).web_login(user_login, user.password)


def test_audit_only_mode_allows(make_user, client_factory, allowlist):
    user, uid = make_user("Audited Salesman", SALESMAN)
    login = user.execute("res.users", "read", [uid], ["login"])[0]["login"]
    allowlist("audit")
    assert client_factory(source=OTHER).authenticate(login, user.password) == uid
