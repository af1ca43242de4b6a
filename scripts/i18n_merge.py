#!/usr/bin/env python3
"""Create or update ADDON/i18n/vi.po and ADDON/i18n/zh_CN.po from ADDON/i18n/ADDON.pot.

Run with the project's virtualenv after Odoo's exporter wrote the .pot
(``python3 scripts/crmctl.py i18n`` / ``make i18n`` does both):

    .venv/bin/python scripts/i18n_merge.py [--fill-from-glossary] ADDON...

For every language the .po ends up with exactly the entries of the .pot, sorted as
Odoo sorts them (by msgid):
  * an entry already translated keeps its msgstr, fuzzy flag and translator comments;
  * a new entry is added untranslated;
  * an entry no longer in the .pot is dropped (no obsolete ``#~`` entries);
  * extracted comments (``#. module: ...``, ``#. odoo-python``) and references come from
    the .pot, because Odoo needs them to load code terms.
Odoo stamps each export with the current time; when the entries did not change, the
previous stamp is put back in the .pot and the .po files are left untouched, so an
export that changes nothing leaves git clean.

``--fill-from-glossary`` translates untranslated entries whose msgid is exactly a
glossary term (e.g. "Owner", "Audit Logs") with the term's preferred translation.
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "i18n" / "glossary.csv"
LANGS = ("vi", "zh_CN")
PLURAL_FORMS = "nplurals=1; plural=0;"
_POT_DATE = re.compile(r'^"POT-Creation-Date: .*\\n"$', re.M)


def _key(entry: polib.POEntry) -> tuple[str, str]:
    return entry.msgid, entry.msgctxt or ""


def merge(pot: polib.POFile, old: polib.POFile | None, lang: str) -> polib.POFile:
    """A new catalog for `lang`: the entries of `pot` with the translations of `old`."""
    previous = {_key(e): e for e in old or () if not e.obsolete}
    po = polib.POFile(wrapwidth=pot.wrapwidth)
    po.header = pot.header
    old_meta = old.metadata if old is not None else {}
    po.metadata = dict(pot.metadata)
    for keep in ("PO-Revision-Date", "Last-Translator", "Language-Team"):
        if old_meta.get(keep):
            po.metadata[keep] = old_meta[keep]
    po.metadata.update({
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": lang,
        "Plural-Forms": PLURAL_FORMS,
    })
    for ref in sorted(pot, key=_key):
        if ref.obsolete:
            continue
        entry = polib.POEntry(
            msgid=ref.msgid,
            msgctxt=ref.msgctxt,
            msgid_plural=ref.msgid_plural,
            comment=ref.comment,
            occurrences=list(ref.occurrences),
            flags=[f for f in ref.flags if f != "fuzzy"],
        )
        before = previous.get(_key(ref))
        if before is not None:
            entry.msgstr = before.msgstr
            entry.msgstr_plural = dict(before.msgstr_plural)
            entry.tcomment = before.tcomment
            if before.fuzzy:
                entry.flags.append("fuzzy")
        elif ref.msgid_plural:
            entry.msgstr_plural = {0: ""}
        po.append(entry)
    return po


def load_glossary(path: Path = GLOSSARY) -> dict[str, dict[str, str]]:
    """English term (lower case) -> {lang: preferred translation}.

    Only the canonical English term (first of the `|` variants): the other variants are
    often other grammatical forms ("revoked", "masked") that need another wording.
    """
    if not path.is_file():
        return {}
    terms = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            canonical = (row.get("en") or "").split("|")[0].strip().lower()
            wanted = {lang: (row.get(lang) or "").split("|")[0].strip() for lang in LANGS}
            if canonical and all(wanted.values()):
                terms[canonical] = wanted
    return terms


def fill_from_glossary(po: polib.POFile, lang: str, glossary: dict[str, dict[str, str]]) -> int:
    filled = 0
    for entry in po:
        if entry.msgstr or entry.msgid_plural or entry.fuzzy:
            continue
        word = entry.msgid.strip().lower()
        # "Owners", "Audit Logs": the glossary lists the singular.
        found = glossary.get(word) or glossary.get(word.removesuffix("s")) or glossary.get(word.removesuffix("es"))
        text = (found or {}).get(lang)
        if not text:
            continue
        if entry.msgid[:1].isupper():
            text = text[:1].upper() + text[1:]
        entry.msgstr = text
        filled += 1
    return filled


def write_if_changed(po: polib.POFile, path: Path) -> bool:
    text = str(po)
    if path.is_file():
        old = path.read_text(encoding="utf-8")
        if _POT_DATE.sub("", old) == _POT_DATE.sub("", text):
            return False
    path.write_text(text, encoding="utf-8")
    return True


def _shape(catalog: polib.POFile) -> list[tuple]:
    """What the exporter decides: entries, their comments and references (not translations)."""
    return [(e.msgctxt, e.msgid, e.msgid_plural, e.comment, e.occurrences, sorted(set(e.flags) - {"fuzzy"}))
            for e in sorted(catalog, key=_key) if not e.obsolete]


def keep_pot_stamp(pot: polib.POFile, pot_path: Path, old: polib.POFile | None) -> None:
    """Odoo stamps every export with the current time: when the entries did not change
    since the last merge, put the previous stamp back so `make i18n` leaves git clean."""
    stamp = (old.metadata if old is not None else {}).get("POT-Creation-Date")
    if not stamp or stamp == pot.metadata.get("POT-Creation-Date") or _shape(pot) != _shape(old):
        return
    pot.metadata["POT-Creation-Date"] = pot.metadata["PO-Revision-Date"] = stamp
    pot_path.write_text(str(pot), encoding="utf-8")


def untranslated(po: polib.POFile) -> int:
    return sum(1 for e in po if not e.obsolete and (e.fuzzy or not e.translated()))


def merge_addon(addon: str, fill: bool) -> bool:
    i18n = ROOT / addon / "i18n"
    pot_path = i18n / f"{addon}.pot"
    if not pot_path.is_file():
        print(f"{pot_path}: missing; export it first (python3 scripts/crmctl.py i18n {addon})", file=sys.stderr)
        return False
    pot = polib.pofile(str(pot_path))
    glossary = load_glossary() if fill else {}
    for lang in LANGS:
        path = i18n / f"{lang}.po"
        old = polib.pofile(str(path)) if path.is_file() else None
        if lang == LANGS[0]:
            keep_pot_stamp(pot, pot_path, old)
        po = merge(pot, old, lang)
        filled = fill_from_glossary(po, lang, glossary) if fill else 0
        changed = write_if_changed(po, path)
        state = ("created" if old is None else "updated") if changed else "unchanged"
        extra = f", {filled} filled from the glossary" if filled else ""
        print(f"{path.relative_to(ROOT)}: {state}, {len(po)} entries, {untranslated(po)} untranslated{extra}")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("addons", nargs="+", metavar="ADDON")
    parser.add_argument("--fill-from-glossary", action="store_true",
                        help="translate untranslated entries that are exactly a glossary term")
    args = parser.parse_args(argv)
    ok = [merge_addon(addon, args.fill_from_glossary) for addon in args.addons]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
