"""Lessons (内部通报) to a dealer's or a region's staff, and the reflection report (002)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.exceptions import PermissionDenied, ValidationFailed
from core.models import AuditEntry
from followups.models import Deadline
from learning import services
from learning.models import LessonReceipt, ReflectionReport

from ..factories import DealerFactory, MembershipFactory, UserFactory
from .conftest import review

pytestmark = pytest.mark.django_db

ANSWERS = {
    "customer_thoughts": "They thought we did not care",
    "customer_needs": "A quiet car and a call",
    "wrong_concept": "The customer exaggerates",
    "wrong_behaviour": "I did not call back",
    "bad_consequence": "The customer complained to the maker",
    "right_concept": "The customer is why we work",
    "right_behaviour": "Call back the same day",
    "good_result": "The customer trusts us again",
}


# --- lessons --------------------------------------------------------------------------------


def test_manager_publishes_a_lesson_to_all_staff_of_the_dealer(alice, bob, close_case, clock):
    case = close_case()
    lesson = services.lesson_publish(
        actor=alice.manager,
        title="Call back the same day",
        body="Two cases this month waited three days.",
        cases=[case],
        dealer=alice.dealer,
    )
    readers = set(LessonReceipt.objects.filter(lesson=lesson).values_list("user", flat=True))
    assert readers == {alice.advisor.pk, alice.manager.pk, alice.manager2.pk}
    assert list(lesson.cases.all()) == [case]
    assert AuditEntry.objects.filter(action="lesson.published").exists()


def test_advisors_and_other_dealers_managers_cannot_publish_to_the_dealer(alice, bob):
    for actor in (alice.advisor, bob.manager, alice.regional):
        with pytest.raises(PermissionDenied):
            services.lesson_publish(actor=actor, title="x", body="y", dealer=alice.dealer)


def test_a_lesson_cannot_cite_another_dealers_case(alice, bob, close_case, clock):
    elsewhere = close_case(staff=bob)
    with pytest.raises(ValidationFailed):
        services.lesson_publish(
            actor=alice.manager, title="x", body="y", cases=[elsewhere], dealer=alice.dealer
        )


def test_regional_staff_publish_to_every_dealer_of_their_region_only(alice, bob):
    neighbour = DealerFactory(code="SH02", region=alice.dealer.region)
    advisor = UserFactory(username="sh02_advisor")
    MembershipFactory(user=advisor, dealer=neighbour, role="advisor")
    lesson = services.lesson_publish(
        actor=alice.regional, title="Region", body="All of east", region_id=alice.dealer.region_id
    )
    readers = set(LessonReceipt.objects.filter(lesson=lesson).values_list("user", flat=True))
    assert readers == {alice.advisor.pk, alice.manager.pk, alice.manager2.pk, advisor.pk}
    with pytest.raises(PermissionDenied):
        services.lesson_publish(
            actor=alice.regional, title="x", body="y", region_id=bob.dealer.region_id
        )


def test_staff_see_unread_lessons_on_their_home_screen_and_confirm(client, alice, bob):
    lesson = services.lesson_publish(
        actor=alice.manager, title="Same-day call-back", body="Call back.", dealer=alice.dealer
    )
    client.force_login(bob.advisor)
    assert "Same-day call-back" not in client.get(reverse("home")).content.decode()
    client.force_login(alice.advisor)
    home = client.get(reverse("home")).content.decode()
    assert "unread-lesson" in home and "Same-day call-back" in home
    receipt = LessonReceipt.objects.get(lesson=lesson, user=alice.advisor)
    client.force_login(bob.advisor)
    assert client.post(reverse("lesson_read", args=[receipt.pk])).status_code == 404
    client.force_login(alice.advisor)
    assert client.post(reverse("lesson_read", args=[receipt.pk])).status_code == 302
    receipt.refresh_from_db()
    assert receipt.read_at is not None
    assert "Same-day call-back" not in client.get(reverse("home")).content.decode()
    client.force_login(alice.manager)
    detail = client.get(reverse("lesson_detail", args=[lesson.pk])).content.decode()
    assert "(1 / 3)" in detail


def test_manager_publishes_from_the_lessons_page(client, alice, close_case, clock):
    case = close_case()
    client.force_login(alice.manager)
    response = client.post(
        reverse("lessons"),
        {
            "title": "Test drive before diagnosis",
            "body": "Reproduce the noise with the customer.",
            "cases": case.reference,
            "audience": f"dealer:{alice.dealer.pk}",
        },
    )
    assert response.status_code == 302
    assert LessonReceipt.objects.filter(lesson__title="Test drive before diagnosis").count() == 3


def test_advisor_has_no_publish_form_and_cannot_post_one(client, alice):
    client.force_login(alice.advisor)
    assert "lesson-form" not in client.get(reverse("lessons")).content.decode()
    response = client.post(
        reverse("lessons"),
        {"title": "x", "body": "y", "audience": f"dealer:{alice.dealer.pk}"},
    )
    assert response.status_code == 404


def test_another_dealers_manager_cannot_open_a_lesson(client, alice, bob, stranger):
    lesson = services.lesson_publish(
        actor=alice.manager, title="Private", body="x", dealer=alice.dealer
    )
    for user in (bob.manager, stranger, alice.advisor):
        client.force_login(user)
        assert client.get(reverse("lesson_detail", args=[lesson.pk])).status_code == 404


# --- reflection reports -----------------------------------------------------------------------


@pytest.fixture
def required_report(alice, close_case, clock):
    complaint = close_case(data=review(reflection_required=True, reflection_due="2026-03-09"))
    return ReflectionReport.objects.get(complaint=complaint)


def test_the_advisor_sees_the_required_report_as_a_task_and_writes_it(
    client, alice, required_report
):
    client.force_login(alice.advisor)
    home = client.get(reverse("home")).content.decode()
    assert reverse("reflection_write", args=[required_report.complaint.reference]) in home
    response = client.post(
        reverse("reflection_write", args=[required_report.complaint.reference]), ANSWERS
    )
    assert response.status_code == 302
    required_report.refresh_from_db()
    assert required_report.state == "submitted"
    assert required_report.wrong_behaviour == "I did not call back"
    assert Deadline.objects.get(pk=required_report.deadline_id).satisfied_at is not None
    assert AuditEntry.objects.filter(action="reflection.submitted").exists()


def test_all_eight_answers_are_required(alice, required_report):
    with pytest.raises(ValidationFailed) as refused:
        services.reflection_submit(
            complaint=required_report.complaint,
            actor=alice.advisor,
            answers={**ANSWERS, "good_result": " "},
        )
    assert "good_result" in refused.value.field_errors


def test_only_the_cases_advisor_writes_it_and_only_a_manager_comments(alice, bob, required_report):
    complaint = required_report.complaint
    from core.exceptions import NotFound

    with pytest.raises(PermissionDenied):
        services.reflection_submit(complaint=complaint, actor=alice.manager, answers=ANSWERS)
    # Regional staff do not even see an ordinary case; another dealer's advisor neither.
    for actor in (alice.regional, bob.advisor):
        with pytest.raises(NotFound):
            services.reflection_submit(complaint=complaint, actor=actor, answers=ANSWERS)
    with pytest.raises(ValidationFailed):  # nothing to comment on yet
        services.reflection_comment(report=required_report, actor=alice.manager, comment="x")
    services.reflection_submit(complaint=complaint, actor=alice.advisor, answers=ANSWERS)
    with pytest.raises(PermissionDenied):
        services.reflection_comment(report=required_report, actor=alice.advisor, comment="x")
    commented = services.reflection_comment(
        report=required_report, actor=alice.manager, comment="Good insight; share it."
    )
    assert commented.state == "commented" and commented.commented_by == alice.manager
    with pytest.raises(ValidationFailed):  # final once commented
        services.reflection_submit(complaint=complaint, actor=alice.advisor, answers=ANSWERS)


def test_an_unwritten_report_is_breached_like_any_deadline(alice, required_report, clock):
    from datetime import timedelta

    from followups.sweep import deadline_sweep

    clock.move_to(required_report.due_at + timedelta(minutes=1))
    deadline_sweep()
    deadline = Deadline.objects.get(pk=required_report.deadline_id)
    assert deadline.breached_at is not None and deadline.owner == alice.advisor


def test_the_case_page_shows_the_report_and_the_managers_comment_form(
    client, alice, required_report
):
    services.reflection_submit(
        complaint=required_report.complaint, actor=alice.advisor, answers=ANSWERS
    )
    client.force_login(alice.manager)
    url = reverse("complaint_detail", args=[required_report.complaint.reference])
    body = client.get(url).content.decode()
    assert "I did not call back" in body and "reflection-comment" in body
    response = client.post(
        reverse("reflection_comment", args=[required_report.complaint.reference]),
        {"comment": "Well reflected."},
    )
    assert response.status_code == 302
    assert "Well reflected." in client.get(url).content.decode()


def test_a_manager_may_require_a_report_after_the_close_but_only_once(alice, close_case, clock):
    from datetime import timedelta

    from django.utils import timezone

    complaint = close_case()
    due = timezone.now() + timedelta(days=3)
    with pytest.raises(PermissionDenied):
        services.reflection_require(complaint=complaint, actor=alice.advisor, due_at=due)
    report = services.reflection_require(complaint=complaint, actor=alice.manager, due_at=due)
    assert report.author == alice.advisor and report.deadline.owner == alice.advisor
    with pytest.raises(ValidationFailed):
        services.reflection_require(complaint=complaint, actor=alice.manager, due_at=due)
