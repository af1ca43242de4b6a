"""Shared helpers of the developer tooling (standard library only)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / ".local"          # git-ignored: PostgreSQL cluster, filestore, logs, configs
VENV = ROOT / ".venv"            # git-ignored: Odoo's and our Python requirements


def venv_python() -> str:
    return str(VENV / "bin" / "python")


def info(msg: str) -> None:
    print(f"==> {msg}", flush=True)


def die(msg: str, code: int = 2) -> None:
    print(f"ERROR: {msg}", file=sys.stderr, flush=True)
    sys.exit(code)


def run(cmd: list[str], check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    """Run a command, echoing it; stop the tool with a clear message if it fails."""
    shown = " ".join(str(c) for c in cmd)
    print(f"    $ {shown}", flush=True)
    proc = subprocess.run(cmd, check=False, **kwargs)
    if check and proc.returncode:
        die(f"command failed with exit code {proc.returncode}: {shown}")
    return proc


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0
