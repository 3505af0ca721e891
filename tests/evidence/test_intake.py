"""Evidence brought to the desk is attached at intake (optional); a refused file logs no
case, so the complaint is logged once, with its evidence."""

from __future__ import annotations

import pytest
from django.urls import reverse

from complaints.models import Complaint
from evidence.models import Attachment

from . import files
from .conftest import upload

pytestmark = pytest.mark.django_db


def _intake(**extra):
    return {
        "pick": "",
        "new_name": "Zhou Min",
        "new_phone": "13900001111",
        "new_preferred_channel": "phone",
        "vin": "",
        "model": "",
        "plate": "",
        "channel": "walk_in",
        "category": "workmanship",
        "component": "brakes",
        "description": "Scratch on the door after the car wash at the dealer.",
        "customer_request": "Repaint it.",
        **extra,
    }


def test_the_intake_form_offers_an_optional_file(client, alice):
    client.force_login(alice.advisor)
    html = client.get(reverse("complaint_new")).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'name="evidence-file"' in html and 'capture="environment"' in html


def test_a_complaint_is_logged_with_the_photo_the_customer_brought(client, alice):
    client.force_login(alice.advisor)
    photo = upload("scratch.jpg", files.jpeg())
    response = client.post(
        reverse("complaint_new"),
        _intake(**{"evidence-file": photo, "evidence-caption": "Taken by the customer"}),
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    attachment = Attachment.objects.get()
    assert attachment.complaint == complaint
    assert (attachment.state, attachment.caption) == ("received", "Taken by the customer")


def test_a_complaint_without_evidence_is_logged_as_before(client, alice):
    client.force_login(alice.advisor)
    assert client.post(reverse("complaint_new"), _intake()).status_code == 302
    assert Complaint.objects.count() == 1 and not Attachment.objects.exists()


def test_a_refused_file_at_intake_logs_no_case_and_says_why(client, alice):
    client.force_login(alice.advisor)
    response = client.post(
        reverse("complaint_new"),
        _intake(**{"evidence-file": upload("scratch.jpg", files.HTML)}),
    )
    assert response.status_code == 200
    assert "This kind of file is not accepted" in response.content.decode()
    assert not Complaint.objects.exists() and not Attachment.objects.exists()
    # What was typed is kept.
    assert "Scratch on the door" in response.content.decode()
