"""Long-lived `odoo-bin shell` processes, one per database, driven over a socket.

The shell executes its standard input (a three-line bootstrap that imports benchlib.odoo_worker),
so the requests go through a socket inherited by the child: one JSON line per request and per
answer. Odoo's own log goes to a file. Keeping the process alive lets the orchestrator interleave
the repetitions of both databases (std, ours, std, ours...), so that a burst of load on a shared
machine hits both sides alike, and pays the registry loading only once per database.
"""
from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
from pathlib import Path

from .databases import OdooConf, Target, log_tail

SCRIPTS = Path(__file__).resolve().parents[1]
BOOTSTRAP = f"""
import sys
sys.path.insert(0, {str(SCRIPTS)!r})
from benchlib import odoo_worker
odoo_worker.serve(env)
"""


class WorkerError(RuntimeError):
    pass


class Worker:
    def __init__(self, conf: OdooConf, target: Target, log: Path, timeout: float):
        self.conf, self.target, self.log, self.timeout = conf, target, log, timeout
        self.proc: subprocess.Popen | None = None
        self.sock: socket.socket | None = None

    def start(self) -> None:
        parent, child = socket.socketpair()
        cmd = self.conf.odoo_cmd(self.target, "--no-http", "--log-level=warn", "--max-cron-threads=0", sub="shell")
        env = dict(os.environ, CRM_BENCH_FD=str(child.fileno()), PYTHONUNBUFFERED="1")
        out = open(self.log, "ab")  # noqa: SIM115 - the child keeps it
        out.write(("\n$ " + " ".join(cmd) + "\n").encode())
        out.flush()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT,
                                     env=env, pass_fds=(child.fileno(),))
        out.close()
        child.close()
        self.proc.stdin.write(BOOTSTRAP.encode())
        self.proc.stdin.close()
        self.sock = parent
        self.sock.settimeout(self.timeout)
        self._reader = parent.makefile("rb")

    def call(self, cmd: str, **params) -> dict:
        if self.sock is None:
            raise WorkerError(f"worker of {self.target.db} is not running")
        try:
            self.sock.sendall((json.dumps({"cmd": cmd, **params}) + "\n").encode())
            line = self._reader.readline()
        except (OSError, TimeoutError) as exc:
            self.stop()
            raise WorkerError(f"worker of {self.target.db}: {exc}\n{log_tail(self.log)}") from exc
        if not line:
            self.stop()
            raise WorkerError(f"worker of {self.target.db} exited\n{log_tail(self.log)}")
        answer = json.loads(line)
        if "error" in answer:
            raise WorkerError(f"{self.target.db}: {answer['error']}\n{answer.get('traceback', '')}".rstrip())
        return answer

    def stop(self) -> None:
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.sendall(b'{"cmd": "quit"}\n')
            self.sock.close()
            self.sock = None
        if self.proc is not None:
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
