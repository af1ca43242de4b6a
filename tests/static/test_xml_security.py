"""XML parses and uses 18.0 syntax; access rows and record rules refer to existing models and groups."""
import csv
import re

import pytest
from lxml import etree

from .addons import ADDONS, ROOT, resolve_ref


def _xml_files():
    return [pytest.param(addon, path, id=str(path.relative_to(ROOT)))
            for addon in ADDONS for path in sorted((ROOT / addon).rglob("*.xml"))]


@pytest.mark.parametrize(("addon", "path"), _xml_files())
def test_xml_is_odoo18(addon, path):
    tree = etree.parse(str(path))
    problems = []
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag == "tree":
            problems.append(f"line {el.sourceline}: <tree> is <list> in 18.0")
        if "attrs" in el.attrib or ("states" in el.attrib and el.tag == "button"):
            problems.append(f"line {el.sourceline}: attrs/states were removed in 17.0; use expressions")
        for attr in ("t-esc", "t-raw"):
            if attr in el.attrib:
                problems.append(f"line {el.sourceline}: {attr} is deprecated; use t-out")
        if el.tag == "field" and el.get("name") == "view_mode" and el.text and "tree" in el.text:
            problems.append(f"line {el.sourceline}: view_mode 'tree' is 'list' in 18.0")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("addon", ADDONS)
def test_access_csv_refers_to_existing_models_and_groups(addon):
    path = ROOT / addon / "security" / "ir.model.access.csv"
    rows = list(csv.DictReader(path.open()))
    assert rows, f"{path} has no access row"
    problems = []
    for row in rows:
        assert re.fullmatch(r"[01]", row["perm_read"] + "") and all(
            row[p] in ("0", "1") for p in ("perm_read", "perm_write", "perm_create", "perm_unlink")), row
        if not resolve_ref(row["model_id:id"], addon):
            problems.append(f"{row['id']}: unknown model {row['model_id:id']}")
        if row["group_id:id"] and not resolve_ref(row["group_id:id"], addon):
            problems.append(f"{row['id']}: unknown group {row['group_id:id']}")
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), "duplicate access ids"
    assert not problems, "\n".join(problems)


_EVAL_REF = re.compile(r"ref\(['\"]([\w.]+)['\"]\)")


@pytest.mark.parametrize("addon", ADDONS)
def test_record_rules_refer_to_existing_models_and_groups(addon):
    problems = []
    for path in (ROOT / addon).rglob("*.xml"):
        for rec in etree.parse(str(path)).iter("record"):
            if rec.get("model") != "ir.rule":
                continue
            for field in rec.iter("field"):
                if field.get("name") == "model_id" and not resolve_ref(field.get("ref"), addon):
                    problems.append(f"{path.name}/{rec.get('id')}: unknown model {field.get('ref')}")
                if field.get("name") == "groups":
                    for ref in _EVAL_REF.findall(field.get("eval", "")):
                        if not resolve_ref(ref, addon):
                            problems.append(f"{path.name}/{rec.get('id')}: unknown group {ref}")
                if field.get("name") == "domain_force":
                    compile(field.text or field.get("eval") or "[]", "<domain>", "eval")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("addon", ADDONS)
def test_refs_in_views_and_menus_exist(addon):
    """Every ref="..." in the addon's XML points to a record of the addon or of a dependency."""
    problems = []
    for path in (ROOT / addon).rglob("*.xml"):
        tree = etree.parse(str(path))
        local = {el.get("id") for el in tree.iter() if el.get("id")}
        for el in tree.iter():
            for attr in ("ref", "inherit_id", "parent", "action"):
                value = el.get(attr)
                if not value or (el.tag == "field" and attr != "ref") or (attr == "action" and el.tag != "menuitem"):
                    continue
                if value in local or resolve_ref(value, addon):
                    continue
                problems.append(f"{path.relative_to(ROOT)}:{el.sourceline}: unknown ref {value}")
            for group in filter(None, (el.get("groups") or "").split(",")):
                group = group.strip().lstrip("!")
                if "." in group and not resolve_ref(group, addon):
                    problems.append(f"{path.relative_to(ROOT)}:{el.sourceline}: unknown group {group}")
    assert not problems, "\n".join(problems)
