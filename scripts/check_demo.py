#!/usr/bin/env python3
"""Check a running demo: every persona can log in, and the login page renders.

    python3 scripts/check_demo.py [URL] [--db crm_demo]     check (URL defaults to http://localhost:8069)
    python3 scripts/check_demo.py --write-table             regenerate scripts/demo_personas.txt

The personas come from PERSONAS in scripts/demo_data.py, read with `ast` (that file only runs
inside `odoo-bin shell`), so the data, the printed table and this check cannot drift apart:
the check also fails when demo_personas.txt is not the table PERSONAS gives.

Standard library only; the login-page check runs scripts/screenshot.py with the project's
virtualenv (it needs websocket-client) and headless Chromium. Exit code 1 on any failure.
"""
from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
import textwrap
import unicodedata
import urllib.error
import urllib.request
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
ROOT = SCRIPTS.parent
DEMO_DATA = SCRIPTS / "demo_data.py"
TABLE = SCRIPTS / "demo_personas.txt"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"

HEADER = """\
Sao Việt CRM demo: {url}   (database crm_demo, Công ty TNHH Thương mại Sao Việt)
Every password is "demo" except admin's. Log in as two people and compare Contacts and CRM.

"""
FOOTER = """
Data: 26 customer companies with contacts and 42 individual customers (Hà Nội, Hồ Chí Minh,
Đà Nẵng, Hải Phòng, Cần Thơ), 28 leads/opportunities in VND, some won or lost; edits, a hand-over,
exports and deletes made by Tuấn, Hồng, Ngọc, Dũng, Wang Fang, Thu, Mai and Hùng (see Audit > Events).
"""
COLUMNS = (("LOGIN", "login", 22), ("PASSWORD", "password", 8), ("NAME", "name", 16),
           ("ROLE", "role", 30), ("SHOULD SEE", "sees", 56))


def load_personas(path: Path = DEMO_DATA) -> list[dict]:
    """PERSONAS of demo_data.py, without running it."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PERSONAS" for t in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit(f"PERSONAS not found in {path}")


def width(text: str) -> int:
    """Columns the text takes in a terminal: CJK characters take two, combining marks none."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(columns - width(text), 0)


def render_table(personas: list[dict]) -> str:
    lines = ["  ".join(pad(title, size) for title, _key, size in COLUMNS).rstrip(),
             "  ".join("-" * size for _title, _key, size in COLUMNS)]
    for persona in personas:
        cells = [textwrap.wrap(persona[key], size) if size > 20 else [persona[key]] for _t, key, size in COLUMNS]
        for row in range(max(len(cell) for cell in cells)):
            lines.append("  ".join(pad(cell[row] if row < len(cell) else "", size)
                                   for cell, (_t, _k, size) in zip(cells, COLUMNS, strict=True)).rstrip())
    return HEADER + "\n".join(lines) + "\n" + FOOTER


def authenticate(url: str, db: str, login: str, password: str) -> dict:
    """JSON-RPC /web/session/authenticate; the session info, or an exception with Odoo's message."""
    payload = {"jsonrpc": "2.0", "method": "call", "id": 1,
               "params": {"db": db, "login": login, "password": password}}
    request = urllib.request.Request(f"{url}/web/session/authenticate", data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as resp:
        answer = json.load(resp)
    if answer.get("error"):
        error = answer["error"]
        raise RuntimeError((error.get("data") or {}).get("message") or error.get("message") or str(error))
    return answer.get("result") or {}


def check_persona(url: str, db: str, persona: dict) -> str | None:
    """None if the persona logs in as described, else why not."""
    try:
        info = authenticate(url, db, persona["login"], persona["password"])
    except (OSError, RuntimeError, ValueError) as exc:
        return f"login failed: {exc}"
    if not info.get("uid"):
        return "no uid returned"
    problems = []
    lang = (info.get("user_context") or {}).get("lang")
    if lang != persona["lang"]:
        problems.append(f"language {lang} instead of {persona['lang']}")
    if info.get("name") != persona["name"]:
        problems.append(f"name {info.get('name')!r} instead of {persona['name']!r}")
    return "; ".join(problems) or None


def check_login_page(url: str) -> str | None:
    python = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable
    cmd = [python, str(SCRIPTS / "screenshot.py"), "--url", url, "--login-page-only"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    if proc.returncode:
        return (proc.stderr or proc.stdout).strip().splitlines()[-1] if (proc.stderr or proc.stdout).strip() \
            else f"screenshot.py exited {proc.returncode}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", nargs="?", default="http://localhost:8069")
    parser.add_argument("--db", default="crm_demo")
    parser.add_argument("--write-table", action="store_true", help=f"regenerate {TABLE.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    personas = load_personas()
    table = render_table(personas)
    if args.write_table:
        TABLE.write_text(table, encoding="utf-8")
        print(f"wrote {TABLE.relative_to(ROOT)} ({len(personas)} personas)")
        return 0

    url = args.url.rstrip("/")
    failures = 0

    def report(label: str, problem: str | None) -> None:
        nonlocal failures
        failures += bool(problem)
        print(f"{'FAIL' if problem else 'OK  '}  {pad(label, 32)}{'  ' + problem if problem else ''}".rstrip(), flush=True)

    current = TABLE.read_text(encoding="utf-8") if TABLE.is_file() else ""
    report("personas table", None if current == table else
           f"{TABLE.name} differs from PERSONAS: run scripts/check_demo.py --write-table")
    for persona in personas:
        report(persona["login"], check_persona(url, args.db, persona))
    report("login page", check_login_page(url))
    print(f"{len(personas) + 2 - failures} OK, {failures} FAIL")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
