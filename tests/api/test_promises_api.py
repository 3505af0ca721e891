"""Promises and contacts through the API, as in the browser: a promise in the customer's
words with a due time or a quick promise's code (at intake too), and a contact outcome that
must be given, "informed" never allowing confirm_resolved."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
import time_machine

from complaints.choices import State
from complaints.models import Complaint
from followups.models import ContactAttempt, Deadline

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def url(case, suffix=""):
    return f"/api/v1/complaints/{case.reference}/{suffix}"


def test_a_quick_promise_by_its_code_is_read_in_the_clients_language(api, alice, make_complaint):
    case = make_complaint(alice, state=State.LISTENING)

    response = api.post(
        url(case, "commitments/"),
        {"code": "callback_20m"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["code"] == "callback_20m"
    assert body["promise"] == "Call back within 20 minutes"
    assert dt.datetime.fromisoformat(body["due_at"]) == NOW + timedelta(minutes=20)
    deadline = Deadline.objects.unscoped(reason="test").get(pk=body["id"])
    assert (deadline.promise, deadline.promise_code) == ("", "callback_20m")
    chinese = api.get(url(case), HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    (open_promise,) = chinese["open_deadlines"]
    assert (open_promise["promise"], open_promise["promise_code"]) == (
        "20 分钟内回电",
        "callback_20m",
    )


def test_a_promise_in_the_customers_words_is_stored_as_sent(api, alice, make_complaint):
    case = make_complaint(alice, state=State.LISTENING)
    due = "2026-03-06T10:00:00+08:00"

    response = api.post(
        url(case, "commitments/"),
        {"promise": "配件周五 10:00 到店", "due_at": due},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["promise"], body["code"]) == ("配件周五 10:00 到店", "")
    assert dt.datetime.fromisoformat(body["due_at"]) == dt.datetime.fromisoformat(due)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"promise": "Call back within 30 minutes"}, "due_at"),
        ({"code": "callback_20m", "promise": "Call back"}, "promise"),
        ({"code": "callback_5m"}, "code"),
        ({}, "promise"),
    ],
)
def test_a_promise_without_its_parts_is_a_400_and_records_nothing(
    payload, field, api, alice, make_complaint
):
    case = make_complaint(alice, state=State.LISTENING)

    response = api.post(url(case, "commitments/"), payload, format="json")

    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not Deadline.objects.unscoped(reason="test").filter(kind="commitment").exists()


def test_intake_through_the_api_records_its_promises(api, alice, new_case):
    new_case["promises"] = [
        {"code": "feedback_24h"},
        {"promise": "Loan car tomorrow 9:00", "due_at": "2026-03-03T09:00:00+08:00"},
    ]

    response = api.post("/api/v1/complaints/", new_case, format="json")

    assert response.status_code == 201, response.json()
    complaint = Complaint.objects.unscoped(reason="test").get()
    promises = {
        d.promise_code or d.promise: d.due_at
        for d in Deadline.objects.unscoped(reason="test").filter(
            complaint=complaint, kind="commitment"
        )
    }
    assert promises == {
        "feedback_24h": NOW + timedelta(hours=24),
        "Loan car tomorrow 9:00": dt.datetime(2026, 3, 3, 1, 0, tzinfo=dt.UTC),
    }


def test_intake_with_a_promise_without_a_time_is_refused_whole(api, alice, new_case):
    new_case["promises"] = [{"promise": "Call back soon"}]

    response = api.post("/api/v1/complaints/", new_case, format="json")

    assert response.status_code == 400, response.json()
    assert "promises.due_at" in response.json()["errors"]
    assert not Complaint.objects.unscoped(reason="test").exists()


def test_a_contact_without_an_outcome_is_a_400(api, alice, make_complaint):
    case = make_complaint(alice, state=State.FOLLOWING_UP, follow_up_contacts=[])

    response = api.post(url(case, "contacts/"), {"channel": "phone"}, format="json")

    assert response.status_code == 400
    assert "outcome" in response.json()["errors"]
    assert not ContactAttempt.objects.unscoped(reason="test").exists()


def test_an_informed_contact_does_not_allow_confirm_resolved(api, alice, make_complaint):
    case = make_complaint(alice, state=State.FOLLOWING_UP, follow_up_contacts=[])

    logged = api.post(
        url(case, "contacts/"), {"channel": "phone", "outcome": "informed"}, format="json"
    )
    assert logged.status_code == 201 and logged.json()["outcome"] == "informed"

    response = api.post(url(case, "transitions/confirm_resolved/"), {}, format="json")

    assert response.status_code == 400, response.json()
    assert "contact" in response.json()["errors"]
    case.refresh_from_db()
    assert case.state == State.FOLLOWING_UP
