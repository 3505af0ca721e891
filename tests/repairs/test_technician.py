"""The technician: reads only the cases assigned to them, adds notes and evidence to those,
and nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import services as complaint_services
from complaints.choices import EventKind, State
from core.exceptions import NotFound, PermissionDenied, ValidationFailed
from evidence import services as evidence_services
from followups import services as followup_services
from repairs import services

from ..complaints.rules import VALID_PAYLOADS
from ..evidence import files
from ..evidence.conftest import upload
from ..factories import ComplaintFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def repair_case(alice, technician):
    case = ComplaintFactory(dealer=alice.dealer, assignee=alice.advisor, state=State.RESOLVING)
    return services.repair_assign_technician(
        complaint=case, actor=alice.advisor, technician=technician
    )


@pytest.fixture
def other_case(alice):
    return ComplaintFactory(dealer=alice.dealer, assignee=alice.advisor, state=State.RESOLVING)


def test_assigning_the_technician_is_on_the_timeline(repair_case, technician):
    assert repair_case.technician == technician
    event = repair_case.events.get(kind=EventKind.REPAIR)
    assert event.payload["action"] == "technician_assigned"
    assert "Li Gong" in event.text
    assert event.action == "case.technician_assigned"


def test_only_a_technician_of_the_dealer_can_be_assigned(alice, other_case, bob_technician):
    for candidate in (alice.advisor, bob_technician):
        with pytest.raises(ValidationFailed):
            services.repair_assign_technician(
                complaint=other_case, actor=alice.advisor, technician=candidate
            )


def test_the_technician_reads_the_assigned_case_and_no_other(
    client, repair_case, other_case, technician
):
    client.force_login(technician)
    assert client.get(reverse("complaint_detail", args=[repair_case.reference])).status_code == 200
    assert client.get(reverse("complaint_detail", args=[other_case.reference])).status_code == 404
    home = client.get(reverse("home")).content.decode()
    assert repair_case.reference in home
    assert other_case.reference not in home


def test_another_dealers_technician_reads_nothing(client, repair_case, bob_technician):
    client.force_login(bob_technician)
    assert client.get(reverse("complaint_detail", args=[repair_case.reference])).status_code == 404


def test_an_unassigned_technician_loses_the_case(client, repair_case, alice, technician):
    services.repair_assign_technician(complaint=repair_case, actor=alice.advisor, technician=None)
    client.force_login(technician)
    assert client.get(reverse("complaint_detail", args=[repair_case.reference])).status_code == 404


def test_the_technician_adds_notes_and_evidence(client, repair_case, technician):
    client.force_login(technician)
    note = client.post(
        reverse("complaint_note", args=[repair_case.reference]), {"comment": "Pads replaced."}
    )
    assert note.status_code == 302
    photo = upload("pads.jpg", files.jpeg())
    attached = client.post(
        reverse("attachment_upload", args=[repair_case.reference]), {"file": photo}
    )
    assert attached.status_code == 302
    assert repair_case.events.filter(kind=EventKind.NOTE, actor=technician).exists()
    attachment = repair_case.attachments.get()
    assert attachment.uploaded_by == technician
    download = client.get(
        reverse("attachment_download", args=[repair_case.reference, attachment.pk])
    )
    assert download.status_code == 200
    b"".join(download.streaming_content)


def test_the_technician_reads_the_customers_phone_masked_and_no_email(
    client, repair_case, technician, alice
):
    customer = repair_case.customer
    customer.phone, customer.email = "13912342007", "wang@example.com"
    customer.save(update_fields=["phone", "email"])
    client.force_login(technician)
    page = client.get(reverse("complaint_detail", args=[repair_case.reference])).content.decode()
    assert "139****2007" in page
    assert "13912342007" not in page and "wang@example.com" not in page
    client.force_login(alice.advisor)
    page = client.get(reverse("complaint_detail", args=[repair_case.reference])).content.decode()
    assert "13912342007" in page and "wang@example.com" in page


def test_the_technicians_case_page_offers_notes_and_evidence_only(client, repair_case, technician):
    client.force_login(technician)
    page = client.get(reverse("complaint_detail", args=[repair_case.reference])).content.decode()
    assert reverse("attachment_upload", args=[repair_case.reference]) in page
    assert reverse("complaint_note", args=[repair_case.reference]) in page
    for name in ("complaint_escalate", "complaint_reassign", "parts_order_create"):
        assert reverse(name, args=[repair_case.reference]) not in page
    assert "/do/complete_action/" not in page


def _refusals(case, technician, alice):
    """Everything but a note and an attachment, each through its own service."""
    soon = timezone.now() + timedelta(days=2)
    return {
        "transition": lambda: complaint_services.complaint_transition(
            complaint=case,
            name="complete_action",
            actor=technician,
            data=VALID_PAYLOADS["complete_action"],
        ),
        "update": lambda: complaint_services.complaint_update(
            complaint=case, actor=technician, data={"description": "Changed"}
        ),
        "escalate": lambda: complaint_services.complaint_escalate(
            complaint=case, actor=technician, reason="Help"
        ),
        "reassign": lambda: complaint_services.complaint_reassign(
            complaint=case, actor=technician, assignee=alice.manager
        ),
        "supplier": lambda: complaint_services.complaint_hand_to_supplier(
            complaint=case, actor=technician, supplier="Body shop"
        ),
        "contact": lambda: followup_services.contact_record(
            complaint=case, actor=technician, channel="phone", outcome="satisfied"
        ),
        "promise": lambda: followup_services.commitment_create(
            complaint=case, actor=technician, promise="Call back", due_at=soon
        ),
        "repair_date": lambda: followup_services.repair_promise_set(
            complaint=case, actor=technician, due_at=soon
        ),
        "assign_technician": lambda: services.repair_assign_technician(
            complaint=case, actor=technician, technician=None
        ),
        "consult_lead": lambda: services.repair_consult_lead(
            complaint=case, actor=technician, lead=alice.manager, conclusion="OK"
        ),
        "parts": lambda: services.parts_order_place(
            complaint=case,
            actor=technician,
            part="Pad",
            quantity=1,
            order_number="P1",
            expected_at=soon,
        ),
        "agreement": lambda: services.agreement_record(
            complaint=case, actor=technician, customer_expectation="Free repair"
        ),
    }


@pytest.mark.parametrize(
    "what",
    [
        "transition",
        "update",
        "escalate",
        "reassign",
        "supplier",
        "contact",
        "promise",
        "repair_date",
        "assign_technician",
        "consult_lead",
        "parts",
        "agreement",
    ],
)
def test_the_technician_may_do_nothing_else_on_their_case(repair_case, technician, alice, what):
    before = repair_case.events.count()
    with pytest.raises((PermissionDenied, NotFound)):
        _refusals(repair_case, technician, alice)[what]()
    repair_case.refresh_from_db()
    assert repair_case.state == State.RESOLVING
    assert repair_case.technician == technician
    assert repair_case.events.count() == before


def test_the_technician_cannot_add_to_a_case_not_assigned_to_them(other_case, technician):
    with pytest.raises(NotFound):
        complaint_services.complaint_add_note(
            complaint=other_case, actor=technician, comment="Hello"
        )
    content = files.jpeg()
    with pytest.raises(NotFound):
        evidence_services.attachment_add(
            complaint=other_case,
            actor=technician,
            file=upload("x.jpg", content),
            name="x.jpg",
            size=len(content),
        )


def test_the_technician_posting_a_transition_changes_nothing(client, repair_case, technician):
    client.force_login(technician)
    client.post(
        reverse("complaint_transition", args=[repair_case.reference, "complete_action"]),
        VALID_PAYLOADS["complete_action"],
    )
    repair_case.refresh_from_db()
    assert repair_case.state == State.RESOLVING


def test_the_technician_sees_no_customers_and_no_audit_log(client, repair_case, technician):
    client.force_login(technician)
    assert client.get(reverse("audit_log")).status_code in (403, 404)
    assert client.get(reverse("approval_queue")).status_code in (403, 404)


def test_the_technician_sees_the_parts_order_of_their_repair(
    client, repair_case, alice, technician
):
    services.parts_order_place(
        complaint=repair_case,
        actor=alice.advisor,
        part="Front brake disc",
        quantity=2,
        order_number="EO-77",
        expected_at=timezone.now() + timedelta(days=2),
    )
    client.force_login(technician)
    page = client.get(reverse("complaint_detail", args=[repair_case.reference])).text
    # The repair panel lists it, as the timeline does: the technician waits for this part.
    panel = page.split('id="repair"', 1)[1].split("</section>", 1)[0]
    assert "Front brake disc ×2" in panel
