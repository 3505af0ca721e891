"""Step 7 and what the dealership learns from its cases.

- `CaseReview`: the review written when a case is closed (PDCA's Plan), with its root-cause
  category from the dealer's managed list (`RootCauseCategory`), and the causes one per line,
  each with a `CorrectiveAction` (Do) that is checked when due (Check/Act) through the
  deadline service.
- `ReflectionReport`: the advisor's personal reflection report (服务理念提升个人反思报告).
- `LibraryCase` and `RequiredReading`: the case library (专属档案) and who must read what.
- `Lesson` and `LessonReceipt`: internal circulation of lessons (内部通报).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from core.models import DealerOwned
from dealers.models import Dealer, Region

from .choices import (
    ActionState,
    CauseLiesWith,
    CheckResult,
    DefaultRootCause,
    ReflectionState,
)


class RootCauseCategory(DealerOwned):
    """One entry of a dealer's managed list of root causes. The defaults are stored by code
    and named in the reader's language; a dealer's own entries carry their own label."""

    dealer = models.ForeignKey(
        Dealer,
        on_delete=models.CASCADE,
        related_name="root_cause_categories",
        verbose_name=_("dealer"),
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(
        _("label"), max_length=100, blank=True, help_text=_("Empty for the default categories.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)

    class Meta:
        ordering = ["dealer", "position", "code"]
        verbose_name = _("root-cause category")
        verbose_name_plural = _("root-cause categories")
        constraints = [
            models.UniqueConstraint(fields=["dealer", "code"], name="root_cause_unique_code"),
        ]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        """The name in the active language (a default's label is translated)."""
        if self.code in DefaultRootCause.values and not self.label:
            return str(DefaultRootCause(self.code).label)
        return self.label or self.code


class CaseReview(DealerOwned):
    """The review of a closed case (step 7), written at the `close` transition."""

    complaint = models.OneToOneField(
        Complaint, on_delete=models.PROTECT, related_name="review", verbose_name=_("complaint")
    )
    dealer = models.ForeignKey(
        Dealer, on_delete=models.PROTECT, related_name="+", verbose_name=_("dealer")
    )
    why = models.TextField(_("why it became a complaint"))
    handled_well = models.BooleanField(_("handled well"))
    handling_note = models.TextField(_("how it was handled"), blank=True)
    root_cause_category = models.ForeignKey(
        RootCauseCategory,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("root-cause category"),
    )
    cause_lies_with = models.CharField(
        _("the cause lies with"), max_length=10, choices=CauseLiesWith.choices
    )
    reflection_required = models.BooleanField(_("reflection report required"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case review")
        verbose_name_plural = _("case reviews")
        indexes = [
            models.Index(fields=["dealer", "-created_at"], name="review_dealer_time"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} review"


class CorrectiveAction(DealerOwned):
    """One cause of a case and the action that removes it, owned and due (PDCA's Do), then
    checked by its owner (Check): worked, not done, or done but did not work. A failed check
    reopens the action with a new due date (Act)."""

    review = models.ForeignKey(
        CaseReview, on_delete=models.CASCADE, related_name="actions", verbose_name=_("review")
    )
    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="+", verbose_name=_("complaint")
    )
    dealer = models.ForeignKey(
        Dealer, on_delete=models.PROTECT, related_name="+", verbose_name=_("dealer")
    )
    position = models.PositiveSmallIntegerField(_("line"), default=1)
    cause = models.TextField(_("cause"))
    action = models.TextField(_("corrective action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="corrective_actions",
        verbose_name=_("owner"),
    )
    due_at = models.DateTimeField(_("due at"))
    state = models.CharField(
        _("state"), max_length=10, choices=ActionState.choices, default=ActionState.OPEN
    )
    check_result = models.CharField(
        _("check result"), max_length=16, choices=CheckResult.choices, blank=True
    )
    check_note = models.TextField(_("check note"), blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checks = models.PositiveSmallIntegerField(_("checks"), default=0)
    # The deadline that tracks the current round (followups.deadlines).
    deadline = models.ForeignKey(
        "followups.Deadline",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deadline"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        indexes = [
            models.Index(
                fields=["dealer", "due_at"],
                name="action_dealer_open_due",
                condition=Q(state="open"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} #{self.position}"

    @property
    def audit_label(self) -> str:
        return f"{self.complaint.reference} #{self.position}"

    @property
    def is_overdue(self) -> bool:
        return self.state == ActionState.OPEN and self.due_at < timezone.now()


class ReflectionReport(DealerOwned):
    """服务理念提升个人反思报告: the advisor's eight answers (seed 002), and a manager's comment."""

    complaint = models.OneToOneField(
        Complaint,
        on_delete=models.PROTECT,
        related_name="reflection_report",
        verbose_name=_("complaint"),
    )
    dealer = models.ForeignKey(
        Dealer, on_delete=models.PROTECT, related_name="+", verbose_name=_("dealer")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reflection_reports",
        verbose_name=_("advisor"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ReflectionState.choices, default=ReflectionState.REQUIRED
    )
    customer_thoughts = models.TextField(_("the customer's thoughts"), blank=True)
    customer_needs = models.TextField(_("the customer's needs"), blank=True)
    wrong_concept = models.TextField(_("wrong concept"), blank=True)
    wrong_behaviour = models.TextField(_("wrong behaviour"), blank=True)
    bad_consequence = models.TextField(_("bad consequence"), blank=True)
    right_concept = models.TextField(_("right concept"), blank=True)
    right_behaviour = models.TextField(_("right behaviour"), blank=True)
    good_result = models.TextField(_("good result"), blank=True)
    required_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("required by"),
    )
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    manager_comment = models.TextField(_("manager's comment"), blank=True)
    commented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commented on by"),
    )
    commented_at = models.DateTimeField(_("commented at"), null=True, blank=True)
    deadline = models.ForeignKey(
        "followups.Deadline",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deadline"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    FIELDS = (
        "customer_thoughts",
        "customer_needs",
        "wrong_concept",
        "wrong_behaviour",
        "bad_consequence",
        "right_concept",
        "right_behaviour",
        "good_result",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reflection report")
        verbose_name_plural = _("reflection reports")

    def __str__(self) -> str:
        return f"{self.complaint_id} reflection"


class LibraryCase(DealerOwned):
    """A closed case a manager chose as training material (专属档案). Shown masked."""

    complaint = models.OneToOneField(
        Complaint,
        on_delete=models.PROTECT,
        related_name="library_case",
        verbose_name=_("complaint"),
    )
    dealer = models.ForeignKey(
        Dealer, on_delete=models.PROTECT, related_name="+", verbose_name=_("dealer")
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("what to learn"), blank=True)
    # 新进人员教材: every new member of the dealer is given it to read.
    required_for_new_staff = models.BooleanField(_("required reading for new staff"), default=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta:
        ordering = ["-marked_at", "-id"]
        verbose_name = _("library case")
        verbose_name_plural = _("case library")

    def __str__(self) -> str:
        return self.title


class RequiredReading(DealerOwned):
    """A library case one member of staff must read, and when they confirmed it."""

    library_case = models.ForeignKey(
        LibraryCase, on_delete=models.CASCADE, related_name="readings", verbose_name=_("case")
    )
    dealer = models.ForeignKey(
        Dealer, on_delete=models.CASCADE, related_name="+", verbose_name=_("dealer")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="required_readings",
        verbose_name=_("reader"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
        help_text=_("Empty when given automatically to a new member of staff."),
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-assigned_at", "-id"]
        verbose_name = _("required reading")
        verbose_name_plural = _("required reading")
        constraints = [
            models.UniqueConstraint(fields=["library_case", "user"], name="reading_once"),
        ]
        indexes = [
            models.Index(fields=["user"], name="reading_unread", condition=Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.library_case_id}"

    @property
    def audit_label(self) -> str:
        return f"{self.library_case.title} · {self.user}"[:200]


class Lesson(DealerOwned):
    """内部通报: a short lesson drawn from cases, published by a manager to their dealer's
    staff or by regional staff to every dealer of their region."""

    dealer = models.ForeignKey(
        Dealer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dealer"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("lesson"))
    cases = models.ManyToManyField(
        Complaint, related_name="lessons", blank=True, verbose_name=_("cases")
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        constraints = [
            models.CheckConstraint(
                name="lesson_dealer_or_region",
                condition=Q(dealer__isnull=False, region__isnull=True)
                | Q(dealer__isnull=True, region__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class LessonReceipt(DealerOwned):
    """A lesson delivered to one member of staff, and when they confirmed reading it."""

    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("lesson")
    )
    dealer = models.ForeignKey(
        Dealer, on_delete=models.CASCADE, related_name="+", verbose_name=_("dealer")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lesson_receipts",
        verbose_name=_("reader"),
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("lesson receipt")
        verbose_name_plural = _("lesson receipts")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "user"], name="lesson_receipt_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.lesson_id}"
