"""The analytics page for one dealer and one month, and for a region of 200 dealers and a
quarter, among 1,000,000 cases.

One region of 200 dealers: the measured dealer with 250,000 cases, the other 199 with
750,000 between them (about 3,770 each), all received over the same two years (about
10,000 a month at the measured dealer). Every case has a first-response deadline (one in six
missed), its timeline events (start of listening, follow-up, resolution, closure) and a
follow-up contact, and every dealer two repair orders a case. Kept between runs. Measured
in-process with Django's test client as the measured dealer's manager: the page (every
table, both periods), the Excel workbook and the API's JSON, each the median of several
requests; and as the region's regional user: the page for one quarter, all 200 dealers
side by side.

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

from bench import Result, measure, median
from bench.bench_api import _literal, _vin
from core.scoping import unscoped

MEASURED = "BENCHAN1"
# The rest of the region: 199 dealers sharing 750,000 cases.
OTHERS = [f"BENCHAN{n:03d}" for n in range(2, 201)]
DEALERS = [MEASURED, *OTHERS]
CASES_PER_DEALER = 250_000
OTHER_CASES = 750_000
CUSTOMERS = 20_000
OTHER_CUSTOMERS = 300  # per dealer of the rest: about 12 cases a customer, as at the first
MINUTES_APART = 4  # 250,000 cases 4 minutes apart: about two years
# The figures before deadlines and contacts carried their dealer.
BASELINE = os.environ.get("BENCH_ANALYTICS_BASELINE", "618edd2")
# Indexes the baseline reads by and today's schema no longer has: built for the run (both
# sides meet them; today's queries read the dealer's own), dropped after it.
BASELINE_INDEXES = {
    "bench_baseline_deadline_due": "followups_deadline (due_at)",
    "bench_baseline_contact_time": "followups_contactattempt (contacted_at)",
}


def _insert(model: Any, expressions: dict[str, str], rows: str, params: list[Any]) -> None:
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in expressions:
            values.append(expressions[field.column])
        elif field.null:
            values.append("NULL")
        else:
            values.append(_literal(field))
    # Only model column names and constants of this module go into the statement.
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(values)} FROM {rows}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@unscoped("bench")
def _seed() -> tuple[Any, Any, Any]:
    from complaints.models import Complaint
    from core.models import User
    from dealers.models import Customer, Dealer, Membership, Region

    region, _ = Region.objects.get_or_create(code="BENCHAN", defaults={"name": "Bench analytics"})
    dealers = [
        Dealer.objects.get_or_create(code=code, defaults={"name": code, "region": region})[0]
        for code in DEALERS
    ]
    seeded = False
    for batch, cases, customers in (
        (dealers[:1], CASES_PER_DEALER, CUSTOMERS),
        (dealers[1:], OTHER_CASES, OTHER_CUSTOMERS),
    ):
        if Complaint.objects.filter(dealer__in=batch).count() >= cases:
            continue
        for dealer in batch:
            if not Customer.objects.filter(dealer=dealer).exists():
                Customer.objects.bulk_create(
                    [
                        Customer(dealer=dealer, name=f"Customer {n}", phone=f"139{n:08d}")
                        for n in range(customers)
                    ],
                    batch_size=5000,
                )
        _cases(batch, total=cases, customers=customers)
        seeded = True
    if seeded:
        with connection.cursor() as cursor:
            for table in (
                "complaints_complaint",
                "complaints_caseevent",
                "followups_deadline",
                "followups_contactattempt",
                "dealers_repairorder",
            ):
                # As autovacuum would have by now: statistics, and the visibility map that
                # lets an index answer alone.
                cursor.execute(f"VACUUM (ANALYZE) {table}")
    manager, created = User.objects.get_or_create(username="bench_analytics_manager")
    if created:
        Membership.objects.create(user=manager, dealer=dealers[0], role="manager")
    regional, created = User.objects.get_or_create(username="bench_analytics_regional")
    if created:
        Membership.objects.create(user=regional, dealer=None, region=region, role="regional")
    return dealers[0], manager, regional


def _cases(dealers: list[Any], *, total: int, customers: int) -> None:
    """`total` cases dealt in turn to the dealers, received over the same two years, with
    their deadlines, events, contacts and repair orders."""
    from complaints.models import CaseEvent, Complaint
    from dealers.models import Customer, RepairOrder, Vehicle
    from followups.models import ContactAttempt, Deadline

    if Complaint.objects.filter(dealer__in=dealers).exists():
        raise RuntimeError("An earlier run stopped half-way: drop the bench database first.")
    ids = ",".join(str(int(dealer.pk)) for dealer in dealers)
    # Each dealer's customers are contiguous ids (one insert each): its first, plus an offset.
    firsts = ",".join(
        str(Customer.objects.filter(dealer=dealer).order_by("id").first().pk) for dealer in dealers
    )
    k = len(dealers)
    seconds_apart = MINUTES_APART * 60 * CASES_PER_DEALER // total
    received = f"now() - (n * interval '{seconds_apart} seconds')"
    states = ["closed"] * 8 + ["resolving", "following_up", "received", "withdrawn"]
    _insert(
        Complaint,
        {
            "created_at": received,
            "updated_at": received,
            "reference": f"'{dealers[0].code}-' || lpad(n::text, 7, '0')",
            "dealer_id": f"(ARRAY[{ids}])[1 + n %% {k}]",
            "customer_id": f"(ARRAY[{firsts}])[1 + n %% {k}] + (n / {k}) %% {customers}",
            "channel": "(ARRAY['phone','walk_in','email','web'])[1 + n %% 4]",
            "category": "(ARRAY['workmanship','billing','waiting_time','parts'])[1 + n %% 4]",
            "component": "(ARRAY['brakes','engine','none','electrical','none'])[1 + n %% 5]",
            "description": "'Case ' || n",
            "original_description": "'Case ' || n",
            "is_safety_related": "(n %% 7 = 0)",
            "severity": "CASE WHEN n %% 11 = 0 THEN 'serious' ELSE 'normal' END",
            "responsibility": "(ARRAY['dealer','customer','manufacturer',''])[1 + n %% 4]",
            "compensation_amount": "CASE WHEN n %% 9 = 0 THEN 500 ELSE 0 END",
            "state": "(ARRAY['" + "','".join(states) + f"'])[1 + n %% {len(states)}]",
            "first_response_at": f"{received} + ((1 + n %% 30) * interval '10 minutes')",
            "closed_at": f"CASE WHEN n %% {len(states)} < 8 THEN {received} "
            "+ ((24 + n %% 200) * interval '1 hour') END",
        },
        "generate_series(1, %s) AS n",
        [total],
    )
    cases = (
        "(SELECT id, created_at, dealer_id FROM complaints_complaint "  # noqa: S608 - integer keys
        f"WHERE dealer_id IN ({ids})) AS c"
    )
    deadline_columns = {
        "complaint_id": "c.id",
        "kind": "'first_response'",
        "started_at": "c.created_at",
        "due_at": "c.created_at + interval '24 hours'",
        "satisfied_at": "c.created_at + interval '2 hours'",
        "breached_at": "CASE WHEN c.id %% 6 = 0 THEN c.created_at + interval '24 hours' END",
        "created_at": "c.created_at",
    }
    contact_columns = {
        "complaint_id": "c.id",
        "channel": "'phone'",
        "outcome": "CASE WHEN c.id %% 10 = 0 THEN 'dissatisfied' ELSE 'satisfied' END",
        "contacted_at": "c.created_at + interval '50 hours'",
        "created_at": "c.created_at + interval '50 hours'",
    }
    for columns in (deadline_columns, contact_columns):
        # Deadlines and contacts carry their case's dealer, where the schema has it.
        columns["dealer_id"] = "c.dealer_id"
    _insert(Deadline, deadline_columns, cases, [])
    # The open cases' open deadlines (a quarter of the cases): one in a hundred already
    # missed (and breached by the sweep), the others due over the next ten days.
    due = "now() + ((c.id %% 1000) - 10) * interval '15 minutes'"
    _insert(
        Deadline,
        {
            **deadline_columns,
            "kind": "CASE c.state WHEN 'received' THEN 'commitment' "
            "WHEN 'resolving' THEN 'interim_report' ELSE 'follow_up' END",
            "due_at": due,
            "satisfied_at": "NULL",
            "breached_at": f"CASE WHEN {due} < now() THEN {due} END",
            "escalation_level": f"CASE WHEN {due} < now() THEN 1 ELSE 0 END",
        },
        "(SELECT id, created_at, dealer_id, state FROM complaints_complaint "  # noqa: S608
        f"WHERE dealer_id IN ({ids}) "
        "AND state IN ('received', 'resolving', 'following_up')) AS c",
        [],
    )
    for transition, source, target, hours in (
        ("start_listening", "received", "listening", 1),
        ("complete_action", "resolving", "following_up", 40),
        ("confirm_resolved", "following_up", "reviewing", 60),
        ("close", "reviewing", "closed", 90),
    ):
        _insert(
            CaseEvent,
            {
                "complaint_id": "c.id",
                "kind": "'transition'",
                "transition": f"'{transition}'",
                "from_state": f"'{source}'",
                "to_state": f"'{target}'",
                "actor_label": "'bench'",
                "created_at": f"c.created_at + interval '{hours} hours'",
            },
            cases,
            [],
        )
    _insert(ContactAttempt, contact_columns, cases, [])
    vehicles = ",".join(
        str(
            Vehicle.objects.create(
                dealer=dealer,
                owner=Customer.objects.filter(dealer=dealer).order_by("id").first(),
                vin=_vin(999_999 - index),
            ).pk
        )
        for index, dealer in enumerate(dealers)
    )
    _insert(
        RepairOrder,
        {
            "created_at": "now()",
            "updated_at": "now()",
            "dealer_id": f"(ARRAY[{ids}])[1 + n %% {k}]",
            "vehicle_id": f"(ARRAY[{vehicles}])[1 + n %% {k}]",
            "number": f"'RO{dealers[0].code}-' || n",
            "opened_on": f"(now() - (n * interval '{seconds_apart // 2} seconds'))::date",
        },
        "generate_series(1, %s) AS n",
        [total * 2],
    )


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


# The manager's pages besides the figures: each carries the menu's counts (approvals waiting,
# deadlines missed), as every page does.
OVERVIEW_PAGES = {
    "overview": "/overview/",
    "overdue board": "/followups/overdue/",
    "home (open cases, most urgent first)": "/",
    "approvals": "/approvals/",
}


def _overview(client: Any, dealer: Any) -> list[Result]:
    """The measured dealer's manager's overview pages and menu counts (its 62,500 open
    cases and their open deadlines among 250,000), each the median of 7 requests."""
    from django.db import connection as db

    from core.models import User
    from followups.selectors import manager_queue_counts

    manager = User.objects.get(username="bench_analytics_manager")
    results = []
    for name, url in OVERVIEW_PAGES.items():
        client.get(url)  # warm
        queries: list[str] = []

        def count(execute: Any, sql: str, *args: Any, queries: list[str] = queries) -> Any:
            queries.append(sql)
            return execute(sql, *args)

        with db.execute_wrapper(count):
            response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")
        timings = measure(lambda url=url: client.get(url), repeat=7)
        results.append(
            Result(
                f"manager's {name}",
                median(timings),
                len(timings),
                f"{len(queries)} SQL queries",
                min(timings),
            )
        )
    with unscoped("bench"):
        timings = measure(lambda: manager_queue_counts(actor=manager, dealer=dealer), repeat=7)
    results.append(Result("manager's menu counts", median(timings), 7, "", min(timings)))
    return results


def run() -> list[Result]:
    started = timezone.now()
    dealer, manager, regional = _seed()
    seeded = Result(
        f"seed / check {CASES_PER_DEALER + OTHER_CASES:,} cases",
        (timezone.now() - started) / timedelta(milliseconds=1),
        1,
    )
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
    with _baseline_indexes(bool(BASELINE)):
        return [seeded, *_overview(client, dealer), *_figures(sides, get, get_region, in_month)]


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


def _figures(
    sides: list[tuple[str, Callable[..., Any] | None]],
    get: Callable[[str], None],
    get_region: Callable[[str], None],
    in_month: int,
) -> list[Result]:
    detail = f"one dealer, one month (about {in_month:,} cases)"
    timings: dict[tuple[str, str], list[float]] = {}
    for _label, build_report in sides:
        with _swapped(build_report):
            get("/analytics/")  # warm the caches once
    # The sides take turns request by request, so that both meet the same load.
    for url, repeat, fetch in (
        ("/analytics/", 7, get),
        ("/analytics/export.xlsx", 5, get),
        ("/api/v1/analytics/", 5, get),
        ("region", 5, lambda _url: get_region("/analytics/")),
    ):
        for _ in range(repeat):
            for label, build_report in sides:
                with _swapped(build_report):
                    timings.setdefault((label, url), []).extend(
                        measure(lambda url=url, fetch=fetch: fetch(url), repeat=1)
                    )
    results = []
    for label, _build_report in sides:
        page = timings[(label, "/analytics/")]
        workbook = timings[(label, "/analytics/export.xlsx")]
        api = timings[(label, "/api/v1/analytics/")]
        region = timings[(label, "region")]
        results += [
            Result(f"{label}analytics page", median(page), len(page), detail, min(page)),
            Result(f"{label}analytics Excel workbook", median(workbook), len(workbook), detail),
            Result(f"{label}analytics API", median(api), len(api), detail),
            Result(
                f"{label}analytics page, regional",
                median(region),
                len(region),
                f"{len(DEALERS)} dealers side by side, one quarter",
                min(region),
            ),
        ]
    return results
