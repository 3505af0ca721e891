"""The API's input boundary: depth, size and text of every body, forged cursors, and NUL in a
path. Each is a 4xx problem (a 404 page for the browser's URLs), never a 500."""

from __future__ import annotations

import base64
import json

import pytest
from django.urls import reverse

from complaints.choices import State
from complaints.models import Complaint

from .test_problems import PROBLEM, assert_problem

pytestmark = pytest.mark.django_db

CASES = "/api/v1/complaints/"


def raw_post(client, url, text, method="post"):
    return getattr(client, method)(url, data=text, content_type="application/json")


def deep(depth):
    return "[" * depth + "]" * depth


@pytest.fixture
def case(alice, make_complaint):
    return make_complaint(alice, state=State.RECEIVED)


def test_deep_nesting_in_create_is_400(api, alice):
    body = '{"description": ' + deep(500) + "}"
    assert len(body) < 1100
    assert_problem(raw_post(api, CASES, body), 400, "malformed_request")
    assert Complaint.objects.count() == 0


def test_deep_nesting_in_a_transition_is_400(api, case):
    url = f"{CASES}{case.reference}/transitions/start_listening/"
    body = '{"note": ' + deep(500) + "}"
    assert_problem(raw_post(api, url, body), 400, "malformed_request")
    # Deeper than the JSON parser's own recursion can go.
    assert_problem(raw_post(api, url, deep(100_000)), 400, "malformed_request")


def test_nesting_up_to_the_limit_is_read(api, case):
    # 32 levels (the object itself is the first) pass the parser; the field refuses the list.
    url = f"{CASES}{case.reference}/transitions/start_listening/"
    body = '{"note": ' + deep(31) + "}"
    response = raw_post(api, url, body)
    assert response.status_code == 400
    assert "note" in response.json().get("errors", {})


@pytest.mark.parametrize("method", ["post", "patch"])
def test_lone_surrogate_in_a_top_level_key_is_400(api, case, method):
    body = '{"\\ud800": 1}'
    url = (
        f"{CASES}{case.reference}/transitions/start_listening/"
        if method == "post"
        else f"{CASES}{case.reference}/"
    )
    response = raw_post(api, url, body, method)
    assert_problem(response, 400, "malformed_request")
    case.refresh_from_db()
    assert case.state == State.RECEIVED


@pytest.mark.parametrize(
    "body",
    ['{"customer": {"na\\u0000me": "x"}}', '{"channel": 1e400}', '{"channel": NaN}'],
)
def test_unstorable_keys_and_numbers_anywhere_are_400(api, alice, body):
    assert_problem(raw_post(api, CASES, body), 400, "malformed_request")
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"description": "a\\u0000b"}', "description"),
        ('{"customer": {"name": ["\\udfff"]}}', "customer.name.0"),
        ('{"customer": {"name": {"x": [[["\\ud800"]]]}}}', "customer.name.x.0.0.0"),
    ],
)
def test_unstorable_text_in_values_is_400_naming_the_field(api, alice, body, field):
    problem = assert_problem(raw_post(api, CASES, body), 400, "validation_failed")
    assert field in problem["errors"]
    assert Complaint.objects.count() == 0


def test_a_body_over_the_limit_is_413_problem(api, alice, new_case, settings):
    new_case["description"] = "x" * (3 * 1024 * 1024)
    response = api.post(CASES, new_case, format="json")
    assert_problem(response, 413, "body_too_large")
    # With an Idempotency-Key the body is read (and hashed) before parsing: the same answer.
    response = api.post(CASES, new_case, format="json", HTTP_IDEMPOTENCY_KEY="big-1")
    assert_problem(response, 413, "body_too_large")
    assert Complaint.objects.count() == 0


def cursor(raw):
    return base64.b64encode(raw.encode()).decode()


@pytest.mark.parametrize("raw", ["p=abc", "p=0000-00-00", "p=2026-13-45", "o=x", "p=\x00"])
def test_a_forged_cursor_is_400_on_the_case_list(api, case, raw):
    response = api.get(CASES, {"cursor": cursor(raw)})
    body = assert_problem(response, 400, "validation_failed")
    assert "cursor" in body["errors"]


@pytest.mark.parametrize("raw", ["p=abc", "p=0000-00-00", "not base64 at all"])
def test_a_forged_cursor_is_400_on_the_events_list(api, case, raw):
    value = raw if " " in raw else cursor(raw)
    response = api.get(f"{CASES}{case.reference}/events/", {"cursor": value})
    assert_problem(response, 400, "validation_failed")


def test_a_real_cursor_still_pages(api, alice, make_complaint):
    for _ in range(3):
        make_complaint(alice)
    first = api.get(CASES, {"page_size": 2}).json()
    second = api.get(first["next"])
    assert second.status_code == 200
    assert len(second.json()["results"]) == 1


# NUL in a path --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/cases/%00/"),
        ("get", "/cases/A%00B/"),
        ("post", "/cases/%00/do/start_listening/"),
        ("post", "/cases/%00/note/"),
        ("post", "/cases/%00/escalate/"),
        ("post", "/cases/%00/reassign/"),
        ("post", "/cases/%00/supplier/"),
        ("post", "/cases/%00/contact/"),
        ("post", "/cases/%00/promise/"),
    ],
)
def test_nul_in_an_html_path_is_404(client, alice, method, path):
    client.force_login(alice.manager)
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_nul_in_an_api_path_is_a_404_problem(api, alice):
    response = api.get(f"{CASES}%00/")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert json.loads(response.content)["status"] == 404


def test_unknown_html_pages_are_still_django_404(client, alice):
    client.force_login(alice.manager)
    assert client.get(reverse("complaint_detail", args=["NOPE"])).status_code == 404
