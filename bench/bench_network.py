"""The pages people open all day, in the generated network (BENCH_CASES cases, default
1,000,000 over 1,000 dealers), measured in-process with Django's test client.

The DMS's view through the REST API (first page of the case list, a case's detail) as the
first dealer's API key; the advisor's case list (their open cases, most urgent first) and
a case page; the manager's overview of the dealer. Each figure is the median of several
requests after one warm-up, with the SQL queries of one request: the API list's count at
page sizes 10 and 100 must be equal (no query per row).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from bench import Result, measure, repeat
from bench.network import cases, ensure, people
from complaints.loadgen import Plan
from core.scoping import unscoped

API_TARGET_MS = 30
PAGE_TARGET_MS = 60
OVERVIEW_TARGET_MS = 300
NO_THROTTLE = "1000000/min"


def _get(client: Any, url: str) -> Callable[[], None]:
    def fetch() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} {response.content[:300]!r}")

    return fetch


def _queries(fetch: Callable[[], None]) -> int:
    with CaptureQueriesContext(connection) as captured:
        fetch()
    return len(captured)


def _figure(name: str, fetch: Callable[[], None], runs: int, **extra: Any) -> Result:
    fetch()  # warm-up: caches, the first connection
    queries = extra.pop("queries", None)
    if queries is None:
        queries = _queries(fetch)
    return Result.of(name, measure(fetch, repeat=runs), queries=queries, **extra)


def case_for(dealer: Any, advisor: Any) -> Any:
    """An open case of the advisor in step 5, with its timeline, deadlines and contacts."""
    from complaints.models import Complaint

    with unscoped("bench"):
        return (
            Complaint.objects.filter(dealer=dealer, assignee=advisor, state="resolving")
            .order_by("-created_at")
            .first()
        )


def _api_key(dealer: Any) -> str:
    from integrations.models import DealerApiKey

    with unscoped("bench"):
        DealerApiKey.objects.filter(dealer=dealer, name="bench").update(revoked=True)
        _key, raw = DealerApiKey.objects.create_key(dealer=dealer, name="bench")
    return raw


def run() -> list[Result]:
    from django.test import Client
    from rest_framework.test import APIClient

    ensure()
    who = people()
    complaint = case_for(who.dealer, who.advisor)
    size = f"{who.dealer.code}, one of {Plan(cases=cases()).dealers:,} dealers"
    runs = repeat(25)
    results = []
    rates = {"api_key": NO_THROTTLE, "user": NO_THROTTLE}
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        api = APIClient(HTTP_HOST="localhost")
        api.credentials(HTTP_AUTHORIZATION=f"Api-Key {_api_key(who.dealer)}")
        small = _queries(_get(api, "/api/v1/complaints/?page_size=10"))
        large = _queries(_get(api, "/api/v1/complaints/?page_size=100"))
        results.append(
            _figure(
                "API case list, first page",
                _get(api, "/api/v1/complaints/"),
                runs,
                queries=f"{small} (page of 10) / {large} (page of 100)",
                target_ms=API_TARGET_MS,
                group="pages",
                detail=size,
            )
        )
        results.append(
            _figure(
                "API case detail",
                _get(api, f"/api/v1/complaints/{complaint.reference}/"),
                runs,
                target_ms=API_TARGET_MS,
                group="pages",
                detail=f"{complaint.reference} ({complaint.state})",
            )
        )
    advisor = Client(HTTP_HOST="localhost")
    advisor.force_login(who.advisor)
    results.append(
        _figure(
            "advisor's case list (browser)",
            _get(advisor, "/"),
            runs,
            target_ms=PAGE_TARGET_MS,
            group="pages",
            detail="their open cases, most urgent first",
        )
    )
    results.append(
        _figure(
            "case page (browser)",
            _get(advisor, f"/cases/{complaint.reference}/"),
            runs,
            target_ms=PAGE_TARGET_MS,
            group="pages",
            detail=f"{complaint.reference} ({complaint.state})",
        )
    )
    manager = Client(HTTP_HOST="localhost")
    manager.force_login(who.manager)
    results.append(
        _figure(
            "manager's overview (browser)",
            _get(manager, "/overview/"),
            repeat(11),
            target_ms=OVERVIEW_TARGET_MS,
            group="pages",
            detail="one dealer: open cases per step, last 30 days",
        )
    )
    return results


def hot_pages() -> list[tuple[str, Callable[[], None]]]:
    """The pages whose slowest query bench.explain explains."""
    from django.test import Client
    from rest_framework.test import APIClient

    who = people()
    complaint = case_for(who.dealer, who.advisor)
    api = APIClient(HTTP_HOST="localhost")
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {_api_key(who.dealer)}")
    advisor = Client(HTTP_HOST="localhost")
    advisor.force_login(who.advisor)

    def throttle_free(fetch: Callable[[], None]) -> Callable[[], None]:
        def call() -> None:
            rates = {"api_key": NO_THROTTLE, "user": NO_THROTTLE}
            with override_settings(
                REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
            ):
                fetch()

        return call

    return [
        ("API case list, first page", throttle_free(_get(api, "/api/v1/complaints/"))),
        (
            "API case detail",
            throttle_free(_get(api, f"/api/v1/complaints/{complaint.reference}/")),
        ),
        ("Advisor's case list", _get(advisor, "/")),
        ("Case page", _get(advisor, f"/cases/{complaint.reference}/")),
    ]
