"""`/api/v1/analytics/`: the page's figures for the manufacturer's systems."""

from __future__ import annotations

from io import StringIO

import pytest
import yaml
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from integrations.models import DealerApiKey

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-06-01", "end": "2026-06-10"}


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


def key_client(dealer) -> APIClient:
    _key, raw = DealerApiKey.objects.create_key(dealer=dealer, name="DMS")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


def user_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_key_reads_its_dealers_figures_without_staff_names(known):
    response = key_client(known.staff.dealer).get("/api/v1/analytics/", PERIOD)
    assert response.status_code == 200
    body = response.json()
    assert body["dealer"]["code"] == "SH01"
    assert body["period"] == {"start": "2026-06-01", "end": "2026-06-10"}
    summary = body["summary"]
    assert summary["cases"] == 5
    assert summary["first_contact_median_hours"] == pytest.approx(3.0)
    assert summary["closure_p90_hours"] == pytest.approx(38.0)
    assert summary["compensation_total"] == "150.50"
    assert summary["per_thousand_repair_orders"] == pytest.approx(1250.0)
    assert body["previous"]["cases"] == 1
    assert [r["code"] for r in body["by_channel"]] == ["phone", "email"]
    assert body["root_causes"][0] == {
        "code": "workmanship",
        "label": "Workmanship",
        "count": 2,
        "share": pytest.approx(2 / 3),
        "cumulative_share": pytest.approx(2 / 3),
    }
    assert body["corrective_actions"]["open"] == 2
    assert body["advisors"] is None


def test_api_key_cannot_read_another_dealer(known, bob):
    response = key_client(bob.dealer).get("/api/v1/analytics/", {**PERIOD, "dealer": "SH01"})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


def test_manager_reads_per_advisor_figures(known):
    body = user_client(known.staff.manager).get("/api/v1/analytics/", PERIOD).json()
    by_user = {row["user_id"]: row for row in body["advisors"]}
    assert by_user[known.staff.advisor.pk]["cases"] == 4


def test_advisor_and_stranger_read_nothing(known, stranger):
    for user in (known.staff.advisor, stranger):
        client = user_client(user)
        assert client.get("/api/v1/analytics/", PERIOD).status_code == 404
        assert client.get("/api/v1/analytics/dealers/", PERIOD).status_code == 404


def test_anonymous_caller_must_authenticate(known):
    assert APIClient().get("/api/v1/analytics/").status_code == 401


def test_regional_reads_every_dealer_of_the_region_side_by_side(known, bob):
    body = user_client(known.staff.regional).get("/api/v1/analytics/dealers/", PERIOD).json()
    assert [row["dealer"]["code"] for row in body["dealers"]] == ["SH01"]
    assert body["dealers"][0]["summary"]["cases"] == 5


def test_bad_period_is_a_400_problem(known):
    response = key_client(known.staff.dealer).get(
        "/api/v1/analytics/", {"start": "2026-06-10", "end": "2026-06-01"}
    )
    assert response.status_code == 400
    assert "end" in str(response.json())
    response = key_client(known.staff.dealer).get("/api/v1/analytics/", {"by": "\x00"})
    assert response.status_code == 400


def test_schema_documents_the_analytics_endpoints(db):
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out, stderr=StringIO())
    schema = yaml.safe_load(out.getvalue())
    operation = schema["paths"]["/api/v1/analytics/"]["get"]
    assert operation["operationId"] == "analytics_retrieve"
    assert {p["name"] for p in operation["parameters"]} >= {"dealer", "start", "end", "by"}
    figures = schema["components"]["schemas"]["Figures"]["properties"]
    assert {"summary", "root_causes", "corrective_actions", "trend", "advisors"} <= set(figures)
    assert "/api/v1/analytics/dealers/" in schema["paths"]
