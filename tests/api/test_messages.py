"""Messages to the customer through the API: send one, list them with their delivery state;
bad input is a 4xx; another dealer's case does not exist."""

from __future__ import annotations

import pytest

from complaints.choices import State
from core.outbox import outbox_deliver
from followups.models import ContactAttempt
from messaging.models import CustomerMessage

from ..factories import ComplaintFactory, CustomerFactory


@pytest.fixture(autouse=True)
def message_files(settings, tmp_path):
    settings.CUSTOMER_MESSAGE_FILE_PATH = str(tmp_path / "messages")
    settings.CUSTOMER_SMS_BACKEND = "messaging.senders.FileBackend"


@pytest.fixture
def case(alice):
    customer = CustomerFactory(dealer=alice.dealer, name="Wang Fang", phone="13800138000")
    return ComplaintFactory(
        dealer=alice.dealer, customer=customer, assignee=alice.advisor, state=State.RESOLVING
    )


def url(case):
    return f"/api/v1/complaints/{case.reference}/messages/"


def test_a_dms_sends_a_progress_update_and_lists_it_with_its_delivery_state(api, case):
    response = api.post(url(case), {"purpose": "progress", "language": "en"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["channel"] == "sms" and body["delivery_state"] == "queued"
    assert body["body"].startswith("Dear Wang Fang, your complaint")
    assert ContactAttempt.objects.get(pk=body["contact"]).channel == "sms"
    # In the contact log too, with no outcome of its own.
    (contact,) = api.get(f"/api/v1/complaints/{case.reference}/contacts/").json()
    assert (contact["id"], contact["outcome"]) == (body["contact"], "")
    outbox_deliver(names=["customer_message"])
    (listed,) = api.get(url(case)).json()
    assert listed["id"] == body["id"] and listed["delivery_state"] == "delivered"


@pytest.mark.parametrize(
    "payload",
    [{}, {"purpose": "birthday"}, {"purpose": "progress", "channel": "fax"}, ["progress"]],
)
def test_a_malformed_message_request_is_a_400_and_sends_nothing(api, case, payload):
    assert api.post(url(case), payload, format="json").status_code == 400
    assert not CustomerMessage.objects.exists()


def test_a_message_the_case_cannot_fill_in_is_refused(api, alice):
    case = ComplaintFactory(dealer=alice.dealer, vehicle=None, state=State.RESOLVING)
    response = api.post(url(case), {"purpose": "ready_for_pickup"}, format="json")
    assert response.status_code == 400
    assert "vehicle" in response.content.decode()


def test_another_dealers_case_has_no_messages(bob_api, case):
    assert bob_api.get(url(case)).status_code == 404
    assert bob_api.post(url(case), {"purpose": "progress"}, format="json").status_code == 404


def test_the_schema_documents_the_messages_endpoint(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    path = schema["paths"]["/api/v1/complaints/{reference}/messages/"]
    assert path["post"]["operationId"] == "complaints_messages_create"
    assert path["get"]["operationId"] == "complaints_messages_list"
