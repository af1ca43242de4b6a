"""Pure rules of the translation gate: placeholders, the glossary and how terms are matched.

No Odoo and no file of the addons here, so the rules are unit-tested on their own
(tests/static/test_i18n.py) and reused by whoever needs them.
"""
from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

LANGS = ("vi", "zh_CN")
GLOSSARY_COLUMNS = ("en", "vi", "zh_CN", "gate", "note")
SKIP_MARKER = re.compile(r"glossary-skip:\s*(.+)", re.I)

# ------------------------------------------------------------------ placeholders
# `{{ expr }}` first: Odoo's inline templates (mail templates, t-attf-*) would otherwise
# look like two nested brace fields.
_TEMPLATE = re.compile(r"\{\{(.*?)\}\}", re.S)
# printf-style: %s %d %(name)s %-5.2f %%. No space flag, so "50% of" is not a placeholder.
_PERCENT = re.compile(r"%(?:\([^()]*\))?[#0+-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
# str.format fields: {} {0} {name} {record.name} {amount:.2f} {name!r}
_BRACE = re.compile(r"\{(?:[A-Za-z_][\w.]*|\d*)(?:\[[^\]{}]*\])?(?:![rsa])?(?::[^{}]*)?\}")
# XML/HTML tags: name only (attributes may be translated, e.g. title="...").
_TAG = re.compile(r"<(/?)([A-Za-z][\w:.-]*)(?:\s[^<>]*)?/?>")


def placeholders(text: str) -> Counter:
    """The multiset of placeholders of a string: what a translation must keep as is."""
    found: Counter = Counter()
    rest = text
    for match in _TEMPLATE.finditer(rest):
        found["{{ " + " ".join(match.group(1).split()) + " }}"] += 1
    rest = _TEMPLATE.sub(" ", rest)
    for match in _TAG.finditer(rest):
        found[f"<{match.group(1)}{match.group(2).lower()}>"] += 1
    rest = _TAG.sub(" ", rest)
    for match in _PERCENT.finditer(rest):
        found[match.group(0)] += 1
    rest = _PERCENT.sub(" ", rest)
    for match in _BRACE.finditer(rest):
        found[match.group(0)] += 1
    return found


def placeholder_mismatch(msgid: str, msgstr: str) -> str | None:
    """None when msgstr keeps exactly the placeholders of msgid, else what differs."""
    want, got = placeholders(msgid), placeholders(msgstr)
    if want == got:
        return None
    parts = []
    if missing := want - got:
        parts.append("missing " + ", ".join(sorted(missing.elements())))
    if extra := got - want:
        parts.append("unexpected " + ", ".join(sorted(extra.elements())))
    return "; ".join(parts)


def strip_markup(text: str) -> str:
    """The prose of a string: placeholders and tags replaced by spaces (for term matching)."""
    for pattern in (_TEMPLATE, _TAG, _PERCENT, _BRACE):
        text = pattern.sub(" ", text)
    return text


# ------------------------------------------------------------------ glossary
@dataclass(frozen=True)
class Term:
    en: tuple[str, ...]           # English variants, the first is the canonical term
    vi: tuple[str, ...]           # accepted Vietnamese wordings, the first is preferred
    zh_CN: tuple[str, ...]        # accepted Chinese wordings, the first is preferred
    gate: bool = True             # checked by the gate
    note: str = ""

    @property
    def name(self) -> str:
        return self.en[0]

    def wordings(self, lang: str) -> tuple[str, ...]:
        return getattr(self, lang)


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (cell or "").split("|") if part.strip())


def read_glossary(path: Path) -> tuple[list[Term], list[str]]:
    """The glossary's terms, and its problems (empty when it is well formed)."""
    terms: list[Term] = []
    problems: list[str] = []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != GLOSSARY_COLUMNS:
            problems.append(f"columns must be {','.join(GLOSSARY_COLUMNS)}, not {','.join(reader.fieldnames or ())}")
            return terms, problems
        seen: dict[str, int] = {}
        for line, row in enumerate(reader, start=2):
            if None in row:
                problems.append(f"line {line}: more cells than columns (quote cells holding commas)")
            en, vi, zh = _split(row["en"]), _split(row["vi"]), _split(row["zh_CN"])
            for column, value in (("en", en), ("vi", vi), ("zh_CN", zh)):
                if not value:
                    problems.append(f"line {line}: empty {column}")
            gate = (row["gate"] or "").strip().lower()
            if gate not in ("yes", "no"):
                problems.append(f"line {line}: gate must be yes or no, not {row['gate']!r}")
            for variant in en:
                key = " ".join(re.split(r"[\s-]+", variant.lower()))
                if key in seen:
                    problems.append(f"line {line}: {variant!r} is already a term on line {seen[key]}")
                seen[key] = line
            if en and vi and zh:
                terms.append(Term(en, vi, zh, gate == "yes", (row["note"] or "").strip()))
    return terms, problems


@functools.cache
def _en_pattern(variant: str) -> re.Pattern:
    """A whole-word, case-insensitive match of an English term, its plural too.

    Space and hyphen are the same ("customer-data administrator"); the plural takes
    s, es, or y -> ies on the last word ("audit logs", "anomalies").
    """
    words = re.split(r"[\s-]+", variant.strip())
    last = words[-1]
    if re.search(r"[^aeiou]y$", last, re.I):
        last_re = re.escape(last[:-1]) + "(?:y|ies)"
    else:
        last_re = re.escape(last) + "(?:e?s)?"
    body = r"[\s-]+".join([re.escape(word) for word in words[:-1]] + [last_re])
    return re.compile(rf"(?<!\w){body}(?!\w)", re.I)


def terms_in(msgid: str, terms: list[Term]) -> list[Term]:
    """The gated terms a source string uses, outside placeholders and tags.

    The longest match wins: "customer stage" is one term, not "customer" + a stage.
    """
    prose = strip_markup(msgid)
    hits = [
        (match.start(), match.end(), term)
        for term in terms if term.gate
        for variant in term.en
        for match in _en_pattern(variant).finditer(prose)
    ]
    hits.sort(key=lambda hit: (hit[0] - hit[1], hit[0]))
    taken: list[tuple[int, int]] = []
    found: dict[Term, int] = {}
    for start, end, term in hits:
        if any(start < other_end and other_start < end for other_start, other_end in taken):
            continue
        taken.append((start, end))
        found.setdefault(term, start)
    return sorted(found, key=found.get)


def _fold(text: str, lang: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    # Chinese: "IP 白名单" == "IP白名单"; Vietnamese: collapse runs of spaces.
    return re.sub(r"\s+", "", text) if lang == "zh_CN" else " ".join(text.split())


def uses_term(term: Term, msgstr: str, lang: str) -> bool:
    """Whether a translation uses one of the term's wordings for `lang`.

    Vietnamese is matched case-insensitively on whole syllables ("mật" is not in "mật khẩu"
    but is in "thông tin mật"); Chinese as a substring, spaces ignored.
    """
    text = _fold(msgstr, lang)
    for wording in term.wordings(lang):
        wording = _fold(wording, lang)
        if lang == "zh_CN":
            if wording in text:
                return True
        elif re.search(rf"(?<!\w){re.escape(wording)}(?!\w)", text):
            return True
    return False


def skipped_terms(tcomment: str) -> set[str]:
    """Terms exempted for one entry by a translator comment: `# glossary-skip: lead, share`."""
    names: set[str] = set()
    for match in SKIP_MARKER.finditer(tcomment or ""):
        names.update(name.strip().lower() for name in match.group(1).split(",") if name.strip())
    return names


def glossary_misses(msgid: str, msgstr: str, lang: str, terms: list[Term],
                    skip: set[str] | frozenset[str] = frozenset()) -> list[Term]:
    """The terms of msgid whose wording msgstr does not use."""
    return [
        term for term in terms_in(msgid, terms)
        if not skip.intersection(variant.lower() for variant in term.en) and not uses_term(term, msgstr, lang)
    ]
