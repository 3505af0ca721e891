"""The close transition writes step 7's review (000, 001, 003)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from complaints.choices import EventKind, State
from core.exceptions import PermissionDenied, ValidationFailed
from core.models import AuditEntry
from followups.models import Deadline
from learning.models import CaseReview, CorrectiveAction, ReflectionReport, RootCauseCategory

from .conftest import review

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_closing_writes_the_review_with_each_cause_and_its_action(alice, close_case, clock):
    lines = [
        {
            "cause": "Noise not reproduced",
            "action": "Test drive with the customer",
            "due": "2026-03-05",
        },
        {
            "cause": "No call-back",
            "action": "Call-back within 24 h in the checklist",
            "owner": alice.manager2.pk,
            "due": "2026-03-10",
        },
    ]
    complaint = close_case(data=review(lines=lines))

    assert complaint.state == State.CLOSED
    written = CaseReview.objects.get(complaint=complaint)
    assert written.root_cause_category.code == "workmanship"
    assert written.cause_lies_with == "system" and written.handled_well is False
    assert written.created_by == alice.manager
    actions = list(CorrectiveAction.objects.filter(review=written).order_by("position"))
    assert [(a.cause, a.owner) for a in actions] == [
        ("Noise not reproduced", alice.advisor),  # nobody named: the case's advisor
        ("No call-back", alice.manager2),
    ]
    assert actions[0].due_at == datetime(2026, 3, 5, 18, 0, tzinfo=SHANGHAI)
    assert all(a.state == "open" for a in actions)
    # Each action is tracked by a deadline owned by its owner, reminded a day before.
    for action in actions:
        deadline = action.deadline
        assert deadline.kind == "corrective_action" and deadline.is_open
        assert deadline.owner == action.owner and deadline.due_at == action.due_at
        assert deadline.remind_at == action.due_at - later_day()
    assert AuditEntry.objects.filter(action="case_review.written", object_id=str(complaint.pk))
    close_event = complaint.events.get(kind=EventKind.TRANSITION, transition="close")
    assert close_event.payload["root_cause_category"] == "workmanship"


def later_day():
    from datetime import timedelta

    return timedelta(hours=24)


def test_a_dealer_starts_with_the_default_root_causes_in_the_readers_language(
    alice, close_case, clock
):
    close_case()
    codes = set(
        RootCauseCategory.objects.filter(dealer=alice.dealer).values_list("code", flat=True)
    )
    assert {
        "diagnosis",
        "workmanship",
        "parts_supply",
        "communication",
        "process",
        "product_defect",
        "customer_use",
        "other",
    } <= codes
    from django.utils import translation

    category = RootCauseCategory.objects.get(dealer=alice.dealer, code="parts_supply")
    with translation.override("en"):
        assert category.display == "Parts supply"
    with translation.override("zh-hans"):
        assert category.display != "Parts supply"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"corrective_actions": []}, "corrective_actions"),
        ({"root_cause_category": "astrology"}, "root_cause_category"),
        ({"cause_lies_with": "fate"}, "cause_lies_with"),
        ({"handled_well": None}, "handled_well"),
        (
            {"corrective_actions": [{"cause": "x", "action": "", "due": "2026-03-05"}]},
            "corrective_actions",
        ),
        (
            {"corrective_actions": [{"cause": "x", "action": "y", "due": "2020-01-01"}]},
            "corrective_actions",
        ),
        ({"corrective_actions": [{"cause": "x", "action": "y"}]}, "corrective_actions"),
        ({"corrective_actions": "fix it"}, "corrective_actions"),
    ],
)
def test_an_incomplete_review_is_refused_and_the_case_stays_open(
    change, field, alice, close_case, clock
):
    with pytest.raises(ValidationFailed) as refused:
        close_case(data={**review(), **change})
    assert refused.value.field_errors.get(field)
    assert not CaseReview.objects.exists() and not CorrectiveAction.objects.exists()
    assert not Deadline.objects.filter(kind="corrective_action").exists()


def test_an_action_cannot_be_owned_by_another_dealers_staff(alice, bob, close_case, clock):
    with pytest.raises(ValidationFailed) as refused:
        close_case(data=review(owner=bob.advisor))
    assert "corrective_actions" in refused.value.field_errors


def test_advisor_cannot_close_and_write_the_review(alice, close_case, clock):
    with pytest.raises(PermissionDenied):
        close_case(actor=alice.advisor)
    assert not CaseReview.objects.exists()


def test_a_required_reflection_report_becomes_the_advisors_deadline(alice, close_case, clock):
    complaint = close_case(data=review(reflection_required=True, reflection_due="2026-03-09"))
    report = ReflectionReport.objects.get(complaint=complaint)
    assert report.author == alice.advisor and report.state == "required"
    assert report.deadline.kind == "reflection_report" and report.deadline.owner == alice.advisor
    assert report.due_at == datetime(2026, 3, 9, 18, 0, tzinfo=SHANGHAI)


def test_a_required_reflection_report_needs_its_due_date(alice, close_case, clock):
    with pytest.raises(ValidationFailed) as refused:
        close_case(data=review(reflection_required=True))
    assert "reflection_due" in refused.value.field_errors


def test_manager_closes_a_case_from_the_page_with_causes_one_per_line(
    client, alice, make_complaint, clock
):
    complaint = make_complaint(alice, state=State.REVIEWING)
    client.force_login(alice.manager)
    page = client.get(reverse("complaint_detail", args=[complaint.reference]))
    body = page.content.decode()
    assert 'name="corrective_actions-cause"' in body and 'name="root_cause_category"' in body
    response = client.post(
        reverse("complaint_transition", args=[complaint.reference, "close"]),
        {
            "version": complaint.version,
            "review_why": "Rushed",
            "handled_well": "yes",
            "review_handling": "Fast",
            "root_cause_category": "diagnosis",
            "cause_lies_with": "person",
            "corrective_actions-cause": ["Noise not tested", "", ""],
            "corrective_actions-action": ["Test drive rule", "", ""],
            "corrective_actions-owner": [str(alice.advisor.pk), "", ""],
            "corrective_actions-due": ["2026-03-05", "", ""],
        },
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == State.CLOSED
    action = CorrectiveAction.objects.get(complaint=complaint)
    assert action.cause == "Noise not tested" and action.owner == alice.advisor
    page = client.get(reverse("complaint_detail", args=[complaint.reference])).content.decode()
    assert "Test drive rule" in page and "Diagnosis" in page


def test_a_half_filled_line_on_the_page_is_refused_next_to_the_field(
    client, alice, make_complaint, clock
):
    complaint = make_complaint(alice, state=State.REVIEWING)
    client.force_login(alice.manager)
    response = client.post(
        reverse("complaint_transition", args=[complaint.reference, "close"]),
        {
            "version": complaint.version,
            "review_why": "Rushed",
            "handled_well": "yes",
            "review_handling": "Fast",
            "root_cause_category": "diagnosis",
            "cause_lies_with": "person",
            "corrective_actions-cause": ["Noise not tested"],
            "corrective_actions-action": [""],
            "corrective_actions-owner": [""],
            "corrective_actions-due": ["2026-03-05"],
        },
    )
    assert response.status_code == 422
    assert "Line 1: give the cause and its corrective action." in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.state == State.REVIEWING


def test_the_dms_may_not_close_a_case_and_writes_no_review(alice, make_complaint, clock):
    """Closing is a manager's (step 7); an API key acts for no manager."""
    from django.core.cache import cache
    from rest_framework.test import APIClient

    from integrations.models import DealerApiKey

    cache.clear()
    _key, raw = DealerApiKey.objects.create_key(dealer=alice.dealer, name="SH01 DMS")
    complaint = make_complaint(alice, state=State.REVIEWING)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    response = api.post(
        f"/api/v1/complaints/{complaint.reference}/transitions/close/",
        review(owner=alice.manager2),
        format="json",
    )
    assert response.status_code == 403
    assert not CorrectiveAction.objects.exists()
