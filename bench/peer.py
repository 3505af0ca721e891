"""The peer, django-helpdesk 2.6.1, measured side by side with the project in the same run.

When the peer's scripts are there (BENCH_PEER_DIR, default `../shared/bench-peer` beside the
project's root), `side_by_side.sh` installs the peer into a scratch folder and database
and prints RESULT lines (JSON): case creation over HTTP (peer, project and the project's
floor, `wrk -t2 -c4`, gunicorn with 2 sync workers) and the peer's escalation cost per
escalated ticket. They become figures here; without the scripts or wrk, each figure says
why it was not measured, and every other benchmark still runs.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
from pathlib import Path
from typing import Any

from bench import Result

ROOT = Path(__file__).resolve().parent.parent
NOT_MEASURED = "peer not measured"
CREATION_TARGET = 3.0  # at least 3x the peer's creations per second
BREACH_TARGET = 30.0  # each breach at least 30x faster than the peer's escalation


def peer_dir() -> Path | None:
    configured = os.environ.get("BENCH_PEER_DIR", "")
    folder = Path(configured) if configured else ROOT.parent / "shared" / "bench-peer"
    return folder if (folder / "side_by_side.sh").is_file() else None


def _script(folder: Path, name: str) -> str:
    """One of the peer's scripts, with its loopback ports and databases moved when asked:
    BENCH_PEER_PORTS ("peer,project") and BENCH_PEER_DATABASE (the peer's database; the
    project's scratch database is named after it), so that two measurements on one machine
    do not share them."""
    text = (folder / name).read_text()
    ports = os.environ.get("BENCH_PEER_PORTS", "")
    if ports:
        peer, project = (int(p) for p in ports.split(","))
        text = text.replace("18011", str(peer)).replace("18012", str(project))
    database = os.environ.get("BENCH_PEER_DATABASE", "")
    if database:
        text = text.replace("peer_helpdesk", database)
        text = text.replace("side_by_side_$$", f"{database}_project_$$")
    return text


def _bash(folder: Path, name: str, timeout: int) -> subprocess.CompletedProcess[str]:
    # `bash -c TEXT PATH`: the script's $0 is its own path, so that it finds its files.
    return subprocess.run(  # noqa: S603 - the peer's own scripts, from its folder
        ["bash", "-c", _script(folder, name), str(folder / name)],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def parse(lines: list[str]) -> dict[str, list[dict[str, Any]]]:
    """RESULT lines by their `what`."""
    found: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        if line.startswith("RESULT "):
            record = json.loads(line[len("RESULT ") :])
            found.setdefault(record.get("what", ""), []).append(record)
    return found


def not_measured(why: str) -> list[Result]:
    return [
        Result(name, float("nan"), 0, detail=f"{NOT_MEASURED}: {why}", group="peer")
        for name in (
            "peer: case creation over HTTP (django-helpdesk 2.6.1)",
            "project: case creation over HTTP, side by side",
            "peer: escalation, ms per escalated ticket",
        )
    ]


def results(found: dict[str, list[dict[str, Any]]]) -> list[Result]:
    rounds = found.get("case creation over HTTP", [])
    escalation = found.get("peer escalation", [])
    out: list[Result] = []
    if rounds:
        peer = [r["peer_rps"] for r in rounds]
        ours = [r["project_rps"] for r in rounds]
        floor = [r["project_floor_rps"] for r in rounds]
        setup = f"wrk -t2 -c4, gunicorn {rounds[0].get('workers', 2)} sync workers"
        peer_median = statistics.median(peer)
        out += [
            Result(
                "peer: case creation over HTTP (django-helpdesk 2.6.1)",
                peer_median,
                len(peer),
                min_ms=min(peer),
                max_ms=max(peer),
                unit="req/s",
                detail=setup,
                group="peer",
            ),
            Result(
                "project: case creation over HTTP, side by side",
                statistics.median(ours),
                len(ours),
                min_ms=min(ours),
                max_ms=max(ours),
                unit="req/s",
                reference="peer",
                reference_ms=peer_median,
                target_ms=CREATION_TARGET * peer_median,
                detail=f"target {CREATION_TARGET:g}x the peer; "
                f"non-2xx {sum(r.get('project_non_2xx', 0) for r in rounds)}; {setup}",
                group="peer",
            ),
            Result(
                "project: case creation as a share of its floor, side by side",
                statistics.median(ours),
                len(ours),
                unit="req/s",
                reference="floor (GET /api/v1/whoami/)",
                reference_ms=statistics.median(floor),
                target_ms=0.35 * statistics.median(floor),
                detail=f"floor {statistics.median(floor):.0f} req/s "
                f"({min(floor):.0f}-{max(floor):.0f}); target 35 % of it",
                group="peer",
            ),
        ]
    else:
        out += not_measured("no creation RESULT line")[:2]
    if escalation:
        record = escalation[0]
        out.append(
            Result(
                "peer: escalation, ms per escalated ticket",
                float(record["ms_per_escalation"]),
                1,
                queries=record.get("queries_per_escalation"),
                detail=f"{record['escalated']:,} escalated of {record['open_tickets']:,} open",
                group="peer",
            )
        )
    else:
        out += not_measured("no escalation RESULT line")[2:]
    return out


def run() -> list[Result]:
    folder = peer_dir()
    if folder is None:
        return not_measured("no peer scripts (set BENCH_PEER_DIR)")
    if shutil.which("wrk") is None:
        return not_measured("wrk is missing: apt-get install -y wrk")
    print(f"   running {folder / 'side_by_side.sh'} (a few minutes)", flush=True)
    timeout = int(os.environ.get("BENCH_PEER_TIMEOUT", "1200"))
    peer_home = Path(os.environ.get("PEER", "/tmp/peer"))  # noqa: S108 - the scripts' default
    try:
        if not (peer_home / "proj" / "manage.py").is_file():
            print(f"   installing the peer into {peer_home}", flush=True)
            _bash(folder, "setup.sh", timeout)
        completed = _bash(folder, "side_by_side.sh", timeout)
    except subprocess.TimeoutExpired:
        return not_measured("side_by_side.sh timed out")
    lines = completed.stdout.splitlines()
    for line in lines:
        print(f"   {line}", flush=True)
    found = parse(lines)
    if not found:
        tail = (completed.stdout + completed.stderr).strip().splitlines()[-3:]
        return not_measured(f"side_by_side.sh printed no RESULT ({' / '.join(tail)})")
    return results(found)


def breach_ratio(ours: list[Result], peer: list[Result]) -> Result | None:
    """Our sweep's ms per breach against the peer's ms per escalation (target: 30x faster)."""
    sweep = next((r for r in ours if r.name == "sweep: ms per breach"), None)
    escalation = next((r for r in peer if r.name.startswith("peer: escalation") and r.runs), None)
    if sweep is None:
        return None
    if escalation is None:
        return Result(
            "sweep per breach vs the peer's escalation",
            sweep.median_ms,
            sweep.runs,
            detail=NOT_MEASURED,
            group="peer",
        )
    return Result(
        "sweep per breach vs the peer's escalation",
        sweep.median_ms,
        sweep.runs,
        reference="peer's ms per escalation",
        reference_ms=escalation.median_ms,
        target_ms=escalation.median_ms / BREACH_TARGET,
        detail=f"target: at least {BREACH_TARGET:g}x faster (ratio at most "
        f"{1 / BREACH_TARGET:.3f})",
        group="peer",
    )
