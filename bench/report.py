"""The results of one `make bench`: bench/results.json and the Markdown table bench/results.md."""

from __future__ import annotations

import json
import math
import os
import platform
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import Result


def _number(value: float | None, unit: str = "ms") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "req/s":
        return f"{value:.0f}"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 1000 else f"{value:.0f}"


def record(result: Result) -> dict[str, Any]:
    data = asdict(result)
    for key, value in data.items():
        if isinstance(value, float) and math.isnan(value):
            data[key] = None
    data["ratio"] = result.ratio
    data["verdict"] = result.verdict
    return data


def write(
    results: list[Result],
    *,
    folder: Path,
    data: dict[str, int],
    cases: int,
    seconds: float,
    notes: list[str] | None = None,
    keep: list[dict[str, Any]] | None = None,
) -> tuple[Path, Path]:
    """Write results.json and results.md into `folder`; their paths. `keep`: figures of an
    earlier run's other modules, kept first (a run of some modules updates only theirs)."""
    folder.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.platform(),
        "load_average": [round(v, 2) for v in load],
    }
    document = {
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cases": cases,
        "data": data,
        "machine": machine,
        "seconds": round(seconds, 1),
        "notes": notes or [],
        "results": [*(keep or []), *(record(r) for r in results)],
    }
    json_path = folder / "results.json"
    json_path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    md_path = folder / "results.md"
    md_path.write_text(markdown(document))
    return json_path, md_path


def earlier(folder: Path, *, except_modules: set[str]) -> list[dict[str, Any]]:
    """The figures of results.json in `folder` whose module is not among `except_modules`."""
    path = folder / "results.json"
    if not path.is_file():
        return []
    try:
        document = json.loads(path.read_text())
    except ValueError:
        return []
    return [r for r in document.get("results", []) if r.get("module") not in except_modules]


def markdown(document: dict[str, Any]) -> str:
    data = document["data"]
    size = ", ".join(f"{table} {count:,}" for table, count in data.items())
    lines = [
        f"# Benchmark results, {document['written_at']}",
        "",
        f"{document['cases']:,} generated cases. Rows in the database (the planner's estimate "
        "past a million; they include the search benchmark's own dealer and the cases the "
        f"creation benchmark adds): {size}.",
        f"Machine: {document['machine']['cpus']} CPUs, Python {document['machine']['python']}, "
        f"load average {', '.join(str(v) for v in document['machine']['load_average'])} "
        f"at the end; the last run took {document['seconds'] / 60:.1f} min (a run of some "
        "parts keeps the others' figures from the run before).",
        "",
        "| Figure | Median | Min–max | Runs | SQL queries | Reference (same run) | Ratio "
        "| Target | Met? | Notes |",
        "|---|---:|---:|---:|---|---|---:|---:|---|---|",
    ]
    for r in document["results"]:
        unit = r["unit"]
        spread = (
            f"{_number(r['min_ms'], unit)}–{_number(r['max_ms'], unit)}"
            if r["min_ms"] is not None and r["max_ms"] is not None
            else "–"
        )
        reference = (
            f"{r['reference']}: {_number(r['reference_ms'], unit)} {unit}"
            if r["reference"]
            else "–"
        )
        ratio = f"{r['ratio']:.2f}×" if r["ratio"] is not None else "–"
        target = f"{'≥' if unit == 'req/s' else '<'} {_number(r['target_ms'], unit)} {unit}"
        median = _number(r["median_ms"], unit)
        lines.append(
            f"| {r['name']} | {median} {unit if median != '–' else ''} | {spread} | {r['runs']} "
            f"| {r['queries'] if r['queries'] is not None else '–'} | {reference} | {ratio} "
            f"| {target if r['target_ms'] is not None else '–'} | {r['verdict'] or '–'} "
            f"| {r['detail']} |"
        )
    for note in document["notes"]:
        lines += ["", note]
    return "\n".join(lines) + "\n"
