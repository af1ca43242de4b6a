"""Manifests load, list files that exist, and declare what an Odoo 18 addon must declare."""
import re

import pytest

from .addons import ADDONS, ROOT, addon_dir, manifest


@pytest.mark.parametrize("addon", ADDONS)
def test_manifest_keys(addon):
    man = manifest(addon)
    for key in ("name", "version", "license", "author", "website", "category", "depends", "summary"):
        assert man.get(key), f"{addon}: manifest key {key!r} missing or empty"
    assert re.fullmatch(r"18\.0\.\d+\.\d+\.\d+", man["version"]), man["version"]
    assert man.get("installable", True)


@pytest.mark.parametrize("addon", ADDONS)
def test_manifest_files_exist(addon):
    man = manifest(addon)
    listed = man.get("data", []) + man.get("demo", [])
    missing = [f for f in listed if not (ROOT / addon / f).is_file()]
    assert not missing, f"{addon}: manifest lists missing files {missing}"
    assert len(listed) == len(set(listed)), f"{addon}: a data file is listed twice"
    for bundle, files in man.get("assets", {}).items():
        for pattern in files:
            pattern = pattern[1] if isinstance(pattern, tuple) else pattern
            rel = pattern.split("/", 1)[1]
            assert list((ROOT / addon).glob(rel)), f"{addon}: asset {pattern} of {bundle} matches no file"


@pytest.mark.parametrize("addon", ADDONS)
def test_every_data_file_is_loaded(addon):
    """An XML/CSV file in data folders that the manifest forgets is dead code."""
    man = manifest(addon)
    listed = set(man.get("data", []) + man.get("demo", []))
    for folder in ("security", "data", "views", "wizard", "demo", "report"):
        for path in (ROOT / addon / folder).glob("*"):
            if path.suffix in (".xml", ".csv"):
                assert str(path.relative_to(ROOT / addon)) in listed, f"{path} is not in the manifest"


@pytest.mark.parametrize("addon", ADDONS)
def test_dependencies_exist(addon):
    for dep in manifest(addon)["depends"]:
        assert addon_dir(dep), f"{addon} depends on {dep}, which is neither ours nor in Odoo 18.0"


def test_addons_do_not_depend_on_each_other():
    """Each addon installs on its own; when both are there they cooperate at run time."""
    assert "crm_audit_log" not in manifest("crm_security")["depends"]
    assert "crm_security" not in manifest("crm_audit_log")["depends"]


@pytest.mark.parametrize("addon", ADDONS)
def test_addon_layout(addon):
    for path in ("__init__.py", "static/description/icon.png", "readme/DESCRIPTION.md",
                 f"i18n/{addon}.pot", "i18n/vi.po", "i18n/zh_CN.po"):
        assert (ROOT / addon / path).is_file(), f"{addon}/{path} is missing"
