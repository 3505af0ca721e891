"""EXPLAIN (ANALYZE, BUFFERS) of the hot queries, written to bench/explain.md.

For each page, the request is made once under Django's query capture and its slowest query
explained (the one that decides the page's time). The sweep's claim query is explained inside
a transaction that arms 1,000 of the network's open deadlines as due, runs the sweep and
rolls everything back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import Result
from core.scoping import unscoped

DUE = 1_000


class _Undo(Exception):
    pass


def _slowest(fetch: Callable[[], Any]) -> dict[str, Any]:
    with CaptureQueriesContext(connection) as captured:
        fetch()
    return max(captured.captured_queries, key=lambda q: float(q["time"]))


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def _arm(now: Any) -> list[int]:
    from followups.models import OPEN, Deadline

    ids = list(
        Deadline.objects.unscoped(reason="bench")
        .filter(OPEN, breached_at__isnull=True, due_at__gt=now)
        .order_by("id")
        .values_list("id", flat=True)[:DUE]
    )
    Deadline.objects.unscoped(reason="bench").filter(pk__in=ids).update(
        due_at=now - timedelta(hours=1)
    )
    return ids


def sweep_claim() -> tuple[str, str, Result]:
    """The claim query's SQL and plan, and the sweep's time on the network (rolled back)."""
    from followups.models import OPEN, Deadline
    from followups.sweep import deadline_sweep

    now = timezone.now()
    with unscoped("bench"):
        open_count = Deadline.objects.unscoped(reason="bench").filter(OPEN).count()
        claim = ""
        elapsed = 0.0
        queries = 0
        try:
            with transaction.atomic():
                armed = _arm(now)
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    result = deadline_sweep(now=now)
                    elapsed = (time.perf_counter() - started) * 1000
                queries = len(captured)
                claim = next(
                    q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"]
                )
                raise _Undo
        except _Undo:
            pass
        try:
            with transaction.atomic():
                _arm(now)
                plan = _plan(claim)
                raise _Undo
        except _Undo:
            pass
    figure = Result(
        f"sweep in the network: {len(armed):,} due among {open_count:,} open",
        elapsed,
        1,
        queries=queries,
        group="sweep",
        detail=f"{result.breached:,} breached; one run, rolled back",
    )
    return claim, plan, figure


def write(pages: list[tuple[str, Callable[[], Any]]], path: Path) -> list[Result]:
    sections = [
        "# EXPLAIN (ANALYZE, BUFFERS) of the hot queries",
        "",
        "Written by `make bench` against the generated network; each page's slowest query.",
    ]
    for title, fetch in pages:
        fetch()  # warm
        query = _slowest(fetch)
        plan = _plan(query["sql"])
        sections += [
            "",
            f"## {title} ({float(query['time']) * 1000:.1f} ms when captured)",
            "",
            "```sql",
            query["sql"],
            "```",
            "",
            "```",
            plan,
            "```",
        ]
    claim, plan, figure = sweep_claim()
    sections += [
        "",
        "## The sweep's claim query (1,000 due, armed in a rolled-back transaction)",
        "",
        "```sql",
        claim,
        "```",
        "",
        "```",
        plan,
        "```",
    ]
    path.write_text("\n".join(sections) + "\n")
    return [figure]
