"""Helpers for the static checks: where the addons and Odoo's source are, and what they define."""
from __future__ import annotations

import ast
import functools
import os
import re
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
ADDONS = ("crm_security", "crm_audit_log")


def odoo_root() -> Path | None:
    root = os.environ.get("CRM_ODOO_ROOT") or os.environ.get("ODOO_SRC")
    if root:
        return Path(root)
    cached = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "odoo-crm-security" / "odoo-18.0"
    return cached if cached.is_dir() else None


def manifest(addon: str) -> dict:
    return ast.literal_eval((ROOT / addon / "__manifest__.py").read_text())


@functools.cache
def addon_dir(module: str) -> Path | None:
    """The directory of any module: ours, or one of Odoo's."""
    if (ROOT / module / "__manifest__.py").is_file():
        return ROOT / module
    odoo = odoo_root()
    if odoo is None:
        return None
    for base in (odoo / "addons", odoo / "odoo" / "addons"):
        if (base / module / "__manifest__.py").is_file():
            return base / module
    return None


_NAME = re.compile(r"""^\s*_(?:name|inherit)\s*=\s*["']([\w.]+)["']""", re.M)


@functools.cache
def models_of(module: str) -> frozenset[str]:
    """Model names a module defines or extends (from `_name` / single `_inherit` lines)."""
    path = addon_dir(module)
    if path is None:
        return frozenset()
    names = set()
    for py in path.rglob("*.py"):
        if "tests" not in py.parts:
            names.update(_NAME.findall(py.read_text(errors="replace")))
    return frozenset(names)


def model_xmlid(model: str) -> str:
    return "model_" + model.replace(".", "_")


@functools.cache
def xml_ids_of(module: str) -> frozenset[str]:
    """Record ids declared in a module's XML and CSV data files (menus and templates included)."""
    path = addon_dir(module)
    if path is None:
        return frozenset()
    ids = set()
    for xml in path.rglob("*.xml"):
        if "static" in xml.parts:
            continue
        try:
            tree = etree.parse(str(xml))
        except etree.XMLSyntaxError:
            continue
        ids.update(el.get("id") for el in tree.iter() if el.get("id") and el.tag in
                   ("record", "menuitem", "template", "report", "act_window", "function"))
    for csv in path.rglob("*.csv"):
        for line in csv.read_text(errors="replace").splitlines()[1:]:
            if line:
                ids.add(line.split(",", 1)[0])
    return frozenset(ids)


def depends_closure(addon: str) -> set[str]:
    """The addon and every module it depends on, transitively (base always included)."""
    seen, todo = set(), [addon]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        path = addon_dir(module)
        if path is not None:
            todo.extend(ast.literal_eval((path / "__manifest__.py").read_text()).get("depends", []))
    return seen | {"base"}


def resolve_ref(ref: str, addon: str) -> bool:
    """Whether an xmlid used in `addon` exists in the addon or in a module it depends on."""
    module, _, name = ref.rpartition(".")
    module = module or addon
    if module not in depends_closure(addon):
        return False
    if name.startswith("field_") and "__" in name:  # field_<model>__<field>, made by Odoo
        return resolve_ref(f"{module}.model_{name[6:].split('__')[0]}", addon)
    if name.startswith("model_"):
        models = set().union(*(models_of(m) for m in depends_closure(addon)))
        return any(model_xmlid(m) == name for m in models)
    return name in xml_ids_of(module)
