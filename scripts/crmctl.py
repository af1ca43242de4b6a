#!/usr/bin/env python3
"""Developer tooling for the crm_security / crm_audit_log addons.

Standard library only, so it runs on a fresh machine with nothing but Python 3.10+.

    python3 scripts/crmctl.py demo [--background|--stop]   serve the demo on :8069
    python3 scripts/crmctl.py test                         the whole test command
    python3 scripts/crmctl.py i18n                         re-export .pot/.po files
    python3 scripts/crmctl.py shell                        odoo shell on the demo DB
    python3 scripts/crmctl.py env                          bootstrap only, print paths

The Makefile wraps these (``make demo``, ``make test``, ...).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crmlib import pgsql, testrun
from crmlib.common import LOCAL, ROOT, VENV, die, info, run, venv_python

ADDONS = ("crm_security", "crm_audit_log")
LANGS = "en_US,vi_VN,zh_CN"  # en_US first: it stays the database's default language
DEMO_DB = os.environ.get("CRM_DEMO_DB", "crm_demo")
DEMO_PORT = int(os.environ.get("CRM_DEMO_PORT", "8069"))
ODOO_SERIES = "18.0"
ODOO_ARCHIVE_URL = "https://github.com/odoo/odoo/archive/refs/heads/18.0.tar.gz"

# Pins of Odoo's requirements.txt that cannot be installed as written on a
# current toolchain, and what replaces them (same API, wheels available).
REQUIREMENT_FIXES = {
    # cbor2 5.4.2 ships no wheel for 3.11 and its sdist no longer builds with
    # current setuptools; 5.4.6 is the last release of the same series.
    "cbor2==5.4.2": "cbor2==5.4.6",
    # psycopg2 needs pg_config and libpq headers; the binary build is the same module.
    "psycopg2==": "psycopg2-binary==",
}
# Only needed by auth_ldap (not used by our addons) and needs libldap headers.
REQUIREMENT_SKIPS = ("python-ldap",)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "odoo-crm-security"


# --------------------------------------------------------------------------- Odoo
@dataclass
class OdooSource:
    root: Path          # directory holding the `odoo` package
    how: str            # how it was found, for messages

    @property
    def addons_paths(self) -> list[Path]:
        paths = [self.root / "odoo" / "addons"]
        if (self.root / "addons").is_dir():
            paths.append(self.root / "addons")
        return paths

    @property
    def requirements(self) -> Path | None:
        req = self.root / "requirements.txt"
        return req if req.is_file() else None

    def command(self) -> list[str]:
        if (self.root / "odoo-bin").is_file():
            return [venv_python(), str(self.root / "odoo-bin")]
        return [venv_python(), "-m", "odoo"]


def _is_odoo18(root: Path) -> bool:
    release = root / "odoo" / "release.py"
    if not release.is_file():
        return False
    return bool(re.search(r"^version_info\s*=\s*\(\s*18\s*,", release.read_text(), re.M))


def find_odoo() -> OdooSource:
    """ODOO_SRC, else an importable odoo, else the per-user cache, else download."""
    env_src = os.environ.get("ODOO_SRC")
    if env_src:
        root = Path(env_src).expanduser().resolve()
        if not _is_odoo18(root):
            die(f"ODOO_SRC={env_src} is not an Odoo 18.0 source tree "
                "(expected odoo/release.py with version 18).")
        return OdooSource(root, "ODOO_SRC")

    probe = subprocess.run(
        [sys.executable, "-c", "import os, odoo; print(os.path.dirname(os.path.dirname(odoo.__file__)))"],
        capture_output=True, text=True, check=False)
    if probe.returncode == 0 and probe.stdout.strip():
        root = Path(probe.stdout.strip())
        if _is_odoo18(root):
            return OdooSource(root, f"importable by {sys.executable}")

    cached = cache_dir() / f"odoo-{ODOO_SERIES}"
    if _is_odoo18(cached):
        return OdooSource(cached, "per-user cache")

    return OdooSource(_download_odoo(cached), "downloaded into the per-user cache")


def _download_odoo(target: Path) -> Path:
    info(f"Odoo {ODOO_SERIES} not found; downloading the official source into {target} (once for all clones)")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
            archive = Path(tmp) / "odoo.tar.gz"
            with urllib.request.urlopen(ODOO_ARCHIVE_URL, timeout=60) as resp, open(archive, "wb") as out:
                shutil.copyfileobj(resp, out)
            with tarfile.open(archive) as tar:
                tar.extractall(tmp, filter="data") if hasattr(tarfile, "data_filter") else tar.extractall(tmp)
            extracted = next(p for p in Path(tmp).iterdir() if p.is_dir() and (p / "odoo").is_dir())
            if not _is_odoo18(extracted):
                raise RuntimeError("the archive is not Odoo 18.0")
            extracted.rename(target)
    except Exception as exc:
        die(f"""Could not download Odoo {ODOO_SERIES} ({exc}).
Odoo 18.0 Community is needed. Do one of:
  * export ODOO_SRC=/path/to/odoo-18.0   (a source tree holding odoo-bin and odoo/release.py)
  * install Odoo 18.0 so that `{sys.executable} -c "import odoo"` works
  * put the source at {target}
    e.g.  git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo.git {target}
then run the command again.""")
    return target


# --------------------------------------------------------------------------- venv
def _fixed_requirements(req_file: Path) -> list[str]:
    lines = []
    for raw in req_file.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name = re.split(r"[<>=!~; ]", line, maxsplit=1)[0]
        if name in REQUIREMENT_SKIPS:
            continue
        for old, new in REQUIREMENT_FIXES.items():
            if line.startswith(old):
                line = new + line[len(old):]
        lines.append(line)
    return lines


def ensure_venv(odoo: OdooSource) -> None:
    reqs = _fixed_requirements(odoo.requirements) if odoo.requirements else []
    ours = (ROOT / "requirements.txt").read_text()
    digest = hashlib.sha256(("\n".join(reqs) + ours + sys.version).encode()).hexdigest()
    stamp = VENV / ".crm-requirements"
    if stamp.is_file() and stamp.read_text() == digest and Path(venv_python()).exists():
        return
    if not Path(venv_python()).exists():
        info(f"creating the virtual environment {VENV}")
        if subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=False).returncode:
            die("python3 -m venv failed. On Debian/Ubuntu: apt-get install python3-venv")
    LOCAL.mkdir(exist_ok=True)
    fixed = LOCAL / "odoo-requirements.txt"
    fixed.write_text("\n".join(reqs) + "\n")
    info("installing Odoo's and our Python requirements into .venv (first run only)")
    pip = [venv_python(), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    run(pip + ["--upgrade", "pip", "wheel", "setuptools<81"])
    run(pip + ["-r", str(fixed), "-r", str(ROOT / "requirements.txt")])
    stamp.write_text(digest)


# --------------------------------------------------------------------------- config
def write_config(odoo: OdooSource, pg: pgsql.Server, name: str, http_port: int, extra: dict | None = None) -> Path:
    LOCAL.mkdir(exist_ok=True)
    addons = [str(p) for p in odoo.addons_paths] + [str(ROOT)]
    opts = {
        "addons_path": ",".join(addons),
        "data_dir": str(LOCAL / "filestore"),
        "db_host": pg.host or "",
        "db_port": str(pg.port or ""),
        "db_user": pg.user or "",
        "db_password": pg.password or "",
        "http_port": str(http_port),
        "http_interface": "127.0.0.1",
        "admin_passwd": "admin",
        "without_demo": "all",
        "max_cron_threads": "0",
    }
    opts.update(extra or {})
    conf = LOCAL / f"{name}.conf"
    conf.write_text("[options]\n" + "".join(f"{k} = {v}\n" for k, v in opts.items()))
    return conf


def bootstrap() -> tuple[OdooSource, pgsql.Server]:
    odoo = find_odoo()
    info(f"Odoo 18.0: {odoo.root} ({odoo.how})")
    ensure_venv(odoo)
    pg = pgsql.ensure_server(venv_python())
    info(f"PostgreSQL: {pg.describe()}")
    return odoo, pg


def addons_digest() -> str:
    h = hashlib.sha256()
    for addon in ADDONS:
        for path in sorted((ROOT / addon).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(ROOT)).encode())
                h.update(path.read_bytes())
    h.update((ROOT / "scripts" / "demo_data.py").read_bytes())
    return h.hexdigest()


# --------------------------------------------------------------------------- demo
PERSONAS_FILE = ROOT / "scripts" / "demo_personas.txt"


def _wait_http(port: int, proc: subprocess.Popen | None, timeout: float = 180) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            die(f"Odoo exited with code {proc.returncode}; see {LOCAL / 'demo.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/web/health", timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    die(f"Odoo did not answer on port {port} within {timeout:.0f}s")


def _demo_pidfile() -> Path:
    return LOCAL / "demo.pid"


def stop_demo() -> None:
    pidfile = _demo_pidfile()
    if pidfile.is_file():
        try:
            os.kill(int(pidfile.read_text()), signal.SIGTERM)
            info("demo server stopped")
        except (ProcessLookupError, ValueError):
            pass
        pidfile.unlink()


def cmd_demo(args: argparse.Namespace) -> int:
    if args.stop:
        stop_demo()
        return 0
    odoo, pg = bootstrap()
    conf = write_config(odoo, pg, "demo", DEMO_PORT, {"dbfilter": f"^{DEMO_DB}$", "without_demo": "all"})
    odoo_cmd = odoo.command() + ["-c", str(conf), "-d", DEMO_DB]
    digest = addons_digest()
    stamp = LOCAL / "demo.stamp"
    exists = pgsql.database_exists(pg, DEMO_DB)
    if not exists:
        info(f"creating the demo database {DEMO_DB} (a few minutes, once)")
        run(odoo_cmd + ["-i", ",".join(ADDONS) + ",contacts", f"--load-language={LANGS}",
                        "--stop-after-init", "--log-level=warn"])
    elif not stamp.is_file() or stamp.read_text() != digest:
        info(f"addons changed since the demo database was built: upgrading {DEMO_DB}")
        run(odoo_cmd + ["-u", ",".join(ADDONS), "--stop-after-init", "--log-level=warn"])
    if not exists or not stamp.is_file() or stamp.read_text() != digest:
        info("loading the demo company, people and customers")
        with open(ROOT / "scripts" / "demo_data.py", "rb") as script:
            # the sub-command must come first on odoo-bin's command line
            run(odoo.command() + ["shell", "-c", str(conf), "-d", DEMO_DB, "--no-http", "--log-level=warn"],
                stdin=script)
        stamp.write_text(digest)
    stop_demo()
    print(PERSONAS_FILE.read_text().replace("{url}", f"http://localhost:{DEMO_PORT}"))
    serve = odoo_cmd + ["--log-level=info"]
    if args.background:
        log = open(LOCAL / "demo.log", "ab")  # noqa: SIM115 - handed to the child
        proc = subprocess.Popen(serve, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        _demo_pidfile().write_text(str(proc.pid))
        _wait_http(DEMO_PORT, proc)
        info(f"demo running in the background on http://localhost:{DEMO_PORT} (stop: make demo-stop)")
        return 0
    info(f"serving http://localhost:{DEMO_PORT} (Ctrl+C to stop)")
    os.execv(serve[0], serve)
    return 0


# --------------------------------------------------------------------------- test
def cmd_test(args: argparse.Namespace) -> int:
    odoo, pg = bootstrap()
    return testrun.run_all(odoo, pg, args, write_config=write_config, addons=ADDONS, langs=LANGS)


# --------------------------------------------------------------------------- i18n
def cmd_i18n(args: argparse.Namespace) -> int:
    """Export the .pot and refresh vi/zh_CN .po files from a scratch database."""
    odoo, pg = bootstrap()
    conf = write_config(odoo, pg, "i18n", _free_port())
    db = f"crm_i18n_{os.getpid()}"
    base = odoo.command() + ["-c", str(conf), "-d", db]
    addons = args.addons or list(ADDONS)
    try:
        run(base + ["-i", ",".join(addons), f"--load-language={LANGS}", "--stop-after-init", "--log-level=warn"])
        for addon in addons:
            i18n = ROOT / addon / "i18n"
            i18n.mkdir(exist_ok=True)
            run(base + ["--i18n-export", str(i18n / f"{addon}.pot"), "--modules", addon, "--log-level=warn"])
        run([venv_python(), str(ROOT / "scripts" / "i18n_merge.py")] + addons)
    finally:
        pgsql.drop_database(pg, db)
    return 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cmd_shell(_args: argparse.Namespace) -> int:
    odoo, pg = bootstrap()
    conf = write_config(odoo, pg, "demo", DEMO_PORT, {"dbfilter": f"^{DEMO_DB}$"})
    cmd = odoo.command() + ["shell", "-c", str(conf), "-d", DEMO_DB, "--no-http"]
    os.execv(cmd[0], cmd)
    return 0


def cmd_env(_args: argparse.Namespace) -> int:
    odoo, pg = bootstrap()
    print(f"ODOO_SRC={odoo.root}\nPYTHON={venv_python()}\nPG={pg.describe()}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    odoo, pg = bootstrap()
    bench = ROOT / "scripts" / "bench.py"
    if not bench.is_file():
        die("the benchmark is not written yet (see the benchmark issue)")
    conf = write_config(odoo, pg, "bench", _free_port())
    env = dict(os.environ, CRM_ODOO_ROOT=str(odoo.root), CRM_ODOO_CONF=str(conf))
    return subprocess.run([venv_python(), str(bench)] + args.rest, env=env, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    demo = sub.add_parser("demo", help="build (once) and serve the demo database")
    demo.add_argument("--background", action="store_true", help="start the server and return")
    demo.add_argument("--stop", action="store_true", help="stop a background demo server")
    demo.set_defaults(func=cmd_demo)
    test = sub.add_parser("test", help="the whole test command")
    test.add_argument("--keep-db", action="store_true", help="keep the throw-away database")
    test.add_argument("--only", choices=testrun.STAGES, action="append",
                      help="run only these stages (repeatable)")
    test.add_argument("--test-tags", help="override Odoo's --test-tags (development)")
    test.set_defaults(func=cmd_test)
    i18n = sub.add_parser("i18n", help="export .pot and merge .po files")
    i18n.add_argument("addons", nargs="*")
    i18n.set_defaults(func=cmd_i18n)
    sub.add_parser("shell", help="odoo shell on the demo database").set_defaults(func=cmd_shell)
    sub.add_parser("env", help="bootstrap and print paths").set_defaults(func=cmd_env)
    bench = sub.add_parser("bench", help="benchmarks against standard Odoo")
    bench.add_argument("rest", nargs=argparse.REMAINDER)
    bench.set_defaults(func=cmd_bench)
    args, unknown = parser.parse_known_args(argv)
    if unknown and args.cmd != "bench":
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.cmd == "bench":
        args.rest = list(args.rest) + unknown  # options of bench.py itself (--quick, --strict, ...)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
