"""The analytics page in the generated network (BENCH_CASES cases, default 1,000,000).

As the first dealer's manager: the page for one dealer and one month (every table, both
periods), its Excel workbook and the API's JSON. As the regional user of the first region
(200 dealers at 1,000,000 cases): the page for a quarter, with every dealer of the region
side by side. Measured in-process with Django's test client, each the median of several
requests.

Today's figures are measured beside a baseline's (`BENCH_ANALYTICS_BASELINE`, a commit;
empty to skip) in the same run, the two taking turns request by request: the baseline's
`analytics/selectors.py` and `analytics/report.py` are read from git and loaded in place of
today's, against the same database and indexes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils import timezone

from bench import Result, measure, repeat
from bench.network import ensure, people
from core.scoping import unscoped

# The figures before deadlines and contacts carried their dealer.
BASELINE = os.environ.get("BENCH_ANALYTICS_BASELINE", "618edd2")
# Indexes the baseline reads by and today's schema no longer has: built for the run (both
# sides meet them; today's queries read the dealer's own), dropped after it.
BASELINE_INDEXES = {
    "bench_baseline_deadline_due": "followups_deadline (due_at)",
    "bench_baseline_contact_time": "followups_contactattempt (contacted_at)",
}
DEALER_MONTH_TARGET_MS = 300
REGION_QUARTER_TARGET_MS = 1000


def _load_baseline(commit: str) -> types.ModuleType:
    """The baseline's selectors and report modules, loaded from git under other names; the
    returned report module's build_report computes the figures the baseline's way."""
    root = Path(__file__).resolve().parent.parent
    modules = {}
    for name in ("selectors", "report"):
        source = subprocess.run(  # noqa: S603 - a fixed git command on this repository
            ["git", "show", f"{commit}:analytics/{name}.py"],  # noqa: S607
            cwd=root,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        full = f"analytics._baseline_{name}"
        module = types.ModuleType(full)
        module.__package__ = "analytics"
        if name == "report":
            source = source.replace("from .selectors import", "from ._baseline_selectors import")
        sys.modules[full] = module
        exec(compile(source, f"{commit}:analytics/{name}.py", "exec"), module.__dict__)  # noqa: S102
        modules[name] = module
    return modules["report"]


@contextmanager
def _swapped(build_report: Callable[..., Any] | None) -> Iterator[None]:
    """Every caller of analytics.report.build_report (the page, the exports, the API) uses
    the given one while inside."""
    if build_report is None:
        yield
        return
    import analytics.apis
    import analytics.report
    import analytics.views

    targets = [
        m for m in (analytics.report, analytics.views, analytics.apis) if hasattr(m, "build_report")
    ]
    saved = [m.build_report for m in targets]
    for m in targets:
        m.build_report = build_report
    try:
        yield
    finally:
        for m, original in zip(targets, saved, strict=True):
            m.build_report = original


@contextmanager
def _baseline_indexes(wanted: bool) -> Iterator[None]:
    if not wanted:
        yield
        return
    with connection.cursor() as cursor:
        for name, columns in BASELINE_INDEXES.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {columns}")
            cursor.execute(f"ANALYZE {columns.split()[0]}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name in BASELINE_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")


def run() -> list[Result]:
    with _baseline_indexes(bool(BASELINE)):
        return _run()


def _run() -> list[Result]:
    ensure()
    who = people()
    dealer, manager, regional = who.dealer, who.manager, who.regional
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(manager)
    region_client = Client(HTTP_HOST="localhost")
    region_client.force_login(regional)
    today = timezone.localdate(timezone=dealer.tzinfo)
    month = {
        "start": (today - timedelta(days=60)).isoformat(),
        "end": (today - timedelta(days=31)).isoformat(),
    }
    quarter = {
        "start": (today - timedelta(days=120)).isoformat(),
        "end": (today - timedelta(days=31)).isoformat(),
        "dealer": dealer.code,
    }

    def get(url: str) -> None:
        response = client.get(url, month)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")

    def get_region(url: str) -> None:
        response = region_client.get(url, quarter)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")

    from analytics.period import Period
    from analytics.selectors import period_cases

    with unscoped("bench"):
        period = Period(today - timedelta(days=60), today - timedelta(days=31))
        in_month = period_cases(dealer=dealer, period=period).count()
    sides: list[tuple[str, Callable[..., Any] | None]] = [("", None)]
    if BASELINE:
        sides.insert(0, (f"baseline {BASELINE}: ", _load_baseline(BASELINE).build_report))
    detail = f"one dealer, one month ({in_month:,} cases)"
    region_detail = f"{who.region_dealers} dealers side by side, one quarter"
    timings: dict[tuple[str, str], list[float]] = {}
    for _label, build_report in sides:
        with _swapped(build_report):
            get("/analytics/")  # warm the caches once
            get_region("/analytics/")
    # The sides take turns request by request, so that both meet the same load.
    for url, count, fetch in (
        ("/analytics/", repeat(7), get),
        ("/analytics/export.xlsx", repeat(5), get),
        ("/api/v1/analytics/", repeat(5), get),
        ("region", repeat(3), lambda _url: get_region("/analytics/")),
    ):
        for _ in range(count):
            for label, build_report in sides:
                with _swapped(build_report):
                    timings.setdefault((label, url), []).extend(
                        measure(lambda url=url, fetch=fetch: fetch(url), repeat=1)
                    )
    results = []
    baseline_label = sides[0][0] if len(sides) == 2 else None
    for label, _build_report in sides:

        def reference(url: str, label: str = label) -> dict[str, Any]:
            if baseline_label is None or label == baseline_label:
                return {}
            return {
                "reference": f"baseline {BASELINE}",
                "reference_ms": Result.of("", timings[(baseline_label, url)]).median_ms,
            }

        current = label == ""
        results += [
            Result.of(
                f"{label}analytics page, dealer and month",
                timings[(label, "/analytics/")],
                detail=detail,
                target_ms=DEALER_MONTH_TARGET_MS if current else None,
                group="analytics",
                **reference("/analytics/"),
            ),
            Result.of(
                f"{label}analytics Excel workbook",
                timings[(label, "/analytics/export.xlsx")],
                detail=detail,
                group="analytics",
                **reference("/analytics/export.xlsx"),
            ),
            Result.of(
                f"{label}analytics API",
                timings[(label, "/api/v1/analytics/")],
                detail=detail,
                group="analytics",
                **reference("/api/v1/analytics/"),
            ),
            Result.of(
                f"{label}analytics page, region and quarter",
                timings[(label, "region")],
                detail=region_detail,
                target_ms=REGION_QUARTER_TARGET_MS if current else None,
                group="analytics",
                **reference("region"),
            ),
        ]
    return results
