"""Case creation over HTTP, beside the cheapest authenticated request, in the generated network.

gunicorn on 127.0.0.1 serves the project; client threads send up to HTTP_REQUESTS requests
each within a time limit: first `GET /api/v1/whoami/` (the floor: authentication and one
row), then `POST /api/v1/complaints/` as the first dealer's DMS, naming one of its customers
and vehicles, as the DMS does. Creation's rate is given as a share of the floor's, measured in
the same run (target: at least 35 %). The REST API's reads are in bench_network.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal
from typing import Any

from django.db import connection

from bench import Result

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


def _free_port() -> int:
    if os.environ.get("BENCH_HTTP_PORT"):
        return int(os.environ["BENCH_HTTP_PORT"])
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
    stamp = int(time.time()) % 1_000_000
    process = _start_gunicorn(port)
    try:

        def whoami(session: Any, n: int) -> bool:
            return session.get(f"{base}/api/v1/whoami/", headers=headers).status_code == 200

        def create(session: Any, n: int) -> bool:
            # A customer and vehicle new to the dealer each time: the same customer and
            # vehicle twice within a day is a duplicate case (409), as it should be.
            serial = stamp * 1_000 + n
            body = {
                "customer": {
                    "dms_id": f"N{serial}",
                    "name": f"客户{serial}",
                    "phone": f"139{serial % 10**8:08d}",
                },
                "vehicle": {"vin": _vin(serial)},
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
    setup = f"gunicorn {GUNICORN_WORKERS} workers, {HTTP_THREADS} client threads"
    floor_name = "HTTP floor: GET /api/v1/whoami/"
    return [
        Result.of(
            "HTTP floor: GET /api/v1/whoami/ (latency)",
            baseline_ms,
            detail=f"{baseline_failed} failed; {setup}",
            group="creation",
        ),
        Result.of(
            "HTTP case creation: POST /api/v1/complaints/ (latency)",
            create_ms,
            detail=f"{create_failed} failed; {setup}",
            group="creation",
        ),
        Result(
            floor_name,
            baseline_rate,
            len(baseline_ms),
            unit="req/s",
            detail=setup,
            group="creation",
        ),
        Result(
            "HTTP case creation rate",
            create_rate,
            len(create_ms),
            unit="req/s",
            reference=floor_name,
            reference_ms=baseline_rate,
            target_ms=0.35 * baseline_rate,
            detail=f"target: 35 % of the floor; {create_failed} failed; {setup}",
            group="creation",
        ),
    ]


def run() -> list[Result]:
    from bench.bench_network import _api_key
    from bench.network import ensure, people

    ensure()
    dealer = people().dealer
    raw_key = _api_key(dealer)
    connection.close()
    return _over_http(raw_key)
