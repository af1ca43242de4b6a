"""Canonical content and digests of audit events (pure Python, no ORM).

Each event's digest covers the previous event's digest (per company) and the event's canonical
content, its field lines included. The canonical form is built from the values exactly as they are
stored, so that `verify` can rebuild it from the database: JSON with sorted keys, integral floats
as integers (jsonb does the same), datetimes in ISO format with microseconds.
"""
import hashlib
import json
import math
from datetime import date, datetime
from json.encoder import encode_basestring as _encode_string  # the C encoder, ensure_ascii=False

GENESIS = "0" * 64

# columns of crm_audit_log covered by the digest (besides the previous digest)
EVENT_KEYS = (
    "id", "create_date", "company_id", "user_id", "real_user_id", "is_sudo", "model", "res_id",
    "res_ids", "record_count", "operation", "channel", "denied", "ip_address", "user_agent",
    "session_ref", "details",
)
# columns of crm_audit_log_line covered by the digest of their event
LINE_KEYS = (
    "res_id", "field_name", "field_type", "lang", "old_text", "new_text", "is_protected",
    "old_raw", "new_raw",
)
RAW_KEYS = {"old_raw": "old_json", "new_raw": "new_json"}


def normalize(value):
    """Return `value` as the JSON-able structure a jsonb round trip gives back."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return int(value) if value.is_integer() else value
    if isinstance(value, str):
        return str(value).replace("\x00", "")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): normalize(val) for key, val in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [normalize(val) for val in value]
    if isinstance(value, bytes):
        return {"size": len(value)}
    return str(value)


def canonical(value):
    """Deterministic JSON text of `value` (sorted keys, no spaces, UTF-8)."""
    return json.dumps(normalize(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def to_json(value):
    """Canonical JSON of an already normalized value; fast paths for the scalars of field lines."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _encode_string(value)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
COPY_NULL = "\\N"


def copy_text(text):
    """`copy_value` of a string (checked first: most need no escape)."""
    if "\\" in text or "\n" in text or "\t" in text or "\r" in text:
        return text.translate(_COPY_ESCAPES)
    return text


def copy_value(value):
    """A value in PostgreSQL COPY's text format (NULL, booleans, escaped text)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return copy_text(value)
    return str(value)


def line_canonical(line):
    """Canonical text of a field line: its LINE_KEYS values in COPY text format, raw values as JSON.

    It is also the line's row in the COPY that writes it. `line` may carry the JSON of its raw
    values ("old_json"/"new_json"); otherwise (lines read back) it is computed from the values.
    (Called once per line of every event: written out for LINE_KEYS, without loops.)
    """
    get = line.get
    old_json = line["old_json"] if "old_json" in line else (None if get("old_raw") is None else to_json(line["old_raw"]))
    new_json = line["new_json"] if "new_json" in line else (None if get("new_raw") is None else to_json(line["new_raw"]))
    return "\t".join((
        copy_value(get("res_id")), copy_value(get("field_name")), copy_value(get("field_type")),
        copy_value(get("lang")), copy_value(get("old_text")), copy_value(get("new_text")),
        copy_value(get("is_protected")), copy_value(old_json), copy_value(new_json),
    ))


def event_digest(prev_digest, event, lines):
    """SHA-256 (hex) of the previous digest and the canonical content of `event` and its `lines`."""
    digest = hashlib.sha256()
    digest.update((prev_digest or GENESIS).encode())
    digest.update(b"\n")
    digest.update(canonical({key: event.get(key) for key in EVENT_KEYS}).encode())
    for text in sorted(line.get("canonical") or line_canonical(line) for line in lines):
        digest.update(b"\n")
        digest.update(text.encode())
    return digest.hexdigest()


ID_MARKER = -7345918273645918273  # stands for an event's id until the database hands it out


def event_digest_parts(event, lines):
    """The text an event's digest covers, split around its id: (before, after) such that
    `event_digest(prev, event, lines)` is the SHA-256 of `prev + before + str(id) + after` once
    the event has its id, so the database can compute it while it hands out the id. None when the
    event's content itself holds the marker (then compute it in Python)."""
    marker = f'"id":{ID_MARKER}'
    content = canonical({key: ID_MARKER if key == "id" else event.get(key) for key in EVENT_KEYS})
    if content.count(marker) != 1:
        return None
    before, after = content.split(marker)
    texts = sorted(line.get("canonical") or line_canonical(line) for line in lines)
    return "\n" + before + '"id":', after + "".join("\n" + text for text in texts)


def first_break(events, lines_by_event, start_prev=None):
    """Walk one company's chain in id order; return (event, reason) of the first broken link or None.

    `events` are dicts with EVENT_KEYS + prev_digest + digest, `lines_by_event` {event id: lines};
    `start_prev` is the digest the first event must link to (None: accept its recorded one).
    """
    expected_prev = start_prev
    for event in events:
        if expected_prev is not None and event["prev_digest"] != expected_prev:
            return event, "link"
        if event_digest(event["prev_digest"], event, lines_by_event.get(event["id"], ())) != event["digest"]:
            return event, "content"
        expected_prev = event["digest"]
    return None
