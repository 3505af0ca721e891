"""The analytics page for one dealer and one month, among 1,000,000 cases.

Four dealers of 250,000 cases each, received over two years (about 10,000 a month each);
every case has a first-response deadline (one in six missed) and every case of the measured
dealer its timeline events (start of listening, follow-up, resolution, closure), a follow-up
contact, and two repair orders a case. Kept between runs. Measured in-process with Django's
test client as the dealer's manager: the page (every table, both periods), the Excel
workbook and the API's JSON, each the median of several requests.
"""

from __future__ import annotations

from datetime import timedelta
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
def _seed() -> tuple[Any, Any]:
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
            cursor.execute(f"ANALYZE {table}")
    manager, created = User.objects.get_or_create(username="bench_analytics_manager")
    if created:
        Membership.objects.create(user=manager, dealer=dealers[0], role="manager")
    return dealers[0], manager


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


def run() -> list[Result]:
    started = timezone.now()
    dealer, manager = _seed()
    seeded = Result(
        f"seed / check {len(DEALERS) * CASES_PER_DEALER:,} cases",
        (timezone.now() - started) / timedelta(milliseconds=1),
        1,
    )
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(manager)
    today = timezone.localdate(timezone=dealer.tzinfo)
    month = {
        "start": (today - timedelta(days=60)).isoformat(),
        "end": (today - timedelta(days=31)).isoformat(),
    }

    def get(url: str) -> None:
        response = client.get(url, month)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")

    from analytics.period import Period
    from analytics.selectors import period_cases

    with unscoped("bench"):
        period = Period(today - timedelta(days=60), today - timedelta(days=31))
        in_month = period_cases(dealer=dealer, period=period).count()
    get("/analytics/")  # warm the caches once
    page = measure(lambda: get("/analytics/"), repeat=7)
    workbook = measure(lambda: get("/analytics/export.xlsx"), repeat=5)
    api = measure(lambda: get("/api/v1/analytics/"), repeat=5)
    detail = f"one dealer, one month (about {in_month:,} cases)"
    return [
        seeded,
        Result("analytics page", median(page), len(page), detail, min(page)),
        Result("analytics Excel workbook", median(workbook), len(workbook), detail),
        Result("analytics API", median(api), len(api), detail),
    ]
