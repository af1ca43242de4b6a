"""Sizes, scenarios and targets of the benchmark (pure Python: used by bench.py and inside Odoo)."""
from __future__ import annotations

from dataclasses import dataclass

# Bump when the benchmark data built by odoo_setup changes shape: databases are rebuilt.
DATA_VERSION = 3

FULL = {
    "customers": 100_000,   # bulk customers for the list scenarios
    "owners": 20,           # ... spread over this many salespeople
    "shares": 100,          # customers of another owner shared with the salesman (masked list)
    "create": 10_000,       # customers created in batches
    "batch": 500,           # ... per create() call
    "write": 10_000,        # single-record writes
    "unlink": 1_000,        # customers deleted (then restored)
    "export": 5_000,        # customers exported
    "events": 10_000_000,   # audit events in the log for the history scenario
    "list_limit": 80,       # rows of a list page
    "calls": 5,             # calls per repetition of a read scenario (time is per call)
    "runs": 5,              # timed repetitions (median)
}
QUICK = dict(FULL, customers=10_000, create=1_000, batch=100, write=1_000, unlink=100, export=500,
             events=1_000_000, runs=3)
# Sizes that are built into the databases (a change rebuilds them); the others are per run.
DATA_KEYS = ("customers", "owners", "shares", "events")


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str          # format() with the sizes
    target: float       # ratio, or milliseconds when absolute
    absolute: bool = False
    per_call: bool = False          # time of one call (read scenarios), else of the whole batch
    oca: bool = False               # also run with OCA auditlog when given
    std_key: str | None = None      # the standard side runs another scenario (restore: creation)

    def title(self, sizes: dict) -> str:
        return self.label.format(**{k: f"{v:,}" for k, v in sizes.items()})

    def target_text(self) -> str:
        return f"< {self.target:g} ms" if self.absolute else f"≤ {self.target:g}×"

    def met(self, ratio: float | None, ours_ms: float | None) -> bool | None:
        if self.absolute:
            return None if ours_ms is None else ours_ms < self.target
        return None if ratio is None else ratio <= self.target


SCENARIOS = (
    Scenario("create", "create {create} customers in batches of {batch}, every stored field audited",
             1.3, oca=True),
    Scenario("write", "write 2 fields on {write} customers, one call each, audited", 1.3, oca=True),
    Scenario("unlink", "delete {unlink} customers with full snapshots", 2.0, oca=True),
    Scenario("restore", "restore those {unlink} customers (standard: creating them)", 2.0,
             std_key="create_small"),
    Scenario("list", "salesman's customer list: {list_limit} rows of {customers} customers / {owners} owners",
             1.3, per_call=True),
    Scenario("list_masked", "same list, protected fields masked on the {list_limit} rows", 1.2, per_call=True),
    Scenario("care", "Customer Care list through the department × stage matrix", 1.3, per_call=True),
    Scenario("history", "one record's History (list) among {events} events", 50, absolute=True, per_call=True),
    Scenario("history_tab", "one record's History tab on the customer form", 50, absolute=True, per_call=True),
    Scenario("export", "export {export} customers, export logged", 1.2),
)
BY_KEY = {s.key: s for s in SCENARIOS}
