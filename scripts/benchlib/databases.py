"""The benchmark databases: built once with odoo-bin, reused while their marker matches."""
from __future__ import annotations

import configparser
import hashlib
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2

from . import spec

MARKER_KEY = "crm_bench.marker"
BASE_MODULES = ("crm", "hr")
OUR_MODULES = ("crm_security", "crm_audit_log")


@dataclass
class Target:
    """One side of the comparison: a database and the modules it has on top of crm + hr."""

    name: str                    # "std", "ours", "audit", "oca"
    db: str
    modules: tuple[str, ...]     # installed on top of BASE_MODULES
    addons_path: str | None = None   # extra addons directory (OCA auditlog)
    digest: str = ""             # of the code of `modules`, to upgrade the database when it changes
    sizes: dict = field(default_factory=dict)  # data sizes of its own (the audit log alone: no events)
    state: dict = field(default_factory=dict)

    def sized(self, sizes: dict) -> dict:
        return dict(sizes, **self.sizes)


class OdooConf:
    def __init__(self, path: str, odoo_root: str):
        self.path = path
        self.odoo_root = Path(odoo_root)
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(path)
        self.options = dict(parser["options"]) if parser.has_section("options") else {}

    def dsn(self, dbname: str) -> dict:
        params = {"dbname": dbname}
        for key in ("host", "port", "user", "password"):
            value = self.options.get(f"db_{key}")
            if value and value != "False":
                params[key] = value
        return params

    def connect(self, dbname: str = "postgres"):
        conn = psycopg2.connect(**self.dsn(dbname))
        conn.autocommit = True
        return conn

    def odoo_cmd(self, target: Target, *args: str, sub: str | None = None) -> list[str]:
        """odoo-bin [sub-command] -c CONF -d DB [--addons-path] args (the sub-command must come first)."""
        cmd = [sys.executable, str(self.odoo_root / "odoo-bin"), *([sub] if sub else []), "-c", self.path, "-d", target.db]
        if target.addons_path:
            cmd.append(f"--addons-path={self.options.get('addons_path', '')},{target.addons_path}")
        return cmd + list(args)

    def filestore(self, dbname: str) -> Path | None:
        data_dir = self.options.get("data_dir")
        return Path(data_dir) / "filestore" / dbname if data_dir else None


def code_digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for root in paths:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".po", ".pot"):
                h.update(str(path.relative_to(root.parent)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()[:16]


def read_state(conf: OdooConf, dbname: str) -> dict | None:
    """None: no such database; else {"modules": {name: state}, "marker": dict or None}."""
    conn = conf.connect()
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,))
            if not cr.fetchone():
                return None
    finally:
        conn.close()
    try:
        conn = conf.connect(dbname)
    except psycopg2.OperationalError:
        return {"modules": {}, "marker": None}
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT to_regclass('ir_module_module'), to_regclass('ir_config_parameter')")
            if None in cr.fetchone():
                return {"modules": {}, "marker": None}
            cr.execute("SELECT name, state FROM ir_module_module WHERE state != 'uninstalled'")
            modules = dict(cr.fetchall())
            cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", (MARKER_KEY,))
            row = cr.fetchone()
        return {"modules": modules, "marker": json.loads(row[0]) if row else None}
    finally:
        conn.close()


def drop(conf: OdooConf, dbname: str) -> None:
    conn = conf.connect()
    try:
        with conn.cursor() as cr:
            cr.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    finally:
        conn.close()
    store = conf.filestore(dbname)
    if store and store.is_dir():
        shutil.rmtree(store, ignore_errors=True)


def vacuum(conf: OdooConf, dbname: str, tables: list[str], full: bool = False, analyze: bool = True) -> None:
    """VACUUM ANALYZE `tables` (those that exist); `full`: rewritten compact first; without `analyze`,
    the statistics (and so the plans) stay as they are."""
    conn = conf.connect(dbname)
    try:
        with conn.cursor() as cr:
            for table in tables:
                cr.execute("SELECT to_regclass(%s)", (table,))
                if cr.fetchone()[0]:
                    options = ["FULL"] * full + ["ANALYZE"] * analyze
                    cr.execute(f'VACUUM {"(" + ", ".join(options) + ")" if options else ""} "{table}"')
    finally:
        conn.close()


def data_marker(sizes: dict) -> dict:
    return {"version": spec.DATA_VERSION, **{key: sizes[key] for key in spec.DATA_KEYS}}


def plan(conf: OdooConf, target: Target, sizes: dict, rebuild: bool) -> str:
    """What the database needs: "install", "upgrade" or "" (ready, or only the data setup)."""
    state = read_state(conf, target.db)
    target.state = state or {}
    if rebuild or state is None:
        return "install"
    wanted = set(BASE_MODULES) | set(target.modules)
    installed = {name for name, st in state["modules"].items() if st == "installed"}
    if not wanted <= installed or set(state["modules"].values()) & {"to install", "to upgrade", "to remove"}:
        return "install"
    marker = state["marker"]
    if marker is None:
        return ""  # installed, data not built yet: odoo_setup builds it
    if marker.get("data") != data_marker(target.sized(sizes)):
        return "install"
    if target.modules and marker.get("digest") != target.digest:
        return "upgrade"
    return ""


def run_logged(cmd: list[str], log: Path) -> tuple[int, float]:
    start = time.perf_counter()
    with open(log, "ab") as out:
        out.write(("\n$ " + " ".join(cmd) + "\n").encode())
        out.flush()
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False)
    return proc.returncode, time.perf_counter() - start


def install_all(conf: OdooConf, targets: list[Target], logs: Path, say) -> None:
    """Create the databases in parallel (2 installs share the machine better than they queue)."""
    procs = []
    for target in targets:
        drop(conf, target.db)
        modules = ",".join(BASE_MODULES + target.modules)
        cmd = conf.odoo_cmd(target, "-i", modules, "--without-demo=all", "--stop-after-init",
                            "--log-level=warn", "--no-http", "--max-cron-threads=0")
        log = logs / f"build-{target.db}.log"
        say(f"creating {target.db}: odoo-bin -i {modules} (log: {log})")
        out = open(log, "wb")  # noqa: SIM115 - closed below
        procs.append((target, subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT), out, log))
    failed = []
    for target, proc, out, log in procs:
        proc.wait()
        out.close()
        if proc.returncode:
            failed.append((target, log))
    if failed:
        raise BuildError("; ".join(f"{t.db} failed, see {log}" for t, log in failed))


def upgrade(conf: OdooConf, target: Target, logs: Path, say) -> bool:
    say(f"addons changed since {target.db} was built: odoo-bin -u {','.join(target.modules)}")
    cmd = conf.odoo_cmd(target, "-u", ",".join(target.modules), "--stop-after-init", "--log-level=warn",
                        "--no-http", "--max-cron-threads=0")
    code, _ = run_logged(cmd, logs / f"build-{target.db}.log")
    return code == 0


class BuildError(RuntimeError):
    pass


def log_tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
