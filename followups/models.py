"""Deadlines, contacts with the customer, and notifications with their e-mails (the outbox).

The truth about what is due lives here, in the database: the sweep (followups.sweep) reads
due deadlines through a partial index and claims each one with a conditional update, so no
deadline is ever scheduled in the broker.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from core.models import DealerOwned
from core.outbox import OutboxMixin, outbox_due_index
from dealers.models import Dealer

from .choices import (
    SINGLE_KINDS,
    ContactChannel,
    ContactOutcome,
    DeadlineKind,
    NotificationKind,
    PromiseCode,
    promise_label,
)

OPEN = Q(satisfied_at__isnull=True, cancelled_at__isnull=True)


class OfCase(DealerOwned):
    """A row of one case (a deadline, a contact) that carries the case's dealer, copied when
    the row is written, whoever writes it (bulk writers set it themselves; a case never
    changes dealer): a dealer's rows are read by dealer and time alone, not through its whole
    history of cases."""

    complaint: models.ForeignKey[Complaint, Complaint]  # declared by each model
    dealer = models.ForeignKey(
        Dealer,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dealer"),
        db_index=False,
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding:
            self.dealer_id = self.complaint.dealer_id
        super().save(*args, **kwargs)


class DeadlineRule(DealerOwned):
    """A dealer's own time limit for one kind of deadline, overriding the default."""

    dealer = models.ForeignKey(
        Dealer, on_delete=models.CASCADE, related_name="deadline_rules", verbose_name=_("dealer")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DeadlineKind.choices)
    hours = models.PositiveIntegerField(
        _("hours"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
        help_text=_("Time allowed, counted from the moment the deadline starts."),
    )
    safety_hours = models.PositiveIntegerField(
        _("hours when safety-related"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
    )
    remind_before_hours = models.PositiveIntegerField(
        _("remind hours before"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 7)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["dealer", "kind"]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        constraints = [
            models.UniqueConstraint(fields=["dealer", "kind"], name="deadline_rule_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.dealer_id} {self.kind} {self.hours}h"


class Deadline(OfCase):
    """Something that must happen for a case by `due_at`: a rule's time limit or a promise.

    Open while neither satisfied nor cancelled. A breached deadline stays open (and climbs
    the escalation ladder) until it is satisfied or cancelled.
    """

    # No index of its own: `deadline_complaint_kind` starts with the case, and every index
    # costs the sweep an entry per breached row.
    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.PROTECT,
        related_name="deadlines",
        verbose_name=_("complaint"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DeadlineKind.choices)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"))
    remind_at = models.DateTimeField(_("reminder at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    satisfied_at = models.DateTimeField(_("satisfied at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    rule = models.CharField(_("rule"), max_length=100, blank=True)
    # A promise is either one of the one-click promises (its code, read in the reader's
    # language) or the words said to the customer, stored as typed.
    promise = models.TextField(_("promise"), blank=True)
    promise_code = models.CharField(
        _("one-click promise"), max_length=20, blank=True, choices=PromiseCode.choices
    )
    outcome_reason = models.CharField(_("outcome"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible"),
        help_text=_("Who must act; empty means the case's assignee."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [
            # The sweep's one query: due, unbreached, open deadlines in due order.
            models.Index(
                fields=["due_at"],
                name="deadline_sweep_due",
                condition=Q(
                    breached_at__isnull=True, satisfied_at__isnull=True, cancelled_at__isnull=True
                ),
            ),
            # Level 2 of the ladder: breached, still open, not yet escalated.
            models.Index(
                fields=["breached_at"],
                name="deadline_sweep_escalate",
                condition=Q(
                    escalation_level=1, satisfied_at__isnull=True, cancelled_at__isnull=True
                ),
            ),
            models.Index(
                fields=["remind_at"],
                name="deadline_sweep_remind",
                condition=Q(
                    remind_at__isnull=False,
                    reminded_at__isnull=True,
                    breached_at__isnull=True,
                    satisfied_at__isnull=True,
                    cancelled_at__isnull=True,
                ),
            ),
            models.Index(fields=["complaint", "kind"], name="deadline_complaint_kind"),
            # Analytics: the dealer's deadlines that fell due in a period, breached or not,
            # answered from the index alone (a dealer's rows lie among every other dealer's).
            models.Index(
                fields=["dealer", "due_at"],
                include=["kind", "breached_at", "complaint"],
                condition=Q(cancelled_at__isnull=True),
                name="deadline_dealer_due",
            ),
            # The managers' overdue count and board: the dealer's open deadlines by due time.
            models.Index(fields=["dealer", "due_at"], name="deadline_dealer_open", condition=OPEN),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "kind"],
                condition=OPEN & Q(kind__in=SINGLE_KINDS),
                name="deadline_one_open_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(escalation_level__lte=2), name="deadline_escalation_level_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.satisfied_at is None and self.cancelled_at is None

    @property
    def is_breached(self) -> bool:
        return self.breached_at is not None

    @property
    def promise_text(self) -> str:
        """What was promised, in the active language (empty for a rule-made deadline)."""
        return promise_label(code=self.promise_code, words=self.promise)

    @property
    def outcome_text(self) -> str:
        """Why it was met or dropped, in the active language."""
        from .deadlines import outcome_text

        return outcome_text(self.outcome_reason, cancelled=self.cancelled_at is not None)

    @property
    def promise_status(self) -> str:
        """How a promise stands: "kept", "kept_late", "broken" (missed, still open),
        "cancelled" or "open"."""
        if self.satisfied_at is not None:
            late = self.breached_at is not None or self.satisfied_at > self.due_at
            return "kept_late" if late else "kept"
        if self.cancelled_at is not None:
            return "cancelled"
        missed = self.breached_at is not None or self.due_at <= timezone.now()
        return "broken" if missed else "open"

    def due_local(self) -> datetime:
        """The due time in the dealer's time zone, as staff see it."""
        return timezone.localtime(self.due_at, self.complaint.dealer.tzinfo)


class ContactAttempt(OfCase):
    """One attempt to reach the customer about a case, successful or not."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("complaint")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=ContactChannel.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=ContactOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    contacted_at = models.DateTimeField(_("contacted at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_label = models.CharField(_("by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-contacted_at", "-id"]
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        indexes = [
            models.Index(fields=["complaint", "-contacted_at"], name="contact_complaint_time"),
            # Analytics: the dealer's follow-up contacts of a period.
            models.Index(
                fields=["dealer", "contacted_at"],
                include=["outcome", "complaint"],
                name="contact_dealer_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.channel} {self.outcome}"


class Notification(OutboxMixin, DealerOwned):
    """An in-app message to one user, written in that user's language, with the e-mail it
    owes (see core.outbox)."""

    # No index of its own: the inbox, unread and once-per-step indexes start with it, and
    # the sweep writes thousands of notifications at once.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,
    )
    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("complaint"),
    )
    deadline = models.ForeignKey(
        Deadline,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("deadline"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    # The e-mail of the notification: the notifications are the e-mail outbox (the
    # delivery state comes from OutboxMixin, see core.outbox). Written in the same statement
    # as the notification; `outbox_due_at` is empty when no e-mail is owed (the recipient has
    # no address).
    email_to = models.EmailField(_("e-mail to"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["recipient"],
                name="notification_unread",
                condition=Q(read_at__isnull=True),
            ),
            # The outbox: e-mails still to send, in the order they are due.
            outbox_due_index("notification_outbox_due"),
        ]
        constraints = [
            # A second sweep can never notify the same person twice of the same step.
            models.UniqueConstraint(
                fields=["recipient", "deadline", "kind"],
                condition=Q(deadline__isnull=False),
                name="notification_once_per_deadline_step",
            ),
        ]

    def __str__(self) -> str:
        return self.title
