"""The request loop of a benchmark worker (runs inside `odoo-bin shell`, see workers.py).

Requests (one JSON line each) and answers (one JSON line each) go through the socket whose file
descriptor is in CRM_BENCH_FD:

    {"cmd": "setup", "sizes": {...}, "marker": {...}}  -> {"changed": bool, "ids": {...}, "notes": [...]}
    {"cmd": "hello", "sizes": {...}}                    -> {"features": {...}, "version": "18.0..."}
    {"cmd": "prepare", "key": "list"}                   -> {"na": reason} or {"info": {...}}
    {"cmd": "run", "key": "list", "warmup": false}      -> {"seconds", "queries", "mem_kb", "calls", "check"}
    {"cmd": "begin", "key": "write"}                    -> {"units": count}     (a repetition in parts:)
    {"cmd": "step", "count": 500}                       -> {"done", "units"}    (the next units, timed)
    {"cmd": "finish"}                                   -> as "run"
    {"cmd": "abort"}                                    -> {}  (the repetition under way rolled back)
    {"cmd": "quit"}
An exception answers {"error": "..."} after a rollback; the loop goes on.
"""
import json
import logging
import os
import socket
import traceback

from odoo import release

from . import odoo_features, odoo_setup
from .odoo_scenarios import Bench

_logger = logging.getLogger("crm_bench")


def serve(env):
    sock = socket.socket(fileno=int(os.environ["CRM_BENCH_FD"]))
    reader, writer = sock.makefile("rb"), sock.makefile("wb")
    state = {}
    for line in reader:
        request = json.loads(line)
        if request["cmd"] == "quit":
            break
        try:
            answer = _dispatch(env, state, request)
        except Exception as exc:
            env.cr.rollback()
            _logger.exception("benchmark request %s failed", request.get("cmd"))
            answer = {"error": f"{type(exc).__name__}: {exc}",
                      "traceback": traceback.format_exc(limit=-8)}
        writer.write((json.dumps(answer, default=str) + "\n").encode())
        writer.flush()
    env.cr.rollback()
    sock.close()


def _dispatch(env, state, request):
    cmd = request["cmd"]
    if cmd == "setup":
        return odoo_setup.setup(env, request["sizes"], request["marker"])
    if cmd == "hello":
        ids = json.loads(env["ir.config_parameter"].sudo().get_param(odoo_setup.IDS_KEY) or "{}")
        state["bench"] = Bench(env, request["sizes"], ids)
        return {"features": odoo_features.describe(env), "version": release.version}
    bench = state["bench"]
    if cmd == "prepare":
        return bench.prepare(request["key"])
    if cmd == "run":
        return bench.run(request["key"], warmup=request.get("warmup", False), calls=request.get("calls"))
    if cmd == "begin":
        return bench.begin(request["key"], calls=request.get("calls"))
    if cmd == "step":
        return bench.step(request.get("count"))
    if cmd == "finish":
        return bench.finish()
    if cmd == "abort":
        return bench.abort()
    raise ValueError(f"unknown request {cmd}")
