"""Masks that keep a value recognisable but useless. Pure Python: no ORM."""
import re

_EMAIL = re.compile(r"([A-Za-z0-9._%+'-]+)@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_NOT_DIGIT = re.compile(r"\D")


def _mask_address(match):
    local, domain = match.group(1), match.group(2)
    return f"{local[:2]}***@{domain}"


def mask_email(value):
    """``nguyen.van.a@gmail.com`` → ``ng***@gmail.com``; works inside ``"Name" <address>`` too."""
    if not value:
        return value
    masked, count = _EMAIL.subn(_mask_address, value)
    return masked if count else mask_text(value)


def mask_phone(value):
    """``0912345678`` → ``09*****678``: the first two and last three digits stay, the rest is hidden."""
    if not value:
        return value
    digits = _NOT_DIGIT.sub("", value)
    if len(digits) <= 5:
        return "*" * len(digits)
    prefix = "+" if value.strip().startswith("+") else ""
    return f"{prefix}{digits[:2]}{'*' * (len(digits) - 5)}{digits[-3:]}"


def mask_text(value):
    """Any other text: its first two characters, then ``***``."""
    if not value:
        return value
    return f"{value.strip()[:2]}***"


MASKS = {"email": mask_email, "phone": mask_phone, "other": mask_text}


def mask(kind, value):
    return MASKS.get(kind, mask_text)(value)


def looks_masked(kind, value, real):
    """Whether ``value`` is what the user was shown instead of ``real`` (a form saved unchanged)."""
    return bool(value) and bool(real) and value == mask(kind, real)
