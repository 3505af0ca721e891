"""The published OpenAPI schema is valid, and the API keeps to it for any input: a
schemathesis run over every operation finds no 5xx and no response outside the schema."""

from __future__ import annotations

import itertools
from io import StringIO

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi import checks

from complaints.choices import State
from config.wsgi import application
from integrations.models import DealerApiKey

from ..factories import ComplaintFactory, CustomerFactory, DealerFactory, VehicleFactory


def test_spectacular_validates_without_warnings(db):
    out = StringIO()

    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out, stderr=StringIO())

    assert "/api/v1/complaints/" in out.getvalue()


KNOWN = {
    "reference": "SH01-2020-000001",  # a year the sequence never hands out here
    "dms_id": "C-1",
    "vin": "LVSHCAMB7CE012345",
    "transition": "start_listening",
}
_turn = itertools.count()
_RAW_KEYS: dict[str, str] = {}


def map_path_parameters(context, path_parameters):
    # Every other case names objects that exist, so the checks reach past the 404s.
    if path_parameters and next(_turn) % 2 == 0:
        return {name: KNOWN.get(name, value) for name, value in path_parameters.items()}
    return path_parameters


# Served in-process by the WSGI application (the schema view needs no database).
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
schema.hook(map_path_parameters)


@pytest.fixture
def api_key(db) -> str:
    # Schemathesis may ask for the fixture once per operation within one test transaction.
    existing = DealerApiKey.objects.filter(name="schemathesis").first()
    if existing is not None and existing.pk in _RAW_KEYS:
        return _RAW_KEYS[existing.pk]
    dealer = DealerFactory(code="SH01")
    customer = CustomerFactory(dealer=dealer, dms_id="C-1")
    vehicle = VehicleFactory(dealer=dealer, owner=customer, vin=KNOWN["vin"])
    ComplaintFactory(
        dealer=dealer,
        customer=customer,
        vehicle=vehicle,
        reference=KNOWN["reference"],
        state=State.RECEIVED,
    )
    key, raw = DealerApiKey.objects.create_key(dealer=dealer, name="schemathesis")
    _RAW_KEYS[key.pk] = raw
    return raw


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Django closes "old" connections when a request ends; the test client switches that
    # off, and the WSGI calls below must too, or the test's transaction is closed under it.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


EXCLUDED = [
    # DRF reads query strings leniently (e.g. `page_size=abc` falls back to the default):
    # negative examples it accepts are not bugs.
    checks.negative_data_rejection,
    # Generated bodies pass the schema's types but not the step-dependent rules of a
    # transition or the state of a case (e.g. a 409 for a transition not possible now).
    checks.positive_data_acceptance,
]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_keeps_to_its_schema(case, api_key):
    case.call_and_validate(
        headers={"Authorization": f"Api-Key {api_key}"}, excluded_checks=EXCLUDED
    )


# --- the schema says what the responses are ------------------------------------------------


def _component(name: str) -> dict:
    return schema.raw_schema["components"]["schemas"][name]


def _call(method: str, path: str, api_key: str, **parts):
    """A real response, and the operation that checks it against its response schema."""
    operation = schema[path][method]
    case = operation.Case(headers={"Authorization": f"Api-Key {api_key}"}, **parts)
    return operation, case.call()


@pytest.mark.django_db
def test_timeline_events_without_a_step_change_keep_to_the_schema(api_key):
    from complaints.models import Complaint
    from complaints.services import complaint_add_note
    from dealers.models import Role

    from ..factories import MembershipFactory, UserFactory

    complaint = Complaint.objects.unscoped(reason="test").get(reference=KNOWN["reference"])
    user = UserFactory()
    MembershipFactory(user=user, dealer=complaint.dealer, role=Role.ADVISOR)
    complaint_add_note(complaint=complaint, actor=user, comment="客户来电询问进度")
    _call(
        "POST",
        "/api/v1/complaints/{reference}/transitions/{transition}/",
        api_key,
        path_parameters={"reference": KNOWN["reference"], "transition": "start_listening"},
        body={},
    )

    operation, response = _call(
        "GET",
        "/api/v1/complaints/{reference}/events/",
        api_key,
        path_parameters={"reference": KNOWN["reference"]},
    )

    operation.validate_response(response)
    events = {event["kind"]: event for event in response.json()["results"]}
    assert (events["note"]["from_state"], events["note"]["to_state"]) == (None, None)
    assert (events["transition"]["from_state"], events["transition"]["to_state"]) == (
        "received",
        "listening",
    )


def test_every_field_the_transition_payload_advertises_is_taken_by_some_transition():
    from complaints.payloads import PAYLOADS

    taken = {name for payload in PAYLOADS.values() for name in payload.base_fields}

    advertised = set(_component("TransitionPayloadRequest")["properties"])

    assert "outcome" not in advertised
    assert advertised <= taken, advertised - taken


@pytest.mark.django_db
def test_an_outcome_sent_with_a_transition_is_refused(api_key):
    operation, response = _call(
        "POST",
        "/api/v1/complaints/{reference}/transitions/{transition}/",
        api_key,
        path_parameters={"reference": KNOWN["reference"], "transition": "start_listening"},
        body={"outcome": "satisfied"},
    )

    assert response.status_code == 400
    assert "outcome" in response.json()["errors"]
    operation.validate_response(response)


@pytest.mark.django_db
def test_the_webhook_url_is_documented_as_the_https_url_it_must_be(api_key):
    url = _component("WebhookEndpointCreateRequest")["properties"]["url"]

    assert url["format"] == "uri"
    assert "https://" in url["description"] and "public" in url["description"]
    for refused in ("not a url", "ftp://example.com/hook", "https://10.0.0.1/hook"):
        operation, response = _call("POST", "/api/v1/webhooks/", api_key, body={"url": refused})
        assert response.status_code == 400, refused
        assert "url" in response.json()["errors"]
        operation.validate_response(response)
