"""The browser application's pages: what each role sees, and what it may not."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from complaints.choices import Severity, State
from complaints.models import Complaint
from tests.factories import CustomerFactory, RepairOrderFactory, VehicleFactory, make_vin

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def case_url(complaint):
    return reverse("complaint_detail", args=[complaint.reference])


# --- log in, header ------------------------------------------------------------------


def test_anonymous_user_is_sent_to_the_login_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_login_page_renders_with_content_security_policy(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert b"<script>" not in response.content


def test_advisor_logs_in_and_sees_their_cases(client, alice, make_complaint):
    mine = make_complaint(alice)
    response = client.post(
        reverse("login"),
        {"username": alice.advisor.username, "password": "correct horse battery staple"},
        follow=True,
    )
    assert response.status_code == 200
    assert mine.reference in response.content.decode()


def test_header_shows_user_dealer_and_language(client, alice):
    body = login(client, alice.advisor).get(reverse("home")).content.decode()
    assert str(alice.advisor) in body
    assert alice.dealer.name in body
    assert "English" in body and "简体中文" in body


def test_language_switch_saves_the_choice_on_the_user(client, alice):
    login(client, alice.advisor)
    response = client.post(reverse("user_language"), {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    alice.advisor.refresh_from_db()
    assert alice.advisor.language == "zh-hans"
    body = client.get(reverse("home")).content.decode()
    assert 'lang="zh-hans"' in body


def test_unknown_language_is_refused_and_nothing_changes(client, alice):
    login(client, alice.advisor)
    client.post(reverse("user_language"), {"language": "xx", "next": "https://evil.example/"})
    alice.advisor.refresh_from_db()
    assert alice.advisor.language == ""


def test_password_change_page(client, alice):
    login(client, alice.advisor)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "correct horse battery staple",
            "new_password1": "a-much-longer-passphrase-42",
            "new_password2": "a-much-longer-passphrase-42",
        },
    )
    assert response.status_code == 302
    alice.advisor.refresh_from_db()
    assert alice.advisor.check_password("a-much-longer-passphrase-42")


def test_user_of_two_dealers_switches_dealer(client, alice, bob, make_complaint):
    from dealers.models import Role
    from tests.factories import MembershipFactory

    MembershipFactory(user=alice.manager, dealer=bob.dealer, role=Role.ADVISOR)
    there = make_complaint(bob, assignee=bob.advisor)
    login(client, alice.manager)
    assert there.reference not in client.get(reverse("home")).content.decode()
    client.post(reverse("switch_dealer"), {"dealer": bob.dealer.pk})
    body = client.get(reverse("home") + "?filtered=1").content.decode()
    assert there.reference in body


def test_switching_to_a_foreign_dealer_is_a_404(client, alice, bob):
    login(client, alice.advisor)
    assert client.post(reverse("switch_dealer"), {"dealer": bob.dealer.pk}).status_code == 404


def test_user_without_dealer_gets_an_explanation(client, stranger):
    response = login(client, stranger).get(reverse("home"))
    assert response.status_code == 403


# --- my cases ------------------------------------------------------------------------


def test_advisor_list_shows_own_open_cases_with_badges(client, alice, make_complaint):
    safety = make_complaint(alice, is_safety_related=True, severity=Severity.SERIOUS)
    closed = make_complaint(alice, state=State.CLOSED)
    colleague = make_complaint(alice, assignee=alice.manager)
    body = login(client, alice.advisor).get(reverse("home")).content.decode()
    assert safety.reference in body
    assert closed.reference not in body
    assert colleague.reference not in body
    assert "badge-safety" in body


def test_case_list_search_by_plate_phone_and_vin(client, alice, make_complaint):
    complaint = make_complaint(alice)
    other = make_complaint(alice)
    login(client, alice.advisor)
    for term in (complaint.vehicle.plate, complaint.customer.phone, complaint.vehicle.vin):
        body = client.get(reverse("home"), {"q": term, "filtered": "1"}).content.decode()
        assert complaint.reference in body
        assert other.reference not in body


def test_case_list_search_finds_phones_and_plates_typed_with_separators(
    client, alice, make_complaint
):
    complaint = make_complaint(alice)
    other = make_complaint(alice)
    phone, plate = complaint.customer.phone, complaint.vehicle.plate
    login(client, alice.advisor)
    for term in (f"{phone[:3]} {phone[3:7]}-{phone[7:]}", f"{plate[:2].lower()}·{plate[2:]}"):
        body = client.get(reverse("home"), {"q": term, "filtered": "1"}).content.decode()
        assert complaint.reference in body
        assert other.reference not in body


def test_case_list_htmx_request_returns_only_the_results(client, alice, make_complaint):
    complaint = make_complaint(alice)
    response = login(client, alice.advisor).get(
        reverse("home"),
        {"q": complaint.reference},
        headers={"HX-Request": "true", "HX-Target": "case-results"},
    )
    body = response.content.decode()
    assert complaint.reference in body
    assert "<nav" not in body


def test_case_list_never_shows_another_dealers_cases(client, alice, bob, make_complaint):
    theirs = make_complaint(bob)
    body = login(client, alice.manager).get(reverse("home"), {"filtered": "1"}).content.decode()
    assert theirs.reference not in body


def test_case_list_filters_ignore_bad_values(client, alice):
    response = login(client, alice.advisor).get(reverse("home"), {"step": "x", "page": "y"})
    assert response.status_code == 200


# --- case page -----------------------------------------------------------------------


def test_case_page_shows_steps_timeline_and_relationship(client, alice, make_complaint):
    complaint = make_complaint(alice, state=State.LISTENING)
    earlier = make_complaint(alice, customer=complaint.customer, vehicle=complaint.vehicle)
    RepairOrderFactory(vehicle=complaint.vehicle, number="RO-4711")
    body = login(client, alice.advisor).get(case_url(complaint)).content.decode()
    assert 'aria-current="step"' in body
    assert "RO-4711" in body
    assert earlier.reference in body
    assert "Repeat complaint" in body
    assert 'data-transition="start_investigation"' in body


def test_case_of_another_dealer_is_a_404(client, alice, bob, make_complaint):
    theirs = make_complaint(bob)
    assert login(client, alice.advisor).get(case_url(theirs)).status_code == 404
    assert login(client, alice.manager).get(case_url(theirs)).status_code == 404


def test_stranger_cannot_open_a_case(client, alice, stranger, make_complaint):
    complaint = make_complaint(alice)
    assert login(client, stranger).get(case_url(complaint)).status_code == 404


def test_regional_staff_read_serious_cases_without_buttons(client, alice, make_complaint):
    serious = make_complaint(alice, severity=Severity.SERIOUS, state=State.LISTENING)
    normal = make_complaint(alice)
    login(client, alice.regional)
    body = client.get(case_url(serious)).content.decode()
    assert serious.reference in body
    assert "data-transition=" not in body
    assert client.get(case_url(normal)).status_code == 404


def transition(client, complaint, name, data=None, version=None):
    payload = {"version": complaint.version if version is None else version, **(data or {})}
    return client.post(reverse("complaint_transition", args=[complaint.reference, name]), payload)


def test_start_listening_moves_the_case_and_says_so(client, alice, make_complaint):
    complaint = make_complaint(alice)
    response = transition(login(client, alice.advisor), complaint, "start_listening")
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == State.LISTENING
    body = client.get(case_url(complaint)).content.decode()
    assert "done" in body


def test_transition_form_errors_show_next_to_fields_and_keep_input(client, alice, make_complaint):
    complaint = make_complaint(alice, state=State.INVESTIGATING)
    response = transition(
        login(client, alice.advisor),
        complaint,
        "record_findings",
        {"root_cause": "Loose heat shield", "fault_finding": ""},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Loose heat shield" in body
    assert "is-invalid" in body
    complaint.refresh_from_db()
    assert complaint.state == State.INVESTIGATING


def test_stale_version_shows_a_friendly_message_and_the_fresh_case(client, alice, make_complaint):
    complaint = make_complaint(alice)
    login(client, alice.advisor)
    stale = complaint.version
    assert transition(client, complaint, "start_listening").status_code == 302
    response = transition(client, complaint, "start_listening", version=stale)
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "Someone else moved this case first" in body
    complaint.refresh_from_db()
    assert complaint.state == State.LISTENING
    assert complaint.events.filter(transition="start_listening").count() == 1


def test_transition_not_available_is_refused_without_change(client, alice, make_complaint):
    complaint = make_complaint(alice)
    response = transition(login(client, alice.advisor), complaint, "close", version="")
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == State.RECEIVED


def test_advisor_cannot_withdraw(client, alice, make_complaint):
    complaint = make_complaint(alice)
    login(client, alice.advisor)
    assert 'data-transition="withdraw"' not in client.get(case_url(complaint)).content.decode()
    transition(client, complaint, "withdraw", {"reason": "Duplicate"})
    complaint.refresh_from_db()
    assert complaint.state == State.RECEIVED


def test_unknown_transition_is_a_404(client, alice, make_complaint):
    complaint = make_complaint(alice)
    assert transition(login(client, alice.advisor), complaint, "explode").status_code == 404


def test_foreign_transition_is_a_404(client, alice, bob, make_complaint):
    theirs = make_complaint(bob)
    response = transition(login(client, alice.manager), theirs, "start_listening")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == State.RECEIVED


def test_decision_form_offers_decide_and_submit_for_approval(client, alice, make_complaint):
    complaint = make_complaint(alice, state=State.ASSESSING)
    body = login(client, alice.advisor).get(case_url(complaint)).content.decode()
    assert 'data-transition="decide"' in body
    assert 'data-transition="submit_for_approval"' in body


def test_escalate_reassign_and_note(client, alice, make_complaint):
    complaint = make_complaint(alice)
    login(client, alice.advisor)
    url = reverse("complaint_escalate", args=[complaint.reference])
    assert client.post(url, {"reason": ""}).status_code == 422
    assert client.post(url, {"reason": "Customer threatens the media"}).status_code == 302
    url = reverse("complaint_note", args=[complaint.reference])
    assert client.post(url, {"comment": "Called the workshop"}).status_code == 302
    url = reverse("complaint_reassign", args=[complaint.reference])
    assert client.post(url, {"assignee": alice.manager.pk}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.escalated
    assert complaint.assignee == alice.manager
    body = client.get(case_url(complaint)).content.decode()
    assert "Called the workshop" in body


def test_the_advisor_hands_the_work_to_a_supplier_and_confirms_the_customer_was_told(
    client, alice, make_complaint
):
    complaint = make_complaint(alice, state=State.RESOLVING)
    login(client, alice.advisor)
    url = reverse("complaint_supplier", args=[complaint.reference])
    assert url in client.get(case_url(complaint)).content.decode()

    response = client.post(url, {"supplier": "", "reason": ""})
    assert response.status_code == 422
    assert "Name the outside supplier the work goes to." in response.content.decode()
    response = client.post(url, {"supplier": "Jade Body Shop", "reason": "Repaint the door"})
    assert response.status_code == 302
    body = client.get(case_url(complaint)).content.decode()
    assert "The work is now with Jade Body Shop. Tell the customer." in body
    assert '<strong class="case-supplier">Jade Body Shop</strong>' in body
    assert "You handed the work to Jade Body Shop" in body
    check = complaint.deadlines.get(kind="transfer_check")
    assert reverse("transfer_check_confirm", args=[check.pk]) in body

    assert client.post(url, {"supplier": ""}).status_code == 302
    body = client.get(case_url(complaint)).content.decode()
    assert "The work is back with the dealer." in body
    assert 'class="case-supplier"' not in body
    complaint.refresh_from_db()
    assert complaint.supplier == ""


def test_only_the_owner_or_a_manager_hands_the_work_to_a_supplier(
    client, alice, bob, make_complaint
):
    complaint = make_complaint(alice, state=State.RESOLVING, assignee=alice.manager)
    url = reverse("complaint_supplier", args=[complaint.reference])
    response = login(client, alice.advisor).post(url, {"supplier": "Jade Body Shop"})
    assert response.status_code == 302
    assert "Only the case&#x27;s owner or a manager may hand it over." in (
        client.get(case_url(complaint)).content.decode()
    )
    assert login(client, bob.manager).post(url, {"supplier": "X"}).status_code == 404
    complaint.refresh_from_db()
    assert complaint.supplier == ""


def test_reassign_to_a_foreign_user_is_refused(client, alice, bob, make_complaint):
    complaint = make_complaint(alice)
    login(client, alice.advisor)
    url = reverse("complaint_reassign", args=[complaint.reference])
    response = client.post(url, {"assignee": bob.advisor.pk})
    assert response.status_code == 422
    complaint.refresh_from_db()
    assert complaint.assignee == alice.advisor


# --- intake --------------------------------------------------------------------------


def intake_data(**overrides):
    data = {
        "pick": "",
        "new_name": "Li Lei",
        "new_phone": "13900001111",
        "new_email": "",
        "new_preferred_channel": "phone",
        "vin": "",
        "model": "",
        "plate": "",
        "channel": "walk_in",
        "category": "workmanship",
        "component": "brakes",
        "is_safety_related": "on",
        "description": "The brakes squeal since the last service.",
        "customer_request": "Fix it today.",
    }
    data.update(overrides)
    return data


def test_intake_creates_customer_vehicle_and_case(client, alice):
    vin = make_vin()
    login(client, alice.advisor)
    response = client.post(
        reverse("complaint_new"), intake_data(vin=vin.lower(), model="RAV4", plate="沪A12345")
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert response["Location"] == case_url(complaint)
    assert complaint.customer.name == "Li Lei"
    assert complaint.vehicle.vin == vin
    assert complaint.is_safety_related
    assert complaint.assignee == alice.advisor


def test_intake_for_an_existing_customer_and_vehicle(client, alice, customer, vehicle):
    login(client, alice.advisor)
    response = client.post(
        reverse("complaint_new"),
        intake_data(pick=f"{customer.pk}:{vehicle.pk}", new_name="", new_phone=""),
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.customer, complaint.vehicle) == (customer, vehicle)


def test_intake_errors_keep_the_input(client, alice):
    login(client, alice.advisor)
    response = client.post(
        reverse("complaint_new"), intake_data(new_name="", vin="ABC", description="")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "is-invalid" in body
    assert "13900001111" in body
    assert "A VIN has exactly 17 characters; this one has 3." in body
    assert not Complaint.objects.exists()


def test_intake_cannot_pick_another_dealers_customer(client, alice, bob):
    theirs = CustomerFactory(dealer=bob.dealer)
    login(client, alice.advisor)
    response = client.post(reverse("complaint_new"), intake_data(pick=f"{theirs.pk}:", new_name=""))
    assert response.status_code == 200
    assert "Pick the customer again." in response.content.decode()
    assert not Complaint.objects.exists()


def test_intake_refuses_a_vin_of_another_customer(client, alice):
    other = VehicleFactory(dealer=alice.dealer)
    login(client, alice.advisor)
    response = client.post(reverse("complaint_new"), intake_data(vin=other.vin))
    assert response.status_code == 200
    assert not Complaint.objects.exists()


def test_regional_staff_cannot_log_a_complaint(client, alice):
    login(client, alice.regional)
    assert client.get(reverse("complaint_new")).status_code == 404


def test_customer_search_finds_by_phone_plate_and_vin(client, alice, customer, vehicle):
    login(client, alice.advisor)
    for term in (customer.phone[-6:], vehicle.plate, vehicle.vin[-8:].lower(), "Wang"):
        body = client.get(reverse("customer_search"), {"q": term}).content.decode()
        assert f'value="{customer.pk}:{vehicle.pk}"' in body, term


def test_customer_search_never_shows_another_dealers_customers(client, alice, bob):
    CustomerFactory(dealer=bob.dealer, name="Zhao Secret")
    body = login(client, alice.advisor).get(reverse("customer_search"), {"q": "Zhao"})
    assert "Zhao Secret" not in body.content.decode()


# --- manager pages -------------------------------------------------------------------


def test_approval_queue_hides_approve_on_own_submission(client, alice, make_complaint):
    own = make_complaint(
        alice, state=State.AWAITING_APPROVAL, submitted_by=alice.manager, severity="serious"
    )
    other = make_complaint(
        alice,
        state=State.AWAITING_APPROVAL,
        submitted_by=alice.advisor,
        compensation_amount=Decimal("5000"),
    )
    body = login(client, alice.manager).get(reverse("approval_queue")).content.decode()
    assert own.reference in body and other.reference in body
    assert reverse("complaint_transition", args=[other.reference, "approve"]) in body
    assert reverse("complaint_transition", args=[own.reference, "approve"]) not in body
    assert reverse("complaint_transition", args=[own.reference, "reject"]) in body


def test_manager_approves_from_the_queue(client, alice, make_complaint):
    complaint = make_complaint(alice, state=State.AWAITING_APPROVAL, submitted_by=alice.advisor)
    login(client, alice.manager)
    response = client.post(
        reverse("complaint_transition", args=[complaint.reference, "approve"]),
        {"version": complaint.version, "next": reverse("approval_queue"), "comment": "OK"},
    )
    assert response["Location"] == reverse("approval_queue")
    complaint.refresh_from_db()
    assert complaint.state == State.RESOLVING
    assert complaint.approved_by == alice.manager


def test_advisor_has_no_manager_pages(client, alice):
    login(client, alice.advisor)
    assert client.get(reverse("approval_queue")).status_code == 404
    assert client.get(reverse("overdue_board")).status_code == 404
    assert client.get(reverse("dealer_overview")).status_code == 404


def test_dealer_overview_counts_for_manager_and_regional(client, alice, bob, make_complaint):
    make_complaint(alice, is_safety_related=True, severity=Severity.SERIOUS)
    make_complaint(alice, state=State.RESOLVING)
    make_complaint(bob, is_safety_related=True)
    for user in (alice.manager, alice.regional):
        response = login(client, user).get(reverse("dealer_overview"))
        assert response.status_code == 200
        assert response.context["stats"]["safety"] == 1
        assert 'id="overview-data"' in response.content.decode()


def test_overdue_board_renders_and_refreshes_as_fragment(client, alice):
    login(client, alice.manager)
    page = client.get(reverse("overdue_board"))
    assert page.status_code == 200
    assert 'hx-trigger="every 30s"' in page.content.decode()
    fragment = client.get(reverse("overdue_board"), headers={"HX-Request": "true"})
    assert "<nav" not in fragment.content.decode()


# --- deadlines, contacts, promises, notifications --------------------------------------


def test_intake_promise_becomes_a_deadline_shown_on_the_case(client, alice):
    login(client, alice.advisor)
    response = client.post(reverse("complaint_new"), intake_data(promises=["callback_20m"]))
    complaint = Complaint.objects.get()
    body = client.get(response["Location"]).content.decode()
    assert "Call back within 20 minutes" in body
    assert complaint.deadlines.filter(kind="commitment").count() == 1


def test_promise_is_marked_kept(client, alice, make_complaint):
    complaint = make_complaint(alice)
    login(client, alice.advisor)
    url = reverse("promise_create", args=[complaint.reference])
    assert client.post(url, {"promise-code": "feedback_2d"}).status_code == 302
    deadline = complaint.deadlines.get(kind="commitment")
    response = client.post(reverse("promise_keep", args=[deadline.pk]))
    assert response.status_code == 302
    deadline.refresh_from_db()
    assert deadline.satisfied_at is not None


def test_contact_is_recorded_and_bad_outcome_refused(client, alice, make_complaint):
    complaint = make_complaint(alice, state=State.FOLLOWING_UP)
    login(client, alice.advisor)
    url = reverse("contact_create", args=[complaint.reference])
    bad = client.post(url, {"contact-channel": "phone", "contact-outcome": "thrilled"})
    assert bad.status_code == 422
    good = client.post(
        url,
        {"contact-channel": "phone", "contact-outcome": "satisfied", "contact-note": "All good"},
    )
    assert good.status_code == 302
    assert "All good" in client.get(case_url(complaint)).content.decode()


def test_foreign_contact_and_promise_are_404(client, alice, bob, make_complaint):
    theirs = make_complaint(bob)
    login(client, alice.advisor)
    url = reverse("contact_create", args=[theirs.reference])
    assert client.post(url, {"contact-channel": "phone"}).status_code == 404
    url = reverse("promise_create", args=[theirs.reference])
    assert client.post(url, {"promise-code": "feedback_2d"}).status_code == 404


def test_notifications_page_lists_and_marks_read(client, alice):
    login(client, alice.manager)
    assert client.get(reverse("notifications")).status_code == 200
    response = client.post(reverse("notifications_read"))
    assert response.status_code == 302


def test_case_times_show_in_the_dealers_time_zone(client, alice, make_complaint):
    import datetime as dt

    import time_machine

    alice.dealer.timezone = "Europe/Berlin"
    alice.dealer.save(update_fields=["timezone"])
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC), tick=False):
        complaint = make_complaint(alice)
    body = login(client, alice.advisor).get(case_url(complaint)).content.decode()
    assert "2026-03-02 10:30" in body  # 09:30 UTC is 10:30 in Berlin in winter


def test_pages_load_assets_only_from_static(client, alice):
    import re

    login(client, alice.manager)
    for name in ("home", "complaint_new", "approval_queue", "dealer_overview", "overdue_board"):
        body = client.get(reverse(name)).content.decode()
        sources = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', body)
        assert sources, name
        assert all(source.startswith("/static/") for source in sources), sources
        assert "<script>" not in body and " style=" not in body
