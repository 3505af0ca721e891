"""The reception desk's day one: a case flagged serious at intake (the green channel) and
the complaint receipt handed to the customer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from complaints import services
from complaints.choices import State
from complaints.models import CaseEvent, Complaint
from followups import services as followup_services
from followups.models import Notification
from integrations.models import DealerApiKey

from .rules import DECISION

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


def intake_data(**overrides):
    data = {
        "pick": "",
        "new_name": "Li Lei",
        "new_phone": "13900001111",
        "new_email": "",
        "new_preferred_channel": "phone",
        "vin": "",
        "model": "",
        "plate": "沪A54321",
        "channel": "walk_in",
        "category": "workmanship",
        "component": "brakes",
        "description": "The brakes failed on the motorway; my wife was hurt.",
        "customer_request": "A written explanation.",
    }
    data.update(overrides)
    return data


def told(kind="serious_case"):
    return {
        n.recipient.username: n
        for n in Notification.objects.filter(kind=kind).select_related("recipient")
    }


# --- a serious case flagged at intake ---------------------------------------------------


def test_a_case_flagged_serious_at_intake_alerts_the_managers_and_the_region(client, alice, bob):
    client.force_login(alice.advisor)

    response = client.post(
        reverse("complaint_new"),
        intake_data(serious_reasons=["media", "injury_or_major_damage"]),
    )

    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.severity == "serious"
    assert complaint.serious_reasons == ["media", "injury_or_major_damage"]
    notified = told()
    assert set(notified) == {"sh01_manager", "sh01_manager2", "sh01_regional"}
    body = notified["sh01_manager"].body
    assert "The customer threatens to go to the media" in body
    assert "Injury or major vehicle damage" in body
    # Each also by e-mail, through the outbox.
    assert all(n.email_to and n.outbox_due_at for n in notified.values())


def test_the_case_page_shows_a_case_flagged_at_intake_as_serious_with_its_reasons(client, alice):
    client.force_login(alice.advisor)
    client.post(
        reverse("complaint_new"),
        intake_data(serious_reasons=["lawyer", "other"], serious_note="Brings a journalist"),
    )
    complaint = Complaint.objects.get()

    page = client.get(reverse("complaint_detail", args=[complaint.reference])).content.decode()

    assert "Serious complaint" in page
    assert "Marked serious at intake: The customer threatens a lawyer or legal action" in page
    assert "Brings a journalist" in page


def test_the_manager_reads_the_alert_in_the_notifications(client, alice):
    client.force_login(alice.advisor)
    client.post(reverse("complaint_new"), intake_data(serious_reasons=["authority"]))
    complaint = Complaint.objects.get()

    client.force_login(alice.manager)
    page = client.get(reverse("notifications")).content.decode()

    assert f"Serious complaint: case {complaint.reference}" in page


def test_the_regions_staff_read_a_case_flagged_serious_at_intake(client, alice):
    client.force_login(alice.advisor)
    client.post(
        reverse("complaint_new"),
        intake_data(component="none", serious_reasons=["lawyer"]),
    )
    complaint = Complaint.objects.get()
    assert not complaint.is_safety_related

    client.force_login(alice.regional)
    response = client.get(reverse("complaint_detail", args=[complaint.reference]))

    assert response.status_code == 200


def test_other_needs_a_note_and_nothing_is_written(client, alice):
    client.force_login(alice.advisor)

    response = client.post(reverse("complaint_new"), intake_data(serious_reasons=["other"]))

    assert response.status_code == 200
    assert response.context["form"].errors["serious_note"] == [
        "Say what makes the complaint serious."
    ]
    assert not Complaint.objects.exists()
    assert not Notification.objects.exists()


def test_an_ordinary_intake_alerts_nobody(client, alice):
    client.force_login(alice.advisor)

    client.post(reverse("complaint_new"), intake_data())

    assert Complaint.objects.get().severity == "normal"
    assert not Notification.objects.exists()


def test_the_api_flags_a_serious_case_at_intake_by_the_same_rules(alice):
    _key, raw = DealerApiKey.objects.create_key(dealer=alice.dealer, name="SH01 DMS")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    body = {
        "customer": {"name": "Li Lei", "phone": "13900001111"},
        "vehicle": {"plate": "沪A54321"},
        "channel": "phone",
        "category": "product_quality",
        "description": "The airbag did not open.",
        "serious_reasons": ["authority"],
    }

    refused = api.post("/api/v1/complaints/", {**body, "serious_reasons": ["other"]}, format="json")
    created = api.post("/api/v1/complaints/", body, format="json")

    assert refused.status_code == 400
    assert "serious_note" in refused.json()["errors"]
    assert created.status_code == 201, created.json()
    assert created.json()["severity"] == "serious"
    assert created.json()["serious_reasons"] == ["authority"]
    assert set(told()) == {"sh01_manager", "sh01_manager2", "sh01_regional"}


def test_step_4_still_reassesses_a_case_flagged_serious_at_intake(client, alice):
    client.force_login(alice.advisor)
    client.post(reverse("complaint_new"), intake_data(serious_reasons=["media"]))
    complaint = Complaint.objects.get()
    Complaint.objects.filter(pk=complaint.pk).update(state=State.ASSESSING)
    complaint.refresh_from_db()
    assert complaint.severity == "serious"
    before = Notification.objects.count()

    decided = services.complaint_transition(
        complaint=complaint, name="decide", actor=alice.advisor, data=DECISION
    )

    assert decided.state == State.RESOLVING
    assert (decided.severity, decided.serious_reasons) == ("normal", [])
    assert Notification.objects.count() == before  # no second alert


def test_the_decision_form_of_step_4_starts_from_the_intakes_assessment(client, alice):
    client.force_login(alice.advisor)
    client.post(reverse("complaint_new"), intake_data(serious_reasons=["lawyer"]))
    complaint = Complaint.objects.get()
    Complaint.objects.filter(pk=complaint.pk).update(state=State.ASSESSING)

    page = client.get(reverse("complaint_detail", args=[complaint.reference]))

    forms = {name: entry["form"] for entry in page.context["main_forms"] for name in entry["names"]}
    assert forms["decide"]["severity"].value() == "serious"
    assert forms["decide"]["serious_reasons"].value() == ["lawyer"]


def test_the_created_event_records_the_serious_reasons_as_codes(client, alice):
    client.force_login(alice.advisor)
    client.post(reverse("complaint_new"), intake_data(serious_reasons=["media"]))

    event = CaseEvent.objects.get(kind="created")

    assert event.payload["serious_reasons"] == ["media"]
    assert event.comment == ""


# --- the complaint receipt ----------------------------------------------------------------


@pytest.fixture
def logged(client, alice):
    client.force_login(alice.advisor)
    alice.dealer.phone = "021-5888 0101"
    alice.dealer.save()
    response = client.post(
        reverse("complaint_new"),
        intake_data(description="刹车异响，上次保养后开始。", customer_request="今天修好"),
    )
    complaint = Complaint.objects.get()
    followup_services.commitment_create(
        complaint=complaint,
        actor=alice.advisor,
        promise="Call back within 30 minutes",
        due_at=timezone.now() + timedelta(minutes=30),
    )
    return complaint, response


def test_intake_offers_the_receipt_at_once(client, logged):
    complaint, response = logged

    page = client.get(response["Location"]).content.decode()

    assert reverse("complaint_receipt", args=[complaint.reference]) in page
    assert "Print the complaint receipt for the customer" in page


def test_the_receipt_shows_what_was_recorded_promised_and_who_to_call(client, alice, logged):
    complaint, _response = logged

    response = client.get(reverse("complaint_receipt", args=[complaint.reference]) + "?lang=en")

    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en"' in page
    assert "Complaint receipt" in page
    assert complaint.reference in page
    assert "刹车异响，上次保养后开始。" in page  # the customer's words, as recorded
    assert "今天修好" in page
    assert "Call back within 30 minutes" in page
    assert str(alice.advisor) in page
    assert "021-5888 0101" in page
    stylesheet = finders.find("css/receipt.css")
    assert 'href="/static/css/receipt.css"' in page
    with open(stylesheet, encoding="utf-8") as css:
        assert "@media print" in css.read()


def test_the_receipt_is_printed_in_the_language_picked_for_the_customer(client, alice, logged):
    complaint, _response = logged
    url = reverse("complaint_receipt", args=[complaint.reference])

    chinese = client.get(url + "?lang=zh-hans").content.decode()
    english = client.get(url + "?lang=en").content.decode()

    assert '<html lang="zh-hans"' in chinese
    assert "投诉回执" in chinese
    assert "Complaint receipt" not in chinese
    assert "投诉回执" not in english


def test_the_case_page_links_the_receipt(client, logged):
    complaint, _response = logged

    page = client.get(reverse("complaint_detail", args=[complaint.reference])).content.decode()

    assert reverse("complaint_receipt", args=[complaint.reference]) in page


def test_another_dealers_staff_get_no_receipt(client, bob, logged):
    complaint, _response = logged
    client.force_login(bob.manager)

    response = client.get(reverse("complaint_receipt", args=[complaint.reference]))

    assert response.status_code == 404
