"""Request facts for the audit log, kept on a thread-local (pure Python, no ORM).

XML-RPC and JSON-RPC unbind ``odoo.http.request`` while model code runs, so ``ir.http._authenticate``
(where the request is still bound) stores what the audit needs here. Each capture is stamped with
the request's start time, which Odoo sets on the thread for every request (``perf_t0``): a value
left over from an earlier request served by the same thread is never used.

Channel scopes (cron, server action, import) and the read-nesting counter live here too.
"""
import threading
from contextlib import contextmanager
from dataclasses import dataclass, replace

_local = threading.local()


@dataclass(frozen=True)
class RequestInfo:
    channel: str
    ip_address: str | None = None
    user_agent: str | None = None
    session_ref: str | None = None
    session_uid: int | None = None


def _stamp():
    return getattr(threading.current_thread(), "perf_t0", None)


def capture(info):
    """Remember `info` for the request being served by this thread."""
    _local.request = (info, _stamp())


def current():
    """The RequestInfo of the request this thread serves, or None (cron, shell, tests)."""
    stored = getattr(_local, "request", None)
    if not stored:
        return None
    info, stamp = stored
    if stamp is None or stamp != _stamp():
        return None
    return info


def refine(**changes):
    """Update the current request's info (e.g. the channel once the credential is known)."""
    info = current()
    if info is not None:
        _local.request = (replace(info, **changes), _stamp())


@contextmanager
def channel_scope(channel, keep_outer=False):
    """Run a block under `channel` (e.g. "cron"); with keep_outer, an enclosing scope wins."""
    stack = _local.__dict__.setdefault("channels", [])
    stack.append(stack[-1] if keep_outer and stack else channel)
    try:
        yield
    finally:
        stack.pop()


def scoped_channel():
    stack = getattr(_local, "channels", None)
    return stack[-1] if stack else None


@contextmanager
def read_scope():
    """Count nested reads: yields True for the outermost one only (the one the user asked for)."""
    _local.read_depth = getattr(_local, "read_depth", 0) + 1
    try:
        yield _local.read_depth == 1
    finally:
        _local.read_depth -= 1


@contextmanager
def collect_created():
    """Collect the ids created during a block ({model: set of ids}), e.g. by an import."""
    stack = _local.__dict__.setdefault("created", [])
    created = {}
    stack.append(created)
    try:
        yield created
    finally:
        stack.pop()


def note_created(model_name, ids):
    for created in getattr(_local, "created", ()):
        created.setdefault(model_name, set()).update(ids)


@contextmanager
def export_scope(export_format):
    """A web export (/web/export/csv|xlsx) in progress: its format, and whether a refusal was logged."""
    previous = getattr(_local, "export", None)
    _local.export = {"format": export_format, "refusal_logged": False}
    try:
        yield _local.export
    finally:
        _local.export = previous


def current_export():
    return getattr(_local, "export", None)
