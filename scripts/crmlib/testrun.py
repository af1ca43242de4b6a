"""The test command: lint, static checks + translation gate, Odoo's test runner, end-to-end RPC.

Every stage reports (passed, failed); a skipped test counts as failed, because a skipped
browser tour or security test proves nothing. The last line is ``N passed, M failed``.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

from . import pgsql
from .common import LOCAL, ROOT, info, venv_python

STAGES = ("lint", "static", "odoo", "e2e")
LOGS = LOCAL / "logs" / f"test-{os.getpid()}"  # one folder per run: runs may overlap

_REPORT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")
_SKIP = re.compile(r"odoo\.addons\.(crm_security|crm_audit_log)\.tests\.\S+: skipped (.*)")
_PROBLEM = re.compile(r" (ERROR|CRITICAL) .*|^(FAIL|ERROR): ")


class Result:
    def __init__(self, name: str):
        self.name, self.passed, self.failed, self.notes = name, 0, 0, []

    def __str__(self):
        notes = f"  ({'; '.join(self.notes)})" if self.notes else ""
        return f"  {self.name:<8} {self.passed:>5} passed {self.failed:>4} failed{notes}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pytest(res: Result, target: str, env: dict | None = None, extra: list[str] | None = None) -> None:
    LOGS.mkdir(parents=True, exist_ok=True)
    junit = LOGS / f"pytest-{res.name}.xml"
    junit.unlink(missing_ok=True)
    cmd = [venv_python(), "-m", "pytest", "-q", "-p", "no:cacheprovider", target, f"--junitxml={junit}"] + (extra or [])
    print(f"    $ {' '.join(cmd)}", flush=True)
    proc = subprocess.run(cmd, cwd=ROOT, env=dict(os.environ, **(env or {})), check=False)
    if not junit.is_file():
        res.failed += 1
        res.notes.append(f"pytest exited {proc.returncode} without a report")
        return
    suites = ET.parse(junit).getroot()
    for suite in suites.iter("testsuite"):
        tests, failures, errors, skipped = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
        res.failed += failures + errors + skipped
        res.passed += tests - failures - errors - skipped
        if skipped:
            res.notes.append(f"{skipped} skipped (counted as failed)")
    if res.passed + res.failed == 0:
        res.failed += 1
        res.notes.append("no test ran")


def stage_lint(res: Result) -> None:
    targets = ["crm_security", "crm_audit_log", "scripts", "tests"]
    for name, cmd in (
        ("ruff", [venv_python(), "-m", "ruff", "check", *targets]),
        ("pylint-odoo", [venv_python(), "-m", "pylint", "--rcfile", str(ROOT / ".pylintrc"), "crm_security", "crm_audit_log"]),
    ):
        print(f"    $ {' '.join(cmd)}", flush=True)
        if subprocess.run(cmd, cwd=ROOT, check=False).returncode:
            res.failed += 1
            res.notes.append(f"{name} found problems")
        else:
            res.passed += 1


def _odoo(odoo, conf: Path, db: str, args: list[str], log: Path) -> int:
    cmd = odoo.command() + ["-c", str(conf), "-d", db] + args
    print(f"    $ {' '.join(cmd)}  > {log}", flush=True)
    with open(log, "w") as out:
        return subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False).returncode


def stage_odoo(res: Result, odoo, conf: Path, db: str, addons, langs, tags: str | None) -> bool:
    """Install both addons on a throw-away database and run their at_install + post_install tests."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / "odoo-tests.log"
    tags = tags or ",".join(f"/{a}" for a in addons)
    rc = _odoo(odoo, conf, db, ["-i", ",".join(addons), f"--load-language={langs}", "--test-tags", tags,
                                "--stop-after-init", "--log-level=info"], log)
    text = log.read_text(errors="replace")
    problems = [line for line in text.splitlines() if _PROBLEM.search(line)]
    for line in problems[:60]:
        print(f"    | {line[:400]}")
    report = _REPORT.findall(text)
    skips = _SKIP.findall(text)
    if report:
        failed, errors, total = (int(x) for x in report[-1])
        res.failed += failed + errors + len(skips)
        res.passed += total - failed - errors - len(skips)
    if skips:
        res.notes.append(f"{len(skips)} skipped (counted as failed): {skips[0][1][:80]}")
    if not report or res.passed + res.failed == 0:
        res.failed += 1
        res.notes.append("Odoo ran no test of ours: no Odoo, no green")
    elif rc and not res.failed:
        res.failed += 1
        res.notes.append(f"odoo exited {rc}")
    if res.failed:
        res.notes.append(f"log: {log}")
    return rc == 0 or bool(report)


def stage_e2e(res: Result, odoo, conf: Path, db: str) -> None:
    """Start a real Odoo server on the test database and drive it over JSON-RPC from pytest."""
    port = _free_port()
    log = LOGS / "odoo-e2e.log"
    cmd = odoo.command() + ["-c", str(conf), "-d", db, "--http-port", str(port), "--db-filter", f"^{db}$",
                            "--http-interface", "0.0.0.0", "--log-level=info"]
    print(f"    $ {' '.join(cmd)} &  > {log}", flush=True)
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/web/health", timeout=5):
                    break
            except OSError:
                time.sleep(1)
        else:
            res.failed += 1
            res.notes.append(f"the e2e Odoo server did not start (log: {log})")
            return
        _pytest(res, "tests/e2e", env={"CRM_E2E_URL": f"http://127.0.0.1:{port}", "CRM_E2E_DB": db,
                                       "CRM_E2E_ADMIN_PASSWORD": "admin", "CRM_E2E_LOG": str(log)})
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _require_browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return None
    return ("no Chrome/Chromium on PATH: Odoo would skip every browser test. "
            "Install it (Debian/Ubuntu: apt-get install -y chromium) and run again.")


def run_all(odoo, pg, args, write_config, addons, langs) -> int:
    stages = args.only or list(STAGES)
    results: list[Result] = []
    db = f"crm_test_{os.getpid()}"
    conf = write_config(odoo, pg, f"test-{os.getpid()}", _free_port())
    odoo_env = {"CRM_ODOO_ROOT": str(odoo.root)}
    t0 = time.time()
    try:
        if "lint" in stages:
            info("lint: ruff + pylint-odoo")
            results.append(res := Result("lint"))
            stage_lint(res)
        if "static" in stages:
            info("static checks and translation gate (pytest tests/static)")
            results.append(res := Result("static"))
            _pytest(res, "tests/static", env=odoo_env)
        if "odoo" in stages or "e2e" in stages:
            results.append(res := Result("odoo"))
            problem = _require_browser()
            if problem:
                res.failed += 1
                res.notes.append(problem)
            if "odoo" in stages:
                info(f"Odoo test runner on the throw-away database {db} (at_install + post_install, browser tours)")
                stage_odoo(res, odoo, conf, db, addons, langs, args.test_tags)
            else:
                results.remove(res)
                LOGS.mkdir(parents=True, exist_ok=True)
                _odoo(odoo, conf, db, ["-i", ",".join(addons), f"--load-language={langs}", "--stop-after-init"],
                      LOGS / "odoo-install.log")
        if "e2e" in stages:
            info("end-to-end: real Odoo server driven over JSON-RPC (pytest tests/e2e)")
            results.append(res := Result("e2e"))
            stage_e2e(res, odoo, conf, db)
    finally:
        if not args.keep_db:
            pgsql.drop_database(pg, db)
            conf.unlink(missing_ok=True)
        else:
            info(f"kept database {db}")
    passed = sum(r.passed for r in results)
    failed = sum(r.failed for r in results)
    print(f"\nTest summary ({time.time() - t0:.0f}s):")
    for res in results:
        print(res)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed or not passed else 0
