"""The API's timeline carries what each transition decided, labelled in the request's
language, beside the raw payload."""

from __future__ import annotations

import pytest

from complaints import services
from complaints.choices import State
from tests.complaints.rules import VALID_PAYLOADS

pytestmark = pytest.mark.django_db


def test_the_api_timeline_carries_the_facts_in_the_requests_language(alice, make_complaint, api):
    complaint = make_complaint(alice, state=State.INVESTIGATING)
    services.complaint_transition(
        complaint=complaint,
        name="record_findings",
        actor=alice.advisor,
        data=VALID_PAYLOADS["record_findings"],
    )
    response = api.get(f"/api/v1/complaints/{complaint.reference}/events/")
    assert response.status_code == 200
    event = response.json()["results"][-1]
    assert {"label": "Root cause", "value": "Pads glazed at last service"} in event["facts"]
    assert {"label": "Fault finding", "value": "A fault exists"} in event["facts"]
