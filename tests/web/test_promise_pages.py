"""Promises and contacts in the browser: a promise in the customer's words and time at
intake and on the case page, kept and broken promises said so, and a contact whose outcome
must be chosen."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from complaints.choices import State
from complaints.models import Complaint
from followups import services
from followups.models import ContactAttempt, Deadline

from .test_pages import intake_data

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


def login(client, user, language="en"):
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


def case_url(complaint):
    return reverse("complaint_detail", args=[complaint.reference])


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# --- intake ---------------------------------------------------------------------------------


def test_intake_records_a_promise_in_the_customers_words_due_at_the_dealers_local_time(
    client, alice, clock
):
    login(client, alice.advisor)
    response = client.post(
        reverse("complaint_new"),
        intake_data(
            promises=["callback_20m"],
            promise_words="Parts arrive Friday 10:00",
            promise_due_at="2026-03-06T10:00",
        ),
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    promises = {
        d.promise_code or d.promise: d for d in complaint.deadlines.filter(kind="commitment")
    }
    assert set(promises) == {"callback_20m", "Parts arrive Friday 10:00"}
    # Typed as Shanghai's wall-clock time (UTC+8), whatever the server's zone.
    assert promises["Parts arrive Friday 10:00"].due_at == dt.datetime(
        2026, 3, 6, 2, 0, tzinfo=dt.UTC
    )
    assert promises["callback_20m"].due_at == NOW + timedelta(minutes=20)
    page = client.get(case_url(complaint)).content.decode()
    assert "“Parts arrive Friday 10:00”" in page and "“Call back within 20 minutes”" in page


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"promise_words": "Call back within 30 minutes"}, "promise_due_at"),
        ({"promise_due_at": "2026-03-02T09:30"}, "promise_words"),
        ({"promise_words": "Call back", "promise_due_at": "2026-03-01T09:30"}, "promise_due_at"),
    ],
)
def test_intake_refuses_words_without_a_time_a_time_without_words_or_a_past_time(
    fields, field, client, alice, clock
):
    login(client, alice.advisor)
    response = client.post(reverse("complaint_new"), intake_data(**fields))
    assert response.status_code in (200, 422)
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Complaint.objects.exists()


# --- the case page --------------------------------------------------------------------------


def test_a_promise_in_the_customers_words_is_made_on_the_case_page(
    client, alice, make_complaint, clock
):
    complaint = make_complaint(alice, state=State.RESOLVING)
    login(client, alice.advisor)
    response = client.post(
        reverse("promise_create", args=[complaint.reference]),
        {"promise-promise": "Call back within 30 minutes", "promise-due_at": "2026-03-02T09:30"},
    )
    assert response.status_code == 302
    deadline = complaint.deadlines.get(kind="commitment")
    assert deadline.promise == "Call back within 30 minutes" and deadline.promise_code == ""
    assert deadline.due_at == NOW + timedelta(minutes=30)
    # Warned at 80 % of its time: 24 minutes after it was made.
    assert deadline.remind_at == NOW + timedelta(minutes=24)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "code", "Pick a quick promise, or write down what was promised and when."),
        ({"promise-promise": "Call back soon"}, "due_at", "Say when it is due."),
        (
            {"promise-code": "callback_2h", "promise-promise": "Call back soon"},
            "promise",
            "not both",
        ),
        (
            {"promise-promise": "Call back", "promise-due_at": "2026-03-02T08:00"},
            "due_at",
            "A promise must be due in the future.",
        ),
    ],
)
def test_a_promise_without_its_parts_is_refused_next_to_the_field(
    data, field, message, client, alice, make_complaint, clock
):
    complaint = make_complaint(alice, state=State.RESOLVING)
    login(client, alice.advisor)
    response = client.post(reverse("promise_create", args=[complaint.reference]), data)
    assert response.status_code == 422
    body = response.content.decode()
    assert f'id="id_promise-{field}_error"' in body and message in body
    assert not complaint.deadlines.filter(kind="commitment").exists()


def test_a_quick_promise_made_by_a_chinese_advisor_reads_in_english_for_a_manager(
    client, alice, make_complaint, clock
):
    complaint = make_complaint(alice, state=State.RESOLVING)
    login(client, alice.advisor, "zh-hans")
    url = reverse("promise_create", args=[complaint.reference])
    assert client.post(url, {"promise-code": "callback_2h"}).status_code == 302
    assert "“2 小时内回电”" in client.get(case_url(complaint)).content.decode()
    login(client, alice.manager, "en")
    page = client.get(case_url(complaint)).content.decode()
    assert "“Call back within 2 hours”" in page and "小时内回电" not in page


def test_the_case_page_says_which_promises_are_kept_broken_and_open(
    client, alice, make_complaint, clock
):
    complaint = make_complaint(alice, state=State.RESOLVING)
    kept = services.commitment_create(complaint=complaint, actor=alice.advisor, code="callback_2h")
    services.commitment_keep(deadline=kept, actor=alice.advisor)
    services.commitment_create(
        complaint=complaint,
        actor=alice.advisor,
        promise="Loan car",
        due_at=NOW + timedelta(hours=1),
    )
    broken = services.commitment_create(
        complaint=complaint, actor=alice.advisor, promise="Quote", due_at=NOW + timedelta(hours=1)
    )
    Deadline.objects.filter(pk=broken.pk).update(breached_at=NOW + timedelta(hours=1))
    login(client, alice.advisor)
    page = client.get(case_url(complaint)).content.decode()
    assert "promise-status promise-kept" in page and "Promise kept" in page
    assert "promise-status promise-broken" in page and "Promise broken" in page
    assert "promise-status promise-open" in page
    # The timeline says it too.
    assert "Promise kept: “Call back within 2 hours”" in page
    # Why a deadline was met, in the reader's language.
    assert '<span class="deadline-outcome">Promise kept</span>' in page


# --- contacts -------------------------------------------------------------------------------


def test_the_contact_form_has_no_outcome_chosen(client, alice, make_complaint):
    complaint = make_complaint(alice, state=State.FOLLOWING_UP, follow_up_contacts=[])
    login(client, alice.advisor)
    page = client.get(case_url(complaint)).content.decode()
    form = page[page.index('id="contact-form"') :]
    form = form[: form.index("</form>")]
    outcome = form[form.index('name="contact-outcome"') :]
    outcome = outcome[: outcome.index("</select>")]
    assert 'value="" selected' in outcome
    assert 'value="satisfied" selected' not in outcome
    assert 'value="informed"' in outcome and "Reached, informed of progress" in outcome


def test_a_contact_without_an_outcome_is_refused_with_a_clear_error(client, alice, make_complaint):
    complaint = make_complaint(alice, state=State.FOLLOWING_UP, follow_up_contacts=[])
    login(client, alice.advisor)
    response = client.post(
        reverse("contact_create", args=[complaint.reference]),
        {"contact-channel": "phone", "contact-note": "Quick call"},
    )
    assert response.status_code == 422
    assert "Choose what came of the contact." in response.content.decode()
    assert not ContactAttempt.objects.exists()


def test_a_contact_informing_of_progress_does_not_confirm_resolved(client, alice, make_complaint):
    complaint = make_complaint(alice, state=State.FOLLOWING_UP, follow_up_contacts=[])
    login(client, alice.advisor)
    response = client.post(
        reverse("contact_create", args=[complaint.reference]),
        {"contact-channel": "phone", "contact-outcome": "informed"},
    )
    assert response.status_code == 302
    page = client.get(case_url(complaint)).content.decode()
    assert "Reached, informed of progress" in page
    response = client.post(
        reverse("complaint_transition", args=[complaint.reference, "confirm_resolved"]),
        {"version": complaint.version},
    )
    assert response.status_code == 422
    assert "customer said they are satisfied" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.state == State.FOLLOWING_UP
