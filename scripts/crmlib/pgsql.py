"""Find a PostgreSQL server, or run a project-local cluster in .local/pg."""
from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .common import LOCAL, die, info, is_root, run, venv_python

LOCAL_PORT = int(os.environ.get("CRM_PG_PORT", "54329"))
LOCAL_USER = "odoo"
PG_ENV = ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGSERVICE")


@dataclass
class Server:
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = None
    local: bool = False

    def describe(self) -> str:
        where = "project-local cluster in .local/pg" if self.local else "existing server"
        return f"{where} (host={self.host or 'default socket'}, port={self.port or 'default'}, user={self.user or 'default'})"

    def dsn(self, dbname: str = "postgres") -> dict:
        params = {"dbname": dbname}
        for key in ("host", "port", "user", "password"):
            if getattr(self, key):
                params[key] = getattr(self, key)
        return params


_PROBE = r"""
import json, sys, psycopg2
try:
    conn = psycopg2.connect(**json.loads(sys.argv[1]))
    cr = conn.cursor()
    cr.execute("SELECT current_user, rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user")
    user, can_create = cr.fetchone()
    print(json.dumps({"ok": True, "user": user, "can_create": can_create}))
except Exception as exc:
    print(json.dumps({"ok": False, "error": str(exc).strip()}))
"""


def _probe(server: Server) -> dict:
    out = subprocess.run([venv_python(), "-c", _PROBE, json.dumps(server.dsn())],
                         capture_output=True, text=True, check=False)
    try:
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"ok": False, "error": out.stderr.strip()}


def _sql(server: Server, sql: str, params: tuple = (), dbname: str = "postgres") -> list:
    script = (
        "import json, sys, psycopg2\n"
        "conn = psycopg2.connect(**json.loads(sys.argv[1])); conn.autocommit = True\n"
        "cr = conn.cursor(); cr.execute(sys.argv[2], json.loads(sys.argv[3]))\n"
        "print(json.dumps(cr.fetchall() if cr.description else []))\n"
    )
    out = subprocess.run([venv_python(), "-c", script, json.dumps(server.dsn(dbname)), sql, json.dumps(params)],
                         capture_output=True, text=True, check=False)
    if out.returncode:
        die(f"SQL failed ({sql}): {out.stderr.strip()}")
    return json.loads(out.stdout)


def database_exists(server: Server, name: str) -> bool:
    return bool(_sql(server, "SELECT 1 FROM pg_database WHERE datname = %s", (name,)))


def drop_database(server: Server, name: str) -> None:
    _sql(server, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
    _sql(server, f'DROP DATABASE IF EXISTS "{name}"')
    shutil.rmtree(LOCAL / "filestore" / "filestore" / name, ignore_errors=True)


def ensure_server(_python: str) -> Server:
    """A server already reachable (PG* variables or the local socket), else our own cluster."""
    if os.environ.get("CRM_PG_LOCAL") != "1":
        existing = Server(host=os.environ.get("PGHOST"), port=int(os.environ["PGPORT"]) if os.environ.get("PGPORT") else None,
                          user=os.environ.get("PGUSER"), password=os.environ.get("PGPASSWORD"))
        probe = _probe(existing)
        if probe["ok"] and probe["can_create"] and probe["user"] != "postgres":
            return existing
        if any(os.environ.get(k) for k in PG_ENV):
            if probe["ok"]:
                die(f"PostgreSQL user {probe['user']!r} cannot be used by Odoo (it needs CREATEDB and must not be "
                    "'postgres'). Set PGUSER to another role, or unset the PG* variables to use a project-local cluster.")
            die(f"PostgreSQL from the PG* variables is not reachable: {probe['error']}\n"
                "Fix the PG* variables, or unset them to use a project-local cluster.")
    return _local_cluster()


# --------------------------------------------------------------------------- local cluster
def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return candidates[-1] if candidates else None


def _install_postgres() -> None:
    if not shutil.which("apt-get"):
        die("PostgreSQL is not installed and this is not a Debian/Ubuntu system: install the PostgreSQL "
            "server (initdb, pg_ctl) or point PGHOST/PGPORT/PGUSER/PGPASSWORD at a server, then run again.")
    sudo = [] if is_root() else ["sudo", "-n"]
    if not is_root() and subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False).returncode:
        die("PostgreSQL is not installed. Run:  sudo apt-get install -y postgresql\n"
            "or point PGHOST/PGPORT/PGUSER/PGPASSWORD at a server, then run again.")
    info("installing the Debian PostgreSQL packages")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(sudo + ["apt-get", "update", "-qq"], env=env)
    run(sudo + ["apt-get", "install", "-y", "-qq", "postgresql"], env=env)


def _as_pg_user(cmd: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` user."""
    if not is_root():
        return cmd
    return ["runuser", "-u", "postgres", "--"] + cmd


def _make_traversable(path: Path) -> None:
    """As root, the `postgres` user must be able to reach the data directory."""
    for parent in [path, *path.parents]:
        if subprocess.run(["runuser", "-u", "postgres", "--", "test", "-x", str(parent)],
                          capture_output=True, check=False).returncode:
            info(f"granting traversal (o+x) on {parent} so that the postgres user reaches .local/pg")
            os.chmod(parent, os.stat(parent).st_mode | 0o001)


def _socket_dir() -> Path:
    sock = LOCAL / "pgrun"
    if len(str(sock)) + 20 > 100:  # unix socket paths are limited to ~107 bytes
        digest = hashlib.sha1(str(LOCAL).encode()).hexdigest()[:10]
        sock = Path(tempfile.gettempdir()) / f"crm-pg-{digest}"
    return sock


def _local_cluster() -> Server:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        _install_postgres()
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not (initdb and pg_ctl):
            die("initdb/pg_ctl not found even after installing PostgreSQL")
    data, sock = LOCAL / "pg" / "data", _socket_dir()
    server = Server(host=str(sock), port=LOCAL_PORT, user=LOCAL_USER, local=True)
    data.parent.mkdir(parents=True, exist_ok=True)
    sock.mkdir(parents=True, exist_ok=True)
    if is_root():
        shutil.chown(data.parent, "postgres", "postgres")
        shutil.chown(sock, "postgres", "postgres")
        _make_traversable(data.parent)
    if not (data / "PG_VERSION").is_file():
        info("creating a project-local PostgreSQL cluster in .local/pg")
        run(_as_pg_user([initdb, "-D", str(data), "-U", LOCAL_USER, "--auth=trust",
                         "--encoding=UTF8", "--locale=C.UTF-8"]), stdout=subprocess.DEVNULL)
    status = subprocess.run(_as_pg_user([pg_ctl, "-D", str(data), "status"]), capture_output=True, check=False)
    if status.returncode != 0:
        info(f"starting the project-local PostgreSQL on socket {sock} port {LOCAL_PORT}")
        opts = f"-k {sock} -p {LOCAL_PORT} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        run(_as_pg_user([pg_ctl, "-D", str(data), "-l", str(data.parent / "postgres.log"), "-o", opts, "-w", "start"]),
            stdout=subprocess.DEVNULL)
    probe = _probe(server)
    if not probe["ok"]:
        die(f"the project-local PostgreSQL does not answer: {probe['error']} (log: {data.parent / 'postgres.log'})")
    return server
