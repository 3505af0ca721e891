"""The cases list's search at 100,000 cases of one dealer, with and without its trigram index.

What the browser's cases list runs for one search (the count for the pager and the first
page, open cases plus exact matches, most urgent first), through the one selector
(`complaints.selectors.complaint_worklist`). Each search is timed with the index
`complaint_search_trgm` in place, then again with it dropped inside a transaction that is
rolled back (the database keeps its index). The cases are kept between runs
(BENCH_SEARCH_CASES, default 100,000).
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from bench import Result, measure, median, setting
from bench.bench_api import _literal
from complaints.loadgen import DESCRIPTIONS  # the generated network's words, one a case
from core.scoping import unscoped

DEALER_CODE = "BENCHSEARCH"
CUSTOMERS = 2_000
INDEX = "complaint_search_trgm"
ROOT_CAUSES = [
    "刹车片安装不当",
    "Sensor connector loose",
    "技师未按流程检查",
    "Wrong part ordered",
    "冷媒泄漏",
    "",
]


class Skip(Exception):
    pass


def _vin(n: int) -> str:
    from dealers.validators import vin_check_digit

    chars = list(f"LSEARCH{n:010d}")
    chars[8] = "0"
    chars[8] = vin_check_digit("".join(chars))
    return "".join(chars)


def _array(values: list[str]) -> str:
    return "(ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "])"


@unscoped("bench")
def _seed(cases: int) -> tuple[Any, Any]:
    """The dealer, a manager, 2,000 customers and their vehicles, and the cases."""
    from django.contrib.auth import get_user_model

    from complaints.models import Complaint
    from dealers.models import Customer, Dealer, Membership, Region, Vehicle

    region, _ = Region.objects.get_or_create(code=DEALER_CODE, defaults={"name": "Bench search"})
    dealer, _ = Dealer.objects.get_or_create(
        code=DEALER_CODE, defaults={"name": "Bench search dealer", "region": region}
    )
    manager, _ = get_user_model().objects.get_or_create(username="bench-search-manager")
    Membership.objects.get_or_create(user=manager, dealer=dealer, role="manager")
    if Customer.objects.filter(dealer=dealer).count() < CUSTOMERS:
        Customer.objects.bulk_create(
            [
                Customer(dealer=dealer, dms_id=f"S{n:06d}", name=f"客户{n}", phone=f"137{n:08d}")
                for n in range(CUSTOMERS)
            ],
            ignore_conflicts=True,
        )
    if Vehicle.objects.filter(dealer=dealer).count() < CUSTOMERS:
        Vehicle.objects.bulk_create(
            [
                Vehicle(
                    dealer=dealer,
                    owner=customer,
                    vin=_vin(n),
                    plate=f"沪S{n:05d}",
                    model="Lavida",
                )
                for n, customer in enumerate(Customer.objects.filter(dealer=dealer).order_by("id"))
            ],
            ignore_conflicts=True,
        )
    have = Complaint.objects.filter(dealer=dealer).count()
    if have < cases:
        _insert_cases(dealer, have, cases)
    return dealer, manager


@unscoped("bench")
def _insert_cases(dealer: Any, have: int, cases: int) -> None:
    from complaints.models import Complaint
    from dealers.models import Customer, Vehicle

    first_customer = Customer.objects.filter(dealer=dealer).order_by("id").first().pk
    first_vehicle = Vehicle.objects.filter(dealer=dealer).order_by("id").first().pk
    states = ["received", "listening", "investigating", "assessing", "resolving", "closed"]
    description = (
        f"{_array(DESCRIPTIONS)}[1 + n %% {len(DESCRIPTIONS)}] || '，编号 ' || n"
        # One case in a thousand: the rare words a search for one case looks for.
        " || CASE WHEN n %% 1000 = 0 THEN '，高速时方向盘抖动' ELSE '' END"
    )
    expressions = {
        "created_at": "now() - (n * interval '5 minutes')",
        "updated_at": "now() - (n * interval '5 minutes')",
        "reference": f"'{DEALER_CODE}-' || lpad(n::text, 7, '0')",
        "dealer_id": str(dealer.pk),
        "customer_id": f"{first_customer} + (n %% {CUSTOMERS})",
        "vehicle_id": f"{first_vehicle} + (n %% {CUSTOMERS})",
        "channel": "'phone'",
        "category": "'workmanship'",
        "description": description,
        "original_description": description,
        "customer_request": "'请尽快处理 / please fix it soon'",
        "root_cause": (
            f"{_array(ROOT_CAUSES)}[1 + n %% {len(ROOT_CAUSES)}]"
            " || CASE WHEN n %% 997 = 0 THEN ' transmission judder' ELSE '' END"
        ),
        "state": "(ARRAY['" + "','".join(states) + f"'])[1 + n %% {len(states)}]",
    }
    columns, values = [], []
    for field in Complaint._meta.concrete_fields:
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
        f"INSERT INTO {Complaint._meta.db_table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(values)} FROM generate_series(%s, %s) AS n "
        "ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [have + 1, cases])
        # The planner needs counts of the new customers and vehicles too (not the whole
        # database's: the generated network's millions of events are analysed already).
        cursor.execute("ANALYZE complaints_complaint, dealers_customer, dealers_vehicle")


def _searches(dealer: Any) -> list[tuple[str, str]]:
    closed_reference = f"{DEALER_CODE}-{6_005:07d}"  # n % 6 == 5: closed
    return [
        ("rare Chinese words, 5 characters", "方向盘抖动"),
        ("rare English words", "transmission judder"),
        ("common Chinese words, 3 characters", "发动机"),
        ("2 characters (no trigram: plain icontains)", "刹车"),
        ("a closed case's exact reference", closed_reference),
        ("a customer's phone", f"137{1234:08d}"),
    ]


def _page(actor: Any, dealer: Any, term: str) -> int:
    from complaints.selectors import complaint_worklist

    queryset = complaint_worklist(actor=actor, dealer=dealer, filters={"q": term, "open": True})
    total = queryset.count()
    list(queryset[:25])
    return total


def _timings(actor: Any, dealer: Any, repeat: int) -> dict[str, tuple[list[float], int]]:
    results = {}
    for label, term in _searches(dealer):
        found = _page(actor, dealer, term)  # warm-up, and the number of cases found
        results[label] = (measure(lambda t=term: _page(actor, dealer, t), repeat=repeat), found)
    return results


def run() -> list[Result]:
    cases = setting("BENCH_SEARCH_CASES", 100_000)
    repeat = setting("BENCH_SEARCH_RUNS", 7)
    dealer, actor = _seed(cases)
    with_index = _timings(actor, dealer, repeat)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f'DROP INDEX "{INDEX}"')
            without_index = _timings(actor, dealer, repeat)
            raise Skip
    except Skip:
        pass  # rolled back: the index is still there
    results = []
    for label, (timings, found) in with_index.items():
        plain, _found = without_index[label]
        results.append(
            Result(
                f"search {label}: with index",
                median(timings),
                len(timings),
                f"{found} cases found among {cases:,}",
                min_ms=min(timings),
            )
        )
        results.append(
            Result(
                f"search {label}: without index",
                median(plain),
                len(plain),
                f"ratio with/without {median(timings) / median(plain):.2f}",
                min_ms=min(plain),
            )
        )
    return results
