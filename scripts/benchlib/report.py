"""Results: one row per scenario, as an aligned table, JSON and Markdown."""
from __future__ import annotations

import json
import statistics
from pathlib import Path

from .spec import BY_KEY

OK, MISSED = "✓", "✗"


def summarize(samples: list[dict]) -> dict | None:
    """Median time and queries of the repetitions, peak memory; None without samples."""
    if not samples:
        return None
    return {
        "seconds": statistics.median(s["seconds"] for s in samples),
        "queries": statistics.median(s["queries"] for s in samples),
        "mem_kb": max(s["mem_kb"] for s in samples),
        "runs": [round(s["seconds"], 6) for s in samples],
        "check": samples[-1].get("check"),
    }


def finish_row(row: dict) -> dict:
    """Ratio, target met or missed, from the summaries of the sides."""
    scenario = BY_KEY[row["key"]]
    std, other = row.get("std"), row.get(row["side"])
    ratio = other["seconds"] / std["seconds"] if std and other and std["seconds"] else None
    other_ms = other["seconds"] * 1000 if other else None
    row["ratio"] = round(ratio, 3) if ratio is not None else None
    row["met"] = None if row.get("na") or row.get("error") else scenario.met(ratio, other_ms)
    return row


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 0.01:
        return f"{seconds * 1000:.2f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_queries(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:.1f}"


def fmt_mem(kb: int | None) -> str:
    return "—" if kb is None else f"{kb / 1024:.1f}"


def short_na(reason: str) -> str:
    """The table's cell; the whole reason is printed under the table and kept in the JSON."""
    return "n/a (not implemented)" if reason.startswith("not implemented") else "n/a (see below)"


def cells(row: dict) -> list[str]:
    std, other = row.get("std"), row.get(row["side"])
    if row.get("na") or row.get("error"):
        status = short_na(row["na"]) if row.get("na") else "error (see below)"
        return [row["title"], fmt_time(std and std["seconds"]), status, "", row["target"], "", "", ""]
    mark = {True: OK, False: MISSED, None: ""}[row["met"]]
    ratio = f"{row['ratio']:.2f}×" if row["ratio"] is not None else "—"
    queries = f"{fmt_queries(std and std['queries'])} → {fmt_queries(other['queries'])}"
    mem = f"{fmt_mem(std and std['mem_kb'])} / {fmt_mem(other['mem_kb'])}"
    return [row["title"], fmt_time(std and std["seconds"]), fmt_time(other["seconds"]), ratio, row["target"],
            queries, mem, mark]


HEADERS = ["Scenario", "Standard", "With addons", "Ratio", "Target", "SQL queries", "Memory MiB", ""]


def table(rows: list[dict]) -> str:
    body = [cells(row) for row in rows]
    widths = [max(len(r[i]) for r in [HEADERS, *body]) for i in range(len(HEADERS))]
    # a long n/a reason may overflow its column rather than widen the whole table
    widths[2] = min(widths[2], 21)
    lines = []
    for index, line in enumerate([HEADERS, *body]):
        lines.append("  ".join(cell.ljust(width) if i in (0, 2, 4) or index == 0 else cell.rjust(width)
                               for i, (cell, width) in enumerate(zip(line, widths, strict=True))).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown(rows: list[dict], meta: dict) -> str:
    out = ["| " + " | ".join(HEADERS[:-1] + ["Met"]) + " |", "|" + "---|" * len(HEADERS)]
    for row in rows:
        line = cells(row)
        out.append("| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |")
    out.append("")
    out.append(f"{meta['mode']} mode, {meta['when']}, {meta['machine']}; median of {meta['runs']} runs "
               f"(read scenarios and those under {meta.get('short_run', 2):.0f} s: "
               f"of max(3 × {meta['runs']}, {meta.get('read_runs', 15)})); "
               "read scenarios: time and queries of one call. "
               "Memory: peak growth of the worker's resident memory during a repetition.")
    for row in rows:
        if row.get("na"):
            out.append("")
            out.append(f"n/a: {row['title'].strip()}: {row['na']}.")
        if row.get("error"):
            out.append("")
            out.append(f"error: {row['title'].strip()}: {row['error'].splitlines()[0]}")
    missed = [row["title"] for row in rows if row.get("met") is False and not row.get("informative")]
    if missed:
        out.append("")
        out.append("Missed targets: " + "; ".join(missed) + ".")
    return "\n".join(out) + "\n"


def write_json(path: Path, rows: list[dict], meta: dict) -> None:
    missed = [row["key"] for row in rows if row.get("met") is False and not row.get("informative")]
    path.write_text(json.dumps({"meta": meta, "rows": rows, "missed": missed}, indent=2, ensure_ascii=False,
                               default=str) + "\n")
