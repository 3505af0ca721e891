"""The follow-up parts of the browser application: a dealer's deadline rules, the promised
repair completion and the hand-over check on the case page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from complaints.choices import Severity, State
from complaints.services import complaint_reassign
from dealers.models import Role
from followups.deadlines import deadline_open
from followups.models import Deadline, DeadlineRule
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

RULES = reverse("deadline_rules")
NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)  # 10:30 in Berlin, 17:30 in Shanghai


def login(client, user):
    client.force_login(user)
    return client


def case_url(complaint):
    return reverse("complaint_detail", args=[complaint.reference])


def save_rule(client, kind, **values):
    data = {f"{kind}-{name}": value for name, value in values.items()}
    return client.post(reverse("deadline_rule_save", args=[kind]), data)


def field_error(body: str, html_id: str) -> str:
    match = re.search(rf'id="{html_id}_error">([^<]*)<', body)
    return match.group(1) if match else ""


# --- deadline rules -------------------------------------------------------------------


def test_manager_sees_each_rule_made_kind_with_default_and_override(client, alice):
    DeadlineRule.objects.create(dealer=alice.dealer, kind="first_response", hours=12)
    response = login(client, alice.manager).get(RULES)
    assert response.status_code == 200
    body = response.content.decode()
    kinds = re.findall(r'data-kind="([a-z_]+)"', body)
    assert kinds == [
        "first_response",
        "approval",
        "repair_completion",
        "interim_report",
        "follow_up",
        "transfer_check",
        "parts_arrival",
        "corrective_action",
        "reflection_report",
    ]
    first = body[body.index('id="rule-first_response"') : body.index('id="rule-approval"')]
    assert "24 hours" in first and "12 hours" in first
    assert 'value="12"' in first
    follow_up = body[body.index('id="rule-follow_up"') : body.index('id="rule-transfer_check"')]
    assert "72 hours" in follow_up and "24 hours when safety-related" in follow_up
    repair = body[body.index('id="rule-repair_completion"') : body.index('id="rule-interim')]
    assert "reminder 4 hours before" in repair
    # A dealer may warn earlier (or later) of a late emergency part.
    parts = body[body.index('id="rule-parts_arrival"') :]
    assert "reminder 24 hours before" in parts


def test_manager_navigation_links_the_rules_page(client, alice):
    assert f'href="{RULES}"' in login(client, alice.manager).get(reverse("home")).content.decode()
    assert (
        f'href="{RULES}"' not in login(client, alice.advisor).get(reverse("home")).content.decode()
    )


def test_manager_shortens_the_first_response_and_sees_it_saved(client, alice):
    login(client, alice.manager)
    response = save_rule(client, "first_response", hours="12")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "are saved" in page
    rule = DeadlineRule.objects.get(dealer=alice.dealer, kind="first_response")
    assert rule.hours == 12


def test_lengthening_a_firm_rule_is_refused_next_to_the_field(client, alice):
    login(client, alice.manager)
    response = save_rule(client, "follow_up", hours="96", safety_hours="12")
    assert response.status_code == 422
    body = response.content.decode()
    assert "at most 72 hours" in field_error(body, "id_follow_up-hours")
    assert field_error(body, "id_follow_up-safety_hours") == ""
    assert 'value="96"' in body  # what was typed stays
    assert not DeadlineRule.objects.exists()


def test_other_rules_may_be_relaxed_as_well_as_tightened(client, alice):
    login(client, alice.manager)
    assert save_rule(client, "approval", hours="12").status_code == 302
    assert save_rule(client, "repair_completion", remind_before_hours="8").status_code == 302
    assert DeadlineRule.objects.get(kind="approval").hours == 12
    assert DeadlineRule.objects.get(kind="repair_completion").remind_before_hours == 8


@pytest.mark.parametrize("value", ["0", "-3", "abc", "1.5", "721"])
def test_impossible_hours_are_refused_and_change_nothing(client, alice, value):
    DeadlineRule.objects.create(dealer=alice.dealer, kind="approval", hours=6)
    login(client, alice.manager)
    response = save_rule(client, "approval", hours=value)
    assert response.status_code == 422
    assert field_error(response.content.decode(), "id_approval-hours")
    assert DeadlineRule.objects.get(kind="approval").hours == 6


def test_emptied_fields_bring_back_the_default(client, alice):
    DeadlineRule.objects.create(dealer=alice.dealer, kind="approval", hours=6)
    login(client, alice.manager)
    assert save_rule(client, "approval", hours="").status_code == 302
    body = client.get(RULES).content.decode()
    approval = body[body.index('id="rule-approval"') : body.index('id="rule-repair_completion"')]
    assert "own limit" not in approval
    assert "the default" in approval


def test_a_promise_kind_or_unknown_kind_has_no_rule_page(client, alice):
    login(client, alice.manager)
    assert save_rule(client, "commitment", hours="5").status_code == 404
    assert save_rule(client, "bogus", hours="5").status_code == 404
    assert not DeadlineRule.objects.exists()


@pytest.mark.parametrize("who", ["advisor", "regional"])
def test_advisors_and_regional_staff_cannot_see_or_change_rules(client, alice, who):
    login(client, getattr(alice, who))
    assert client.get(RULES).status_code == 404
    assert save_rule(client, "first_response", hours="12").status_code == 404
    assert not DeadlineRule.objects.exists()


def test_stranger_cannot_see_or_change_rules(client, stranger):
    login(client, stranger)
    assert client.get(RULES).status_code == 404
    assert save_rule(client, "first_response", hours="12").status_code == 404


def test_another_dealers_manager_sees_and_changes_only_their_own(client, alice, bob):
    DeadlineRule.objects.create(dealer=alice.dealer, kind="approval", hours=3)
    login(client, bob.manager)
    assert 'value="3"' not in client.get(RULES).content.decode()
    assert save_rule(client, "approval", hours="5").status_code == 302
    assert DeadlineRule.objects.get(dealer=alice.dealer, kind="approval").hours == 3
    assert DeadlineRule.objects.get(dealer=bob.dealer, kind="approval").hours == 5
    # Cannot pick the other dealer at all.
    assert client.post(reverse("switch_dealer"), {"dealer": alice.dealer.pk}).status_code == 404


def test_a_manager_elsewhere_who_only_advises_here_gets_404(client, alice, bob):
    MembershipFactory(user=bob.manager, dealer=alice.dealer, role=Role.ADVISOR)
    login(client, bob.manager)
    client.post(reverse("switch_dealer"), {"dealer": alice.dealer.pk})
    assert client.get(RULES).status_code == 404
    assert save_rule(client, "approval", hours="5").status_code == 404
    assert not DeadlineRule.objects.filter(dealer=alice.dealer).exists()


# --- promised repair completion -------------------------------------------------------


def repair_url(complaint):
    return reverse("repair_promise_set", args=[complaint.reference])


@pytest.fixture
def berlin(alice):
    alice.dealer.timezone = "Europe/Berlin"
    alice.dealer.save(update_fields=["timezone"])
    return alice


def test_repair_date_form_is_offered_while_resolving_only(client, alice, make_complaint):
    resolving = make_complaint(alice, state=State.RESOLVING)
    listening = make_complaint(alice, state=State.LISTENING)
    login(client, alice.advisor)
    body = client.get(case_url(resolving)).content.decode()
    assert 'id="repair-promise-form"' in body
    assert "Europe/Berlin" not in body and "Asia/Shanghai" in body  # the dealer's zone, named
    assert 'id="repair-promise-form"' not in client.get(case_url(listening)).content.decode()


def test_regional_staff_see_no_repair_date_form(client, alice, make_complaint):
    complaint = make_complaint(alice, state=State.RESOLVING, severity=Severity.SERIOUS)
    body = login(client, alice.regional).get(case_url(complaint)).content.decode()
    assert 'id="repair-promise-form"' not in body


def test_repair_date_is_read_in_the_dealers_time_zone_and_listed(client, berlin, make_complaint):
    with time_machine.travel(NOW, tick=False):
        complaint = make_complaint(berlin, state=State.RESOLVING)
        login(client, berlin.advisor)
        response = client.post(repair_url(complaint), {"repair-due_at": "2026-03-05T17:00"})
        assert response.status_code == 302
        body = client.get(response["Location"]).content.decode()
    deadline = Deadline.objects.get(complaint=complaint, kind="repair_completion")
    assert deadline.due_at == dt.datetime(2026, 3, 5, 16, 0, tzinfo=dt.UTC)
    assert "The promised repair completion is recorded" in body
    deadlines = body[body.index('class="list-group list-group-flush deadlines"') :]
    deadlines = deadlines[: deadlines.index("</ul>")]
    assert "Promised repair completion" in deadlines
    assert "03-05 17:00" in deadlines
    assert 'value="2026-03-05T17:00"' in body  # the form shows the promise in force
    assert "Change the promised repair completion" in body


def test_a_new_repair_date_replaces_the_earlier_one(client, alice, make_complaint):
    with time_machine.travel(NOW, tick=False):
        complaint = make_complaint(alice, state=State.RESOLVING)
        login(client, alice.advisor)
        client.post(repair_url(complaint), {"repair-due_at": "2026-03-05T17:00"})
        client.post(repair_url(complaint), {"repair-due_at": "2026-03-06T12:00"})
    open_repairs = Deadline.objects.filter(
        complaint=complaint, kind="repair_completion", satisfied_at=None
    )
    assert [d.due_at for d in open_repairs] == [dt.datetime(2026, 3, 6, 4, 0, tzinfo=dt.UTC)]


def test_repair_date_in_the_past_is_refused_next_to_the_field(client, berlin, make_complaint):
    with time_machine.travel(NOW, tick=False):
        complaint = make_complaint(berlin, state=State.RESOLVING)
        login(client, berlin.advisor)
        # 10:00 in Berlin is half an hour ago.
        response = client.post(repair_url(complaint), {"repair-due_at": "2026-03-02T10:00"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "must be due in the future" in field_error(body, "id_repair-due_at")
    assert 'value="2026-03-02T10:00"' in body
    assert not Deadline.objects.filter(kind="repair_completion").exists()


@pytest.mark.parametrize("value", ["", "tomorrow", "2026-02-30T10:00"])
def test_unreadable_repair_date_is_refused(client, alice, make_complaint, value):
    complaint = make_complaint(alice, state=State.RESOLVING)
    login(client, alice.advisor)
    response = client.post(repair_url(complaint), {"repair-due_at": value})
    assert response.status_code == 422
    assert field_error(response.content.decode(), "id_repair-due_at")
    assert not Deadline.objects.filter(kind="repair_completion").exists()


def test_repair_date_outside_the_repair_steps_is_refused_with_a_message(
    client, alice, make_complaint
):
    complaint = make_complaint(alice, state=State.LISTENING)
    login(client, alice.advisor)
    response = client.post(repair_url(complaint), {"repair-due_at": "2030-01-01T10:00"})
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "A repair date can be promised while assessing or resolving" in body
    assert not Deadline.objects.filter(kind="repair_completion").exists()


def test_regional_staff_and_other_dealers_cannot_set_a_repair_date(
    client, alice, bob, make_complaint
):
    complaint = make_complaint(alice, state=State.RESOLVING, severity=Severity.SERIOUS)
    login(client, alice.regional)
    response = client.post(repair_url(complaint), {"repair-due_at": "2030-01-01T10:00"})
    assert response.status_code in (302, 404)
    login(client, bob.advisor)
    response = client.post(repair_url(complaint), {"repair-due_at": "2030-01-01T10:00"})
    assert response.status_code == 404
    assert not Deadline.objects.filter(kind="repair_completion").exists()


# --- hand-over check ------------------------------------------------------------------

BUTTON = "Customer informed of the hand-over"


@pytest.fixture
def handed_over(alice, make_complaint):
    """A case its advisor handed over to the second manager: the advisor owes the check."""
    complaint = make_complaint(alice, state=State.INVESTIGATING)
    complaint_reassign(complaint=complaint, actor=alice.advisor, assignee=alice.manager2)
    check = Deadline.objects.get(complaint=complaint, kind="transfer_check")
    assert check.owner == alice.advisor
    return complaint, check


def test_previous_owner_confirms_the_customer_was_informed(client, alice, handed_over):
    complaint, check = handed_over
    login(client, alice.advisor)
    body = client.get(case_url(complaint)).content.decode()
    assert BUTTON in body
    assert reverse("transfer_check_confirm", args=[check.pk]) in body
    response = client.post(reverse("transfer_check_confirm", args=[check.pk]))
    assert response.status_code == 302
    assert response["Location"] == case_url(complaint)
    body = client.get(case_url(complaint)).content.decode()
    assert "The hand-over is confirmed" in body
    assert BUTTON not in body
    check.refresh_from_db()
    assert check.satisfied_at is not None
    assert complaint.events.filter(kind="deadline").exists()


def test_only_the_one_who_owes_the_check_sees_the_button(client, alice, handed_over):
    complaint, _check = handed_over
    for user in (alice.manager2, alice.manager):
        assert BUTTON not in login(client, user).get(case_url(complaint)).content.decode()


def test_a_colleague_who_does_not_owe_the_check_cannot_confirm_it(client, alice, handed_over):
    complaint, check = handed_over
    colleague = UserFactory(username="sh01_advisor2")
    MembershipFactory(user=colleague, dealer=alice.dealer, role=Role.ADVISOR)
    login(client, colleague)
    response = client.post(reverse("transfer_check_confirm", args=[check.pk]))
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "Only the previous owner or a manager confirms a hand-over." in body
    check.refresh_from_db()
    assert check.satisfied_at is None


def test_confirming_twice_says_it_is_already_closed(client, alice, handed_over):
    _complaint, check = handed_over
    login(client, alice.advisor)
    url = reverse("transfer_check_confirm", args=[check.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert "This check is already closed." in response.content.decode()


def test_other_dealers_and_other_deadlines_are_404(client, alice, bob, handed_over):
    complaint, check = handed_over
    login(client, bob.manager)
    assert client.post(reverse("transfer_check_confirm", args=[check.pk])).status_code == 404
    promise = deadline_open(
        complaint=complaint,
        kind="commitment",
        due_at=timezone.now() + dt.timedelta(hours=1),
        rule="promise",
        promise="Call back",
        owner=alice.advisor,
    )
    login(client, alice.advisor)
    assert client.post(reverse("transfer_check_confirm", args=[promise.pk])).status_code == 404
    check.refresh_from_db()
    promise.refresh_from_db()
    assert check.satisfied_at is None and promise.satisfied_at is None
