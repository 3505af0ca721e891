"""The REST API at 100,000 cases of one dealer.

In-process (Django's test client, no network): median latency of the first page of the case
list and of a case detail, with the SQL queries per request at page sizes 10 and 100 (they
must be equal: no N+1). Over HTTP: gunicorn on 127.0.0.1, case creation throughput as a
ratio to the minimal authenticated endpoint (`GET /api/v1/whoami/`) measured in the same
run, each bounded by a request count and a time limit.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from bench import Result, measure, median
from core.scoping import unscoped

CASES = 100_000
CUSTOMERS = 2_000
DEALER_CODE = "BENCHAPI"
HTTP_REQUESTS = 400
HTTP_SECONDS = 20.0
HTTP_THREADS = 4
GUNICORN_WORKERS = min(4, os.cpu_count() or 1)
NO_THROTTLE = "1000000/min"


def _vin(n: int) -> str:
    from dealers.validators import vin_check_digit

    chars = list(f"LBENCH0{n:010d}")
    chars[8] = "0"
    chars[8] = vin_check_digit("".join(chars))
    return "".join(chars)


def _literal(field: Any) -> str:
    default = field.get_default()
    if isinstance(default, bool):
        return "TRUE" if default else "FALSE"
    if isinstance(default, int | Decimal):
        return str(default)
    if isinstance(default, list | dict):
        return "'[]'" if isinstance(default, list) else "'{}'"
    text = "" if default is None else str(default)
    return "'" + text.replace("'", "''") + "'"


@unscoped("bench")
def _seed() -> tuple[Any, str]:
    """The dealer, its customers, vehicles and 100,000 cases (kept between runs), and a key."""
    from complaints.models import Complaint
    from dealers.models import Customer, Dealer, Region, Vehicle
    from integrations.models import DealerApiKey

    region, _ = Region.objects.get_or_create(code="BENCHAPI", defaults={"name": "Bench API"})
    dealer, _ = Dealer.objects.get_or_create(
        code=DEALER_CODE, defaults={"name": "Bench API dealer", "region": region}
    )
    if Customer.objects.filter(dealer=dealer).count() < CUSTOMERS:
        Customer.objects.bulk_create(
            [
                Customer(
                    dealer=dealer, dms_id=f"B{n:06d}", name=f"Customer {n}", phone=f"139{n:08d}"
                )
                for n in range(CUSTOMERS)
            ],
            ignore_conflicts=True,
        )
        customers = {c.dms_id: c for c in Customer.objects.filter(dealer=dealer)}
        Vehicle.objects.bulk_create(
            [
                Vehicle(dealer=dealer, owner=customers[f"B{n:06d}"], vin=_vin(n), model="Corolla")
                for n in range(CUSTOMERS)
            ],
            ignore_conflicts=True,
        )
    have = Complaint.objects.filter(dealer=dealer).count()
    if have < CASES:
        _insert_cases(dealer, have)
    DealerApiKey.objects.filter(dealer=dealer).update(revoked=True)
    _key, raw = DealerApiKey.objects.create_key(dealer=dealer, name="bench")
    return dealer, raw


@unscoped("bench")
def _insert_cases(dealer: Any, have: int) -> None:
    from complaints.models import Complaint
    from dealers.models import Customer, Vehicle

    first_customer = Customer.objects.filter(dealer=dealer).order_by("id").first().pk
    first_vehicle = Vehicle.objects.filter(dealer=dealer).order_by("id").first().pk
    states = ["received", "listening", "investigating", "assessing", "resolving", "closed"]
    expressions = {
        "created_at": "now() - (n * interval '5 minutes')",
        "updated_at": "now() - (n * interval '5 minutes')",
        "reference": f"'{DEALER_CODE}-B-' || lpad(n::text, 7, '0')",
        "dealer_id": str(dealer.pk),
        "customer_id": f"{first_customer} + (n %% {CUSTOMERS})",
        "vehicle_id": f"{first_vehicle} + (n %% {CUSTOMERS})",
        "channel": "'phone'",
        "category": "'workmanship'",
        "description": "'Brakes squeal after the service, case ' || n",
        "original_description": "'Brakes squeal after the service, case ' || n",
        "is_safety_related": "(n %% 7 = 0)",
        "severity": "CASE WHEN n %% 11 = 0 THEN 'serious' ELSE 'normal' END",
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
        cursor.execute(sql, [have + 1, CASES])
        cursor.execute(f"ANALYZE {Complaint._meta.db_table}")


def _client(raw_key: str) -> Any:
    from rest_framework.test import APIClient

    client = APIClient(HTTP_HOST="localhost")
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code} {response.content[:300]!r}")
    return len(captured)


def _in_process(raw_key: str, dealer: Any) -> list[Result]:
    from django.conf import settings

    from complaints.models import Complaint

    rates = {"api_key": NO_THROTTLE, "user": NO_THROTTLE}
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        client = _client(raw_key)
        reference = (
            Complaint.objects.unscoped(reason="bench")
            .filter(dealer=dealer)
            .order_by("-created_at")
            .values_list("reference", flat=True)[500]
        )
        first_page = measure(lambda: client.get("/api/v1/complaints/"), repeat=30)
        detail = measure(lambda: client.get(f"/api/v1/complaints/{reference}/"), repeat=30)
        filtered = measure(
            lambda: client.get("/api/v1/complaints/?state=assessing&is_safety_related=true"),
            repeat=15,
        )
        small = _queries(client, "/api/v1/complaints/?page_size=10")
        large = _queries(client, "/api/v1/complaints/?page_size=100")
        detail_queries = _queries(client, f"/api/v1/complaints/{reference}/")
    total = Complaint.objects.unscoped(reason="bench").filter(dealer=dealer).count()
    return [
        Result(
            f"API list, first page of 25 ({total:,} cases)",
            median(first_page),
            len(first_page),
            f"SQL queries: {small} at page_size=10, {large} at page_size=100",
        ),
        Result("API list, state + safety filter", median(filtered), len(filtered), "first page"),
        Result("API case detail", median(detail), len(detail), f"SQL queries: {detail_queries}"),
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(port: int) -> subprocess.Popen:
    import requests

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.test"),
        "API_KEY_RATE": NO_THROTTLE,
        "API_USER_RATE": NO_THROTTLE,
        "DATABASE_CONN_MAX_AGE": "60",
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(GUNICORN_WORKERS),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/health/", timeout=1).status_code == 200:
                return process
        except requests.RequestException:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def _hammer(send: Any) -> tuple[float, list[float], int]:
    """Send up to HTTP_REQUESTS requests from HTTP_THREADS threads within HTTP_SECONDS.
    Returns (requests per second, latencies in ms, failures)."""
    import requests

    lock = threading.Lock()
    latencies: list[float] = []
    failures = 0
    counter = iter(range(HTTP_REQUESTS))
    stop_at = time.monotonic() + HTTP_SECONDS

    def worker() -> None:
        nonlocal failures
        session = requests.Session()
        while time.monotonic() < stop_at:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            started = time.perf_counter()
            ok = send(session, n)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                failures += 0 if ok else 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(HTTP_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies, failures


def _over_http(raw_key: str) -> list[Result]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Api-Key {raw_key}"}
    process = _start_gunicorn(port)
    try:

        def whoami(session: Any, n: int) -> bool:
            return session.get(f"{base}/api/v1/whoami/", headers=headers).status_code == 200

        def create(session: Any, n: int) -> bool:
            body = {
                "customer": {"dms_id": f"B{n % CUSTOMERS:06d}", "name": f"Customer {n}"},
                "vehicle": {"vin": _vin(n % CUSTOMERS)},
                "channel": "phone",
                "category": "waiting_time",
                "description": f"Waited two hours, bench {n}",
            }
            response = session.post(f"{base}/api/v1/complaints/", json=body, headers=headers)
            return response.status_code == 201

        _hammer(whoami)  # warm every worker up
        baseline_rate, baseline_ms, baseline_failed = _hammer(whoami)
        create_rate, create_ms, create_failed = _hammer(create)
    finally:
        process.terminate()
        process.wait(timeout=30)
    ratio = create_rate / baseline_rate if baseline_rate else 0.0
    setup = f"gunicorn {GUNICORN_WORKERS} workers, {HTTP_THREADS} client threads"
    return [
        Result(
            "HTTP GET /api/v1/whoami/ (minimal authenticated)",
            median(baseline_ms),
            len(baseline_ms),
            f"{baseline_rate:.0f} req/s, {baseline_failed} failed; {setup}",
        ),
        Result(
            "HTTP POST /api/v1/complaints/ (create, inline customer+vehicle)",
            median(create_ms),
            len(create_ms),
            f"{create_rate:.0f} req/s = {ratio:.2f}x the minimal endpoint, {create_failed} failed",
        ),
    ]


def run() -> list[Result]:
    started = timezone.now()
    dealer, raw_key = _seed()
    seeded = Result(
        "seed / check 100,000 cases",
        (timezone.now() - started) / timedelta(milliseconds=1),
        1,
    )
    connection.close()
    return [seeded, *_in_process(raw_key, dealer), *_over_http(raw_key)]
