"""The analytics page for one dealer and one month, among 1,000,000 cases.

Four dealers of 250,000 cases each, received over two years (about 10,000 a month each);
every case has a first-response deadline (one in six missed) and every case of the measured
dealer its timeline events (start of listening, follow-up, resolution, closure), a follow-up
contact, and two repair orders a case. Kept between runs. Measured in-process with Django's
test client as the dealer's manager: the page (every table, both periods), the Excel
workbook and the API's JSON, each the median of several requests.

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

DEALERS = ["BENCHAN1", "BENCHAN2", "BENCHAN3", "BENCHAN4"]
CASES_PER_DEALER = 250_000
CUSTOMERS = 20_000
MINUTES_APART = 4  # 250,000 cases 4 minutes apart: about two years
# The figures before the analytics page was tuned (the merge of the analytics branch).
BASELINE = os.environ.get("BENCH_ANALYTICS_BASELINE", "c5e0523")


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
    for dealer in dealers:
        if Complaint.objects.filter(dealer=dealer).count() >= CASES_PER_DEALER:
            continue
        if not Customer.objects.filter(dealer=dealer).exists():
            Customer.objects.bulk_create(
                [
                    Customer(dealer=dealer, name=f"Customer {n}", phone=f"139{n:08d}")
                    for n in range(CUSTOMERS)
                ],
                batch_size=5000,
            )
        _cases(dealer, measured=dealer.code == DEALERS[0])
    with connection.cursor() as cursor:
        for table in (
            "complaints_complaint",
            "complaints_caseevent",
            "followups_deadline",
            "followups_contactattempt",
            "dealers_repairorder",
        ):
            # As autovacuum would have by now: statistics, and the visibility map that lets
            # an index answer alone.
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    manager, created = User.objects.get_or_create(username="bench_analytics_manager")
    if created:
        Membership.objects.create(user=manager, dealer=dealers[0], role="manager")
    regional, created = User.objects.get_or_create(username="bench_analytics_regional")
    if created:
        Membership.objects.create(user=regional, dealer=None, region=region, role="regional")
    return dealers[0], manager, regional


def _cases(dealer: Any, *, measured: bool) -> None:
    from complaints.models import CaseEvent, Complaint
    from dealers.models import Customer, RepairOrder, Vehicle
    from followups.models import ContactAttempt, Deadline

    if Complaint.objects.filter(dealer=dealer).exists():
        raise RuntimeError("An earlier run stopped half-way: drop the bench database first.")
    first_customer = Customer.objects.filter(dealer=dealer).order_by("id").first().pk
    received = f"now() - (n * interval '{MINUTES_APART} minutes')"
    states = ["closed"] * 8 + ["resolving", "following_up", "received", "withdrawn"]
    _insert(
        Complaint,
        {
            "created_at": received,
            "updated_at": received,
            "reference": f"'{dealer.code}-' || lpad(n::text, 7, '0')",
            "dealer_id": str(dealer.pk),
            "customer_id": f"{first_customer} + (n %% {CUSTOMERS})",
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
        [CASES_PER_DEALER],
    )
    cases = (
        f"(SELECT id, created_at FROM complaints_complaint WHERE dealer_id = {int(dealer.pk)}) AS c"  # noqa: S608 - an integer key
    )
    _insert(
        Deadline,
        {
            "complaint_id": "c.id",
            "kind": "'first_response'",
            "started_at": "c.created_at",
            "due_at": "c.created_at + interval '24 hours'",
            "satisfied_at": "c.created_at + interval '2 hours'",
            "breached_at": "CASE WHEN c.id %% 6 = 0 THEN c.created_at + interval '24 hours' END",
            "created_at": "c.created_at",
        },
        cases,
        [],
    )
    if not measured:
        return
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
    _insert(
        ContactAttempt,
        {
            "complaint_id": "c.id",
            "channel": "'phone'",
            "outcome": "CASE WHEN c.id %% 10 = 0 THEN 'dissatisfied' ELSE 'satisfied' END",
            "contacted_at": "c.created_at + interval '50 hours'",
            "created_at": "c.created_at + interval '50 hours'",
        },
        cases,
        [],
    )
    owner = Customer.objects.filter(dealer=dealer).order_by("id").first()
    vehicle = Vehicle.objects.create(dealer=dealer, owner=owner, vin=_vin(999_999))
    _insert(
        RepairOrder,
        {
            "created_at": "now()",
            "updated_at": "now()",
            "dealer_id": str(dealer.pk),
            "vehicle_id": str(vehicle.pk),
            "number": "'RO' || n",
            "opened_on": f"(now() - (n * interval '{MINUTES_APART // 2} minutes'))::date",
        },
        "generate_series(1, %s) AS n",
        [CASES_PER_DEALER * 2],
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


def run() -> list[Result]:
    started = timezone.now()
    dealer, manager, regional = _seed()
    seeded = Result(
        f"seed / check {len(DEALERS) * CASES_PER_DEALER:,} cases",
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
    results = [seeded]
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
