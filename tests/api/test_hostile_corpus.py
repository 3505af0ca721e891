"""A corpus of hostile bodies over every write endpoint of the API and the main browser forms.

Each body is generated from a valid one (deep nesting, huge text, NUL and lone surrogates in
keys and values, wrong types, lists where objects belong, numbers out of range, unknown fields
carrying any of these). Every one must be refused with a 4xx (problem+json for the API) and
leave every table of the database exactly as it was."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.utils import timezone

from complaints.choices import State
from tests.factories import VehicleFactory

from ..complaints.rules import VALID_PAYLOADS
from .test_problems import PROBLEM

pytestmark = pytest.mark.django_db

HUGE_BODY_TEXT = "x" * (3 * 1024 * 1024)
LONG_TEXT = "x" * 20_001
# The JSON decoder itself refuses integers of more than 4,300 digits.
HUGE_INT = "9" * 5000


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=True)


def hostile_bodies(base: dict) -> list[tuple[str, str]]:
    """(label, raw JSON text) pairs, each with at least one thing that must be refused."""
    bodies: list[tuple[str, str]] = [
        ("deep-33", _deep(33)),
        ("deep-500", _deep(500)),
        ("deep-100000", _deep(100_000)),
        ("object-deep-200", '{"a":' * 200 + "1" + "}" * 200),
        ("list-body", _json([base])),
        ("string-body", _json("text")),
        ("number-body", "42"),
        ("null-body", "null"),
        ("true-body", "true"),
        ("not-json", "{"),
        ("trailing-garbage", _json(base) + "x"),
        ("nan", _json(base)[:-1] + (", " if base else "") + '"x": NaN}'),
        ("3mb", _json({**base, "x": HUGE_BODY_TEXT})),
        ("nul-key-top", _json({**base, "a\x00b": "x"})),
        ("surrogate-key-top", _json({**base, "\ud800": 1})),
        ("surrogate-key-nested", _json({**base, "x": {"\udfff": 1}})),
        ("unknown-deep", _json({**base, "unknown": json.loads(_deep(40))})),
        ("unknown-nul", _json({**base, "unknown": "a\x00b"})),
        ("unknown-inf", _json({**base, "unknown": 1})[:-2] + "1e400}"),
        ("unknown-huge-int", _json({**base, "unknown": 1})[:-2] + HUGE_INT + "}"),
    ]
    for field in base:
        hostile_values = {
            "list": ["x", {"y": 1}],
            "object": {"text": "x"},
            "deep": json.loads(_deep(40)),
            "long": LONG_TEXT,
            "nul": "a\x00b",
            "surrogate": "a\ud800b",
            "nul-in-list": ["a\x00"],
        }
        for kind, value in hostile_values.items():
            bodies.append((f"{field}-{kind}", _json({**base, field: value})))
        for kind, number in (("inf", "1e400"), ("-inf", "-1e400"), ("huge-int", HUGE_INT)):
            text = _json({**base, field: 0})
            bodies.append(
                (f"{field}-{kind}", text.replace(f'"{field}": 0', f'"{field}": {number}'))
            )
    return bodies


def database_state() -> dict[str, list]:
    """Every row of every table (sessions aside: signing in writes one)."""
    state = {}
    for model in apps.get_models():
        if model is Session:
            continue
        state[model._meta.label] = list(model._base_manager.order_by("pk").values_list())
    return state


@pytest.fixture
def endpoints(alice, alice_key, make_complaint, new_case):
    received = make_complaint(alice, state=State.RECEIVED)
    investigating = make_complaint(alice, state=State.INVESTIGATING)
    following_up = make_complaint(alice, state=State.FOLLOWING_UP)
    vehicle = VehicleFactory(dealer=alice.dealer)
    due = (timezone.now() + timedelta(days=2)).isoformat()
    cases = "/api/v1/complaints/"
    return [
        ("post", cases, new_case),
        ("patch", f"{cases}{received.reference}/", {"description": "Still squealing"}),
        (
            "post",
            f"{cases}{investigating.reference}/transitions/record_findings/",
            VALID_PAYLOADS["record_findings"],
        ),
        (
            "post",
            f"{cases}{received.reference}/transitions/withdraw/",
            {"reason": "duplicate"},
        ),
        (
            "post",
            f"{cases}{following_up.reference}/contacts/",
            {"channel": "phone", "outcome": "satisfied", "note": "Happy"},
        ),
        ("post", f"{cases}{received.reference}/commitments/", {"promise": "Call", "due_at": due}),
        ("put", "/api/v1/customers/C-77/", {"name": "Li Na", "phone": "139"}),
        ("put", f"/api/v1/vehicles/{vehicle.vin}/", {"model": "Camry", "mileage": 100}),
        (
            "post",
            f"/api/v1/vehicles/{vehicle.vin}/repair-orders/",
            {"number": "RO-1", "opened_on": "2026-10-01", "work_summary": "Brake pads"},
        ),
        ("post", "/api/v1/webhooks/", {"url": "https://hooks.example.com/x"}),
    ]


def test_every_hostile_body_is_refused_and_changes_nothing(api, endpoints):
    before = database_state()
    tried = 0
    failures = []
    for method, url, base in endpoints:
        for label, text in hostile_bodies(base):
            response = getattr(api, method)(url, data=text, content_type="application/json")
            tried += 1
            if not (400 <= response.status_code < 500) or response["Content-Type"] != PROBLEM:
                failures.append((method, url, label, response.status_code))
    assert failures == []
    assert tried >= 200
    assert database_state() == before


def _html_hostile(base: dict) -> list[tuple[str, dict]]:
    bodies = [("empty", {}), ("3mb", {**base, "x": HUGE_BODY_TEXT})]
    bodies.append(("too-many-fields", {**base, **{f"f{i}": "x" for i in range(1200)}}))
    for field in base:
        if field == "is_safety_related":
            continue  # a checkbox: any value, NUL or not, means ticked, and nothing is stored
        for kind, value in (("nul", "a\x00b"), ("long", LONG_TEXT), ("nul-list", ["a", "\x00"])):
            bodies.append((f"{field}-{kind}", {**base, field: value}))
    return bodies


def test_every_hostile_form_is_refused_and_changes_nothing(client, alice, make_complaint):
    from tests.web.test_pages import intake_data

    investigating = make_complaint(alice, state=State.INVESTIGATING)
    following_up = make_complaint(alice, state=State.FOLLOWING_UP)
    client.force_login(alice.advisor)
    forms = [
        ("/cases/new/", intake_data()),
        (
            f"/cases/{investigating.reference}/do/record_findings/",
            VALID_PAYLOADS["record_findings"],
        ),
        (f"/cases/{investigating.reference}/note/", {"comment": "Called the customer"}),
        (
            f"/followups/cases/{following_up.reference}/contact/",
            {"contact-channel": "phone", "contact-outcome": "satisfied", "contact-note": "Good"},
        ),
    ]
    before = database_state()
    tried = 0
    failures = []
    for url, base in forms:
        for label, data in _html_hostile(base):
            response = client.post(url, data)
            tried += 1
            # A refused form is shown again with its errors (200 or 422), or a 4xx page; never
            # the redirect that follows a saved form, never a 500.
            if response.status_code >= 500 or response.status_code in (301, 302, 303):
                failures.append((url, label, response.status_code))
    assert failures == []
    assert tried >= 50
    assert database_state() == before
