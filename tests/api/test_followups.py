"""Contacts and promises through the API, and the deadlines they touch on the case."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from complaints.choices import State
from followups.deadlines import deadline_open
from followups.models import ContactAttempt, Deadline

pytestmark = pytest.mark.django_db


def url(case, suffix):
    return f"/api/v1/complaints/{case.reference}/{suffix}"


def test_log_a_contact(api, alice_key, alice, make_complaint):
    case = make_complaint(alice, state=State.FOLLOWING_UP)

    response = api.post(
        url(case, "contacts/"),
        {"channel": "phone", "outcome": "satisfied", "note": "Happy with the repair"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        body["outcome"] == "satisfied"
        and body["actor"] == f"API: SH01 DMS (SH01, key {alice_key.prefix})"
    )
    assert ContactAttempt.objects.get(pk=body["id"]).complaint == case
    listed = api.get(url(case, "contacts/")).json()
    assert listed[0]["id"] == body["id"]  # newest first


def test_contact_with_bad_values_is_400(api, alice, make_complaint):
    case = make_complaint(alice, state=State.FOLLOWING_UP)

    response = api.post(url(case, "contacts/"), {"channel": "fax", "outcome": "meh"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"channel", "outcome"}


def test_contact_in_the_future_is_refused(api, alice, make_complaint):
    case = make_complaint(alice, state=State.FOLLOWING_UP)
    later = (timezone.now() + timedelta(days=2)).isoformat()

    response = api.post(
        url(case, "contacts/"),
        {"channel": "phone", "outcome": "satisfied", "contacted_at": later},
        format="json",
    )

    assert response.status_code == 400
    assert "contacted_at" in response.json()["errors"]


def test_record_a_promise_shows_as_open_deadline(api, alice, make_complaint):
    case = make_complaint(alice, state=State.LISTENING)
    due = timezone.now() + timedelta(minutes=20)

    response = api.post(
        url(case, "commitments/"),
        {"promise": "Call back within 20 minutes", "due_at": due.isoformat()},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "commitment" and response.json()["kept"] is False
    detail = api.get(url(case, "")).json()
    assert [d["promise"] for d in detail["open_deadlines"]] == ["Call back within 20 minutes"]


def test_promise_in_the_past_is_refused(api, alice, make_complaint):
    case = make_complaint(alice, state=State.LISTENING)

    response = api.post(
        url(case, "commitments/"),
        {"promise": "Call back", "due_at": "2020-01-01T00:00:00Z"},
        format="json",
    )

    assert response.status_code == 400
    assert not Deadline.objects.exists()


def test_overdue_filter_lists_cases_with_a_missed_open_deadline(api, alice, make_complaint):
    late = make_complaint(alice, state=State.LISTENING)
    on_time = make_complaint(alice, state=State.LISTENING)
    now = timezone.now()
    deadline_open(complaint=late, kind="commitment", due_at=now + timedelta(hours=1), rule="t")
    deadline_open(complaint=on_time, kind="commitment", due_at=now + timedelta(days=3), rule="t")

    with time_machine.travel(now + timedelta(hours=2)):
        overdue = api.get("/api/v1/complaints/", {"overdue": "true"}).json()["results"]
        everything = api.get("/api/v1/complaints/").json()["results"]

    assert [c["reference"] for c in overdue] == [late.reference]
    assert len(everything) == 2


@pytest.mark.parametrize("suffix", ["contacts/", "commitments/"])
def test_other_dealers_case_is_404(bob_api, alice, make_complaint, suffix):
    case = make_complaint(alice, state=State.FOLLOWING_UP, follow_up_contacts=[])

    response = bob_api.post(
        url(case, suffix),
        {
            "channel": "phone",
            "outcome": "satisfied",
            "promise": "x",
            "due_at": (timezone.now() + timedelta(days=1)).isoformat(),
        },
        format="json",
    )

    assert response.status_code == 404
    assert not ContactAttempt.objects.exists() and not Deadline.objects.exists()
    assert bob_api.get(url(case, "contacts/")).status_code == 404
