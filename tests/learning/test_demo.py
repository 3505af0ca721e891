"""The demo shows step 7 and learning with something in every screen."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from complaints.models import Complaint
from followups.models import Deadline
from learning.models import (
    CaseReview,
    CorrectiveAction,
    Lesson,
    LessonReceipt,
    LibraryCase,
    ReflectionReport,
    RequiredReading,
)

pytestmark = pytest.mark.django_db


def test_the_demo_has_reviews_actions_reports_library_and_lessons():
    call_command("seed_demo", stdout=StringIO())
    closed = Complaint.objects.filter(state="closed").count()
    assert closed and CaseReview.objects.count() == closed
    # The story cases each have an action; analytics' six months of history only some.
    stories = Complaint.objects.filter(state="closed").exclude(reference__contains="-H-")
    assert stories.exists()
    assert not stories.filter(review__actions__isnull=True).exists()
    assert CorrectiveAction.objects.filter(state="done", check_result="worked").exists()
    assert CorrectiveAction.objects.filter(state="open", check_result="did_not_work").exists()
    # One action is late: the sweep has breached its deadline.
    assert Deadline.objects.filter(kind="corrective_action", breached_at__isnull=False).exists()
    assert ReflectionReport.objects.filter(state="commented").exists()
    assert ReflectionReport.objects.filter(state="required").exists()
    assert LibraryCase.objects.filter(required_for_new_staff=True).exists()
    # Every demo dealer has its library, the one with a technician too.
    assert set(LibraryCase.objects.values_list("dealer__code", flat=True)) == {"GZ02", "SH01"}
    assert RequiredReading.objects.filter(read_at__isnull=False).exists()
    assert RequiredReading.objects.filter(read_at__isnull=True).exists()
    assert Lesson.objects.filter(region__isnull=False).exists()
    assert LessonReceipt.objects.filter(read_at__isnull=True).exists()

    counts = (LibraryCase.objects.count(), Lesson.objects.count(), RequiredReading.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert counts == (
        LibraryCase.objects.count(),
        Lesson.objects.count(),
        RequiredReading.objects.count(),
    )
