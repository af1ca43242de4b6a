"""Translation gate: every addon ships its .pot and complete vi / zh_CN translations.

The .pot is exported by Odoo and the .po files merged from it (``make i18n``); this
checks what a translator can get wrong: missing or stale entries, untranslated or fuzzy
entries, broken placeholders, and domain words translated differently from
i18n/glossary.csv. See i18n/README.md.
"""
from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

import polib
import pytest

from .addons import ADDONS, ROOT
from .i18n_rules import (
    LANGS,
    Term,
    glossary_misses,
    placeholder_mismatch,
    placeholders,
    read_glossary,
    skipped_terms,
    terms_in,
    uses_term,
)

GLOSSARY = ROOT / "i18n" / "glossary.csv"
PLURAL_FORMS = "nplurals=1; plural=0;"
CASES = [(addon, lang) for addon in ADDONS for lang in LANGS]
CASE_IDS = [f"{addon}-{lang}" for addon, lang in CASES]


def _export_hint(addon: str) -> str:
    return (f"run `make i18n` (or `python3 scripts/crmctl.py i18n {addon}`): "
            "it exports the .pot with Odoo and merges the .po files")


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@functools.cache
def _parse(path: Path) -> polib.POFile:
    return polib.pofile(str(path))


def _catalog(path: Path, addon: str) -> polib.POFile:
    if not path.is_file():
        pytest.fail(f"{_rel(path)} is missing: {_export_hint(addon)}", pytrace=False)
    try:
        return _parse(path)
    except (OSError, ValueError) as exc:
        pytest.fail(f"{_rel(path)} does not parse: {exc}", pytrace=False)


def pot_path(addon: str) -> Path:
    return ROOT / addon / "i18n" / f"{addon}.pot"


def po_path(addon: str, lang: str) -> Path:
    return ROOT / addon / "i18n" / f"{lang}.po"


def _entries(catalog: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in catalog if not entry.obsolete]


def _key(entry: polib.POEntry) -> tuple[str, str]:
    return entry.msgctxt or "", entry.msgid


def _translations(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(source, translation) pairs of an entry; a plural entry has one msgstr (nplurals=1)."""
    if entry.msgid_plural:
        return [(entry.msgid_plural, text) for _index, text in sorted(entry.msgstr_plural.items())]
    return [(entry.msgid, entry.msgstr)]


def _is_translated(entry: polib.POEntry) -> bool:
    return not entry.fuzzy and all(text.strip() for _source, text in _translations(entry))


def _short(text: str) -> str:
    """One line, whole: two msgids may differ only in their last words."""
    return repr(" ".join(text.split()))


@functools.cache
def glossary() -> tuple[list[Term], list[str]]:
    if not GLOSSARY.is_file():
        return [], [f"{_rel(GLOSSARY)} is missing"]
    return read_glossary(GLOSSARY)


# ------------------------------------------------------------------ files and coverage
def test_glossary_is_well_formed():
    terms, problems = glossary()
    if problems:
        pytest.fail(f"{_rel(GLOSSARY)}:\n  " + "\n  ".join(problems), pytrace=False)
    assert any(term.gate for term in terms), "the glossary checks no term"


@pytest.mark.parametrize("addon", ADDONS)
def test_pot_is_exported(addon):
    pot = _catalog(pot_path(addon), addon)
    entries = _entries(pot)
    assert entries, f"{_rel(pot_path(addon))} has no entry: {_export_hint(addon)}"
    foreign = [_short(e.msgid) for e in entries if addon not in (e.comment or "")]
    assert not foreign, (f"{_rel(pot_path(addon))}: entries without the `#. module: {addon}` comment Odoo's exporter "
                         f"writes (typed by hand?): {', '.join(foreign)}. {_export_hint(addon)}")
    counts = Counter(_key(e) for e in entries)
    assert all(n == 1 for n in counts.values()), f"duplicate msgids: {[k for k, n in counts.items() if n > 1]}"


@pytest.mark.parametrize(("addon", "lang"), CASES, ids=CASE_IDS)
def test_po_headers(addon, lang):
    po = _catalog(po_path(addon, lang), addon)
    meta = po.metadata
    where = _rel(po_path(addon, lang))
    assert meta.get("Language") == lang, f"{where}: header Language is {meta.get('Language')!r}, expected {lang!r}"
    assert " ".join(meta.get("Plural-Forms", "").split()) == PLURAL_FORMS, (
        f"{where}: header Plural-Forms is {meta.get('Plural-Forms')!r}, expected {PLURAL_FORMS!r}")
    assert "charset=utf-8" in meta.get("Content-Type", "").lower().replace(" ", ""), (
        f"{where}: header Content-Type must declare charset=UTF-8")


@pytest.mark.parametrize(("addon", "lang"), CASES, ids=CASE_IDS)
def test_po_matches_pot(addon, lang):
    pot = {_key(e) for e in _entries(_catalog(pot_path(addon), addon))}
    po = {_key(e) for e in _entries(_catalog(po_path(addon, lang), addon))}
    missing, extra = sorted(pot - po), sorted(po - pot)
    lines = [f"  missing: {_short(msgid)}" for _ctx, msgid in missing]
    lines += [f"  not in the .pot: {_short(msgid)}" for _ctx, msgid in extra]
    if lines:
        pytest.fail(f"{_rel(po_path(addon, lang))} is out of date with {_rel(pot_path(addon))}; "
                    f"run `.venv/bin/python scripts/i18n_merge.py {addon}` (or make i18n):\n" + "\n".join(lines),
                    pytrace=False)


def test_every_entry_is_translated():
    """One list of everything left to translate, grouped by file, for the translator."""
    report = []
    for addon, lang in CASES:
        path = po_path(addon, lang)
        if not path.is_file():
            report.append(f"{_rel(path)}: missing ({_export_hint(addon)})")
            continue
        todo = [e for e in _entries(_catalog(path, addon)) if not _is_translated(e)]
        if todo:
            report.append(f"{_rel(path)}: {len(todo)} untranslated or fuzzy")
            report.extend(f"    {'(fuzzy) ' if e.fuzzy else ''}{_short(e.msgid)}" for e in todo)
    if report:
        pytest.fail("translations missing (edit the .po files, see i18n/README.md):\n" + "\n".join(report),
                    pytrace=False)


# ------------------------------------------------------------------ content
@pytest.mark.parametrize(("addon", "lang"), CASES, ids=CASE_IDS)
def test_placeholders_are_kept(addon, lang):
    problems = []
    for entry in _entries(_catalog(po_path(addon, lang), addon)):
        for source, text in _translations(entry):
            if text.strip() and (diff := placeholder_mismatch(source, text)):
                problems.append(f"  {_short(source)} -> {_short(text)}: {diff}")
    if problems:
        pytest.fail(f"{_rel(po_path(addon, lang))}: placeholders differ from the source\n" + "\n".join(problems),
                    pytrace=False)


@pytest.mark.parametrize(("addon", "lang"), CASES, ids=CASE_IDS)
def test_glossary_terms_are_used(addon, lang):
    terms, _problems = glossary()
    problems = []
    for entry in _entries(_catalog(po_path(addon, lang), addon)):
        skip = skipped_terms(entry.tcomment)
        for source, text in _translations(entry):
            if not text.strip() or entry.fuzzy:
                continue
            for term in glossary_misses(source, text, lang, terms, skip):
                problems.append(f"  {_short(source)} -> {_short(text)}: {term.name!r} must be translated as "
                                f"{' | '.join(term.wordings(lang))}")
    if problems:
        pytest.fail(f"{_rel(po_path(addon, lang))}: glossary terms translated differently from {_rel(GLOSSARY)} "
                    "(exempt one entry with a `# glossary-skip: <term>` comment)\n" + "\n".join(problems),
                    pytrace=False)


# ------------------------------------------------------------------ the rules themselves
@pytest.mark.parametrize(("text", "expected"), [
    ("Hello %s, you have %d leads", ["%s", "%d"]),
    ("%(count)s records of %(model)s", ["%(count)s", "%(model)s"]),
    ("Done at 100%% and %.2f", ["%%", "%.2f"]),
    ("50% of the leads", []),
    ("{} of {total} ({0}, {amount:.2f}, {rec.name!r})", ["{}", "{total}", "{0}", "{amount:.2f}", "{rec.name!r}"]),
    ("Dear {{ object.name }}, {{object.user_id.name}}", ["{{ object.name }}", "{{ object.user_id.name }}"]),
    ("<strong>Owner</strong> changed<br/> see <a href='/odoo'>here</a>", ["<strong>", "</strong>", "<br>", "<a>", "</a>"]),
    ("a < b and 3 > 2, {not a field}", []),
])
def test_placeholders_found(text, expected):
    assert placeholders(text) == Counter(expected)


def test_placeholder_mismatch():
    assert placeholder_mismatch("%(n)s leads of %(user)s", "%(user)s có %(n)s lead") is None
    assert placeholder_mismatch("<b>%s</b> deleted", "<b>%s</b> 已删除") is None
    assert placeholder_mismatch("{{ object.name }}", "{{object.name}}") is None
    assert placeholder_mismatch("%s and %s", "%s") == "missing %s"
    assert placeholder_mismatch("%(name)s", "%(tên)s") == "missing %(name)s; unexpected %(tên)s"
    assert placeholder_mismatch("<strong>Owner</strong>", "<b>负责人</b>") == (
        "missing </strong>, <strong>; unexpected </b>, <b>")


def _term(en, vi, zh, gate=True):
    return Term(tuple(en.split("|")), tuple(vi.split("|")), tuple(zh.split("|")), gate)


OWNER = _term("owner", "người phụ trách", "负责人")
CUSTOMER = _term("customer", "khách hàng", "客户")
STAGE = _term("customer stage", "giai đoạn khách hàng", "客户阶段")
ADMIN = _term("customer-data administrator", "quản trị viên dữ liệu khách hàng", "客户数据管理员")
ANOMALY = _term("anomaly", "bất thường", "异常")
ALLOW = _term("IP allowlist", "danh sách IP được phép", "IP 白名单")
CONFIDENTIAL = _term("confidential", "mật", "机密")
VIEW = _term("view", "xem", "查看", gate=False)
TERMS = [OWNER, CUSTOMER, STAGE, ADMIN, ANOMALY, ALLOW, CONFIDENTIAL, VIEW]


@pytest.mark.parametrize(("msgid", "expected"), [
    ("Owner", [OWNER]),
    ("The owner's managers and the OWNERS", [OWNER]),
    ("Customers and customer stages", [CUSTOMER, STAGE]),
    ("Customer Stage", [STAGE]),                                   # the longest term wins
    ("Customer Data Administrator", [ADMIN]),                      # hyphen == space
    ("Two anomalies found", [ANOMALY]),                            # y -> ies
    ("Ownership, co-owner_id, customerized", []),                  # whole words only
    ("%(owner)s sees {customer} in <customer>", []),               # not inside placeholders or tags
    ("View the customer", [CUSTOMER]),                             # gate = no is not checked
])
def test_terms_in(msgid, expected):
    assert terms_in(msgid, TERMS) == expected


def test_uses_term():
    assert uses_term(OWNER, "Người Phụ Trách", "vi")                     # case-insensitive
    assert uses_term(OWNER, "Ngu\u031bo\u031b\u0300i phụ trách", "vi")  # decomposed Unicode (NFD) too
    assert not uses_term(OWNER, "Chủ sở hữu", "vi")
    assert uses_term(CONFIDENTIAL, "Ghi chú mật", "vi")
    assert not uses_term(_term("mask", "che", "脱敏"), "Chen vào", "vi")     # whole syllables only
    assert uses_term(ALLOW, "IP白名单", "zh_CN")                               # spaces ignored in Chinese
    assert not uses_term(OWNER, "所有者", "zh_CN")


def test_glossary_misses_and_skip_comment():
    assert glossary_misses("Owner", "Người phụ trách", "vi", TERMS) == []
    assert glossary_misses("Owner", "Chủ sở hữu", "vi", TERMS) == [OWNER]
    assert skipped_terms("glossary-skip: Owner, share\nother note") == {"owner", "share"}
    assert glossary_misses("Owner", "Chủ sở hữu", "vi", TERMS, skipped_terms("glossary-skip: owner")) == []


def test_read_glossary_reports_problems(tmp_path):
    path = tmp_path / "glossary.csv"
    path.write_text("en,vi,zh_CN,gate,note\n"
                    "owner,người phụ trách,负责人,yes,\n"
                    "Owner,chủ,所有者,yes,duplicate\n"
                    "lead,,线索,maybe,\n", encoding="utf-8")
    terms, problems = read_glossary(path)
    assert [t.name for t in terms] == ["owner", "Owner"]
    assert problems == ["line 3: 'Owner' is already a term on line 2", "line 4: empty vi",
                        "line 4: gate must be yes or no, not 'maybe'"]
