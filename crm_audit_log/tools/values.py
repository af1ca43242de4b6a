"""Typed values of field lines (pure Python, no ORM).

A line keeps two forms of each value:
* raw: typed JSON for the system (restore/revert): a many2one is [id, name], a many2many the
  sorted list of ids, dates ISO strings, numbers numbers;
* text: what people read in the history (names, selection labels), shortened.
"""
import re
from datetime import date, datetime

from .chain import COPY_NULL, canonical, copy_text, line_canonical, normalize, to_json

MASK = "••••••"
TEXT_LIMIT = 2000
# values never written to the log, whatever the rules say (the change itself is logged)
SECRET_NAME = re.compile(r"(^|_)(password|passwd|secret|token|apikey|api_key|totp)(_|$)", re.IGNORECASE)


def is_empty(value):
    """No value worth a line on create/delete (0 and 0.0 are values)."""
    return value is None or value is False or (isinstance(value, str | tuple | list) and not value)


def is_secret(field_name, groups):
    return groups == "." or bool(SECRET_NAME.search(field_name))


def raw_value(field_type, value):
    """Raw JSON form of a value as the ORM cache holds it (ids for relations)."""
    if value is None or value is False:
        return None if field_type not in ("boolean",) else bool(value)
    if field_type in ("many2many", "one2many"):
        return sorted(int(v) for v in value if isinstance(v, int))
    if field_type == "many2one":
        return value if isinstance(value, int) else None
    if field_type == "binary":
        return {"size": len(value)} if isinstance(value, bytes | str) else None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return normalize(value)


def shorten(text, limit=TEXT_LIMIT):
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


def text_value(field_type, raw, labels=None, names=None, yes_no=("Yes", "No")):
    """Readable text of a raw value; `names` maps ids to display names, `labels` selection keys."""
    if raw is None:
        return None
    names = names or {}
    if field_type == "many2one":
        rec_id = raw[0] if isinstance(raw, list) else raw
        return names.get(rec_id) or f"#{rec_id}"
    if field_type in ("many2many", "one2many"):
        return shorten(", ".join(names.get(rec_id) or f"#{rec_id}" for rec_id in raw))
    if field_type == "boolean":
        return yes_no[0] if raw else yes_no[1]
    if field_type == "selection":
        return (labels or {}).get(raw, str(raw))
    if field_type == "binary":
        return f"({raw.get('size', 0)} bytes)" if isinstance(raw, dict) else None
    if isinstance(raw, dict | list):
        return shorten(canonical(raw))
    return shorten(str(raw))


def with_name(field_type, raw, names):
    """Raw many2one values become [id, name] once names are known."""
    if field_type == "many2one" and isinstance(raw, int):
        return [raw, names.get(raw) or ""]
    return raw


def deleted_lines(field, rec_ids, values, protected, labels, names, yes_no):
    """Finished field lines of one field of deleted records: {res_id, field_name, canonical} each,
    `canonical` being exactly `line_canonical` of the full line (old value only, see
    `text_value`, `with_name`, `to_json`), built without the full line for the values of nearly
    every line (strings, many2one, integers); a delete has a line per field and record.

    `values` are the raw values aligned with `rec_ids` (translated fields: {lang: value})."""
    fname, ftype = field.name, field.type
    head = f"{copy_text(fname)}\t{ftype}\t"
    flag = "t" if protected else "f"
    lines = []
    for rec_id, value in zip(rec_ids, values, strict=True):
        if field.translate:
            pairs = [(lang, value.get(lang, value.get("en_US"))) for lang in sorted(value or ())]
        else:
            pairs = ((None, value),)
        for lang, old in pairs:
            if is_empty(old):
                continue
            kind = type(old)
            if ftype == "many2one" and kind is int:
                name = names.get(old) or ""
                text, json_text = name or f"#{old}", f"[{old},{to_json(name)}]"
            elif kind is str and ftype != "selection":
                text, json_text = shorten(old), to_json(old)
            elif kind is int and ftype != "selection":
                text = json_text = str(old)
            else:  # anything else the general way
                raw = with_name(ftype, old, names)
                line = {"res_id": rec_id, "field_name": fname, "field_type": ftype, "lang": lang,
                        "old_raw": raw, "new_raw": None, "is_protected": protected,
                        "old_text": None if protected else text_value(ftype, raw, labels, names, yes_no),
                        "new_text": None}
                lines.append({"res_id": rec_id, "field_name": fname, "canonical": line_canonical(line)})
                continue
            text = COPY_NULL if protected else copy_text(text)
            lang_text = COPY_NULL if lang is None else copy_text(lang)
            lines.append({"res_id": rec_id, "field_name": fname, "canonical": (
                f"{rec_id}\t{head}{lang_text}\t{text}\t{COPY_NULL}\t{flag}\t{copy_text(json_text)}\t{COPY_NULL}")})
    return lines
