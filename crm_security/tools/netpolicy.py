"""Parsing and checking of IP allowlists and e-mail domains. Pure Python: no ORM."""
import ipaddress
import re

_DOMAIN = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.[a-z]{2,63}$")


def parse_network(text):
    """An IPv4/IPv6 address or CIDR range; raises ValueError with a reason, refuses host bits."""
    value = (text or "").strip()
    if not value:
        raise ValueError("empty")
    try:
        return ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        if "has host bits set" in str(exc):
            raise ValueError("host bits set") from exc
        raise ValueError("malformed") from exc


def ip_in(ip, networks):
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return False
    return any(address.version == net.version and address in net for net in networks)


def normalize_domain(text):
    """`congty.vn` from ` CongTy.vn `; raises ValueError for '@', spaces or a malformed name."""
    value = (text or "").strip().lower()
    if "@" in value:
        raise ValueError("at sign")
    if not value or " " in value or not _DOMAIN.match(value):
        raise ValueError("malformed")
    return value


def login_matches(login, domains):
    login = (login or "").strip().lower()
    return "@" in login and login.rsplit("@", 1)[1] in domains
