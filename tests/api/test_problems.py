"""Every refusal is application/problem+json (RFC 9457) with type, title, status, detail."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.settings import api_settings

from complaints.choices import State

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def assert_problem(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == f"urn:complaint-desk:problem:{code}"
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


def test_illegal_transition_is_409_listing_allowed_ones(api, alice, make_complaint):
    case = make_complaint(alice, state=State.RECEIVED)

    response = api.post(
        f"/api/v1/complaints/{case.reference}/transitions/close/", {}, format="json"
    )

    body = assert_problem(response, 409, "transition_not_allowed")
    assert body["allowed_transitions"] == ["start_listening"]
    assert body["state"] == "received"


def test_key_can_never_approve(api, alice, make_complaint):
    case = make_complaint(alice, state=State.AWAITING_APPROVAL)

    response = api.post(
        f"/api/v1/complaints/{case.reference}/transitions/approve/", {}, format="json"
    )

    assert_problem(response, 403, "permission_denied")
    case.refresh_from_db()
    assert case.state == State.AWAITING_APPROVAL


def test_key_cannot_withdraw(api, alice, make_complaint):
    case = make_complaint(alice, state=State.RECEIVED)

    response = api.post(
        f"/api/v1/complaints/{case.reference}/transitions/withdraw/",
        {"reason": "duplicate"},
        format="json",
    )

    assert_problem(response, 403, "permission_denied")


def test_unknown_transition_is_404(api, alice, make_complaint):
    case = make_complaint(alice)

    response = api.post(
        f"/api/v1/complaints/{case.reference}/transitions/teleport/", {}, format="json"
    )

    assert_problem(response, 404, "unknown_transition")


def test_validation_errors_name_the_fields(api, alice):
    response = api.post(
        "/api/v1/complaints/", {"customer": {"email": "nope"}, "channel": "x"}, format="json"
    )

    body = assert_problem(response, 400, "validation_failed")
    assert {"customer.email", "channel", "category", "description"} <= set(body["errors"])


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "42", "null"])
def test_non_object_json_body_is_400(api, alice, make_complaint, body):
    case = make_complaint(alice)

    for url in (
        "/api/v1/complaints/",
        f"/api/v1/complaints/{case.reference}/transitions/start_listening/",
    ):
        response = api.post(url, body, content_type="application/json")
        assert_problem(response, 400, "validation_failed")
    response = api.patch(
        f"/api/v1/complaints/{case.reference}/", body, content_type="application/json"
    )
    assert_problem(response, 400, "validation_failed")


def test_malformed_json_is_400(api, alice):
    response = api.post("/api/v1/complaints/", "{not json", content_type="application/json")

    assert_problem(response, 400, "malformed_request")


def test_wrong_types_in_transition_payload_are_400_not_500(api, alice, make_complaint):
    case = make_complaint(alice, state=State.ASSESSING)

    response = api.post(
        f"/api/v1/complaints/{case.reference}/transitions/decide/",
        {"is_safety_related": [1], "serious_reasons": "x", "compensation_amount": {"a": 1}},
        format="json",
    )

    body = assert_problem(response, 400, "validation_failed")
    assert {"is_safety_related", "serious_reasons", "compensation_amount"} <= set(body["errors"])


def test_nul_characters_are_refused(api, alice, make_complaint):
    case = make_complaint(alice, state=State.RECEIVED)

    note = api.post(
        f"/api/v1/complaints/{case.reference}/transitions/start_listening/",
        {"comment": "a\x00b"},
        format="json",
    )
    path = api.get("/api/v1/complaints/a%00b/")

    assert_problem(note, 400, "validation_failed")
    assert_problem(path, 404, "not_found")


def test_unsupported_media_type_is_415(api, alice):
    response = api.post(
        "/api/v1/complaints/", "a=b", content_type="application/x-www-form-urlencoded"
    )

    assert_problem(response, 415, "unsupported_media_type")


def test_missing_credentials_is_401_with_challenge(client):
    response = client.get("/api/v1/complaints/")

    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Api-Key"


def test_unknown_path_under_api_is_json_404(api):
    response = api.get("/api/v2/anything")

    assert_problem(response, 404, "not_found")


def test_method_not_allowed_is_405(api, alice):
    response = api.delete("/api/v1/complaints/")

    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_too_many_requests_is_429_with_retry_after(api, alice):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "api_key": "2/min"}
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}):
        statuses = [api.get("/api/v1/complaints/").status_code for _ in range(3)]
        response = api.get("/api/v1/complaints/")

    assert statuses == [200, 200, 429]
    assert_problem(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 60


def test_throttle_counts_per_key(api, bob_api, alice, bob):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "api_key": "1/min"}
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}):
        first = api.get("/api/v1/complaints/")
        second = api.get("/api/v1/complaints/")
        other_key = bob_api.get("/api/v1/complaints/")

    assert (first.status_code, second.status_code, other_key.status_code) == (200, 429, 200)


def test_throttle_counts_per_user(client, alice):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "1/min"}
    client.force_login(alice.advisor)
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}):
        first = client.get("/api/v1/complaints/")
        second = client.get("/api/v1/complaints/")

    assert (first.status_code, second.status_code) == (200, 429)


def test_throttle_counts_live_in_redis_when_configured(api, alice, settings):
    from tests.conftest import service_missing

    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        service_missing("needs Redis: set REDIS_URL=redis://…")
    api.get("/api/v1/complaints/")

    keys = list(cache._cache.get_client().scan_iter(match="*throttle_api_key*"))

    assert keys


def _rest_framework():
    from django.conf import settings

    return settings.REST_FRAMEWORK


def test_unknown_path_is_json_404_for_any_method_even_with_a_session(client, alice):
    from rest_framework.test import APIClient

    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(alice.advisor)

    response = browser.delete("/api/v1/webhooks/-1/")

    assert_problem(response, 404, "not_found")
