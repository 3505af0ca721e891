"""Step 5's records: the technical lead consulted, and the agreement with the customer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from complaints import services as complaint_services
from complaints.choices import EventKind, State
from core.exceptions import ValidationFailed
from repairs import services
from repairs.models import Agreement

from ..complaints.rules import VALID_PAYLOADS
from ..factories import ComplaintFactory

pytestmark = pytest.mark.django_db


def test_the_technical_lead_consulted_and_their_conclusion(alice):
    complaint = ComplaintFactory(dealer=alice.dealer, state=State.RESOLVING)
    services.repair_consult_lead(
        complaint=complaint,
        actor=alice.advisor,
        lead=alice.manager,
        conclusion="Replace the ABS sensor; the wiring is fine.",
    )
    complaint.refresh_from_db()
    assert complaint.technical_lead == alice.manager
    assert complaint.technical_lead_conclusion.startswith("Replace the ABS sensor")
    event = complaint.events.get(kind=EventKind.REPAIR)
    assert event.payload["action"] == "lead_consulted"
    assert "wiring is fine" in event.text


def test_the_lead_must_be_staff_of_the_dealer(alice, bob):
    complaint = ComplaintFactory(dealer=alice.dealer, state=State.RESOLVING)
    with pytest.raises(ValidationFailed):
        services.repair_consult_lead(
            complaint=complaint, actor=alice.advisor, lead=bob.manager, conclusion="Fine"
        )


def test_the_agreement_records_the_gap_and_how_the_customer_accepted(alice):
    complaint = ComplaintFactory(dealer=alice.dealer, state=State.RESOLVING)
    services.agreement_record(
        complaint=complaint,
        actor=alice.advisor,
        customer_expectation="A new car",
        gap="We offer a free repair and a 2-year extended warranty",
        accepted=True,
        acceptance_method="signed",
    )
    agreement = Agreement.objects.get()
    assert (agreement.accepted, agreement.acceptance_method) == (True, "signed")
    text = complaint.events.get(kind=EventKind.REPAIR).text
    assert "A new car" in text and "Accepted (Signed)" in text


def test_an_acceptance_must_say_how_and_only_an_acceptance_does(alice):
    complaint = ComplaintFactory(dealer=alice.dealer, state=State.RESOLVING)
    with pytest.raises(ValidationFailed):
        services.agreement_record(
            complaint=complaint, actor=alice.advisor, customer_expectation="x", accepted=True
        )
    with pytest.raises(ValidationFailed):
        services.agreement_record(
            complaint=complaint,
            actor=alice.advisor,
            customer_expectation="x",
            accepted=False,
            acceptance_method="phone",
        )
    with pytest.raises(ValidationFailed):
        services.agreement_record(complaint=complaint, actor=alice.advisor, customer_expectation="")
    assert not Agreement.objects.exists()


def test_at_a_reopen_the_agreement_records_what_the_customer_now_asks_for(client, alice):
    complaint = ComplaintFactory(
        dealer=alice.dealer, assignee=alice.advisor, state=State.FOLLOWING_UP
    )
    complaint_services.complaint_transition(
        complaint=complaint, name="reopen", actor=alice.advisor, data=VALID_PAYLOADS["reopen"]
    )
    client.force_login(alice.advisor)
    response = client.post(
        reverse("agreement_create", args=[complaint.reference]),
        {
            "agreement-customer_expectation": "The noise gone for good",
            "agreement-accepted": "",
            "agreement-customer_now_asks": "Replace the whole brake system",
        },
    )
    assert response.status_code == 302
    assert Agreement.objects.get().customer_now_asks == "Replace the whole brake system"
    page = client.get(reverse("complaint_detail", args=[complaint.reference])).content.decode()
    assert "Replace the whole brake system" in page
