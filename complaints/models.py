from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, Transition, transition

from core.models import AppendOnly, DealerOwned, TimeStampedModel
from core.scoping import MANAGER, TECHNICIAN, WORK_ROLES, roles_for
from dealers.models import Customer, Dealer, Vehicle

from .choices import (
    Category,
    Channel,
    Component,
    EventKind,
    FaultFinding,
    Responsibility,
    ResponsibilityReason,
    Severity,
    State,
)
from .timeline import Fact, event_actor, event_facts, event_text

# Guards django-fsm's reload of the protected state field (see Complaint.refresh_from_db).
_STATE_RELOAD_LOCK = threading.RLock()

PRE_DECISION_STATES = [State.RECEIVED, State.LISTENING, State.INVESTIGATING, State.ASSESSING]


SUPPLIER_MAX_LENGTH = 200

# The words of a case the search reads, besides its customer and vehicle.
SEARCHED_TEXT_FIELDS = (
    "reference",
    "description",
    "original_description",
    "customer_request",
    "root_cause",
    "chosen_resolution",
    "agreed_resolution",
    "actions_taken",
)


def searched_text() -> Concat:
    """The searched words of a case as one text. One expression serves the trigram index and
    the search (complaints.selectors), so that PostgreSQL matches the one to the other."""
    parts: list[Any] = []
    for name in SEARCHED_TEXT_FIELDS:
        if parts:
            parts.append(Value("\n"))
        parts.append(F(name))
    return Concat(*parts, output_field=models.TextField())


def actor_user_id(actor: Any) -> int | None:
    """The user id behind an actor, or None for an API client or the system."""
    from django.contrib.auth import get_user_model

    return actor.pk if isinstance(actor, get_user_model()) else None


# Permission callables for django-fsm: (complaint, actor) -> bool. They decide who may run
# a transition; `complaints.services.complaint_transition` checks them for every caller.
# django-fsm hands them any model instance, so each makes sure it is given a case.
def can_work(complaint: models.Model, actor: Any) -> bool:
    if not isinstance(complaint, Complaint):
        return False
    return bool(roles_for(actor, complaint.dealer_id) & WORK_ROLES)


def can_manage(complaint: models.Model, actor: Any) -> bool:
    if not isinstance(complaint, Complaint):
        return False
    return MANAGER in roles_for(actor, complaint.dealer_id)


def can_approve(complaint: models.Model, actor: Any) -> bool:
    if not isinstance(complaint, Complaint):
        return False
    # Four eyes: whoever submitted a decision never approves it, even as a manager.
    user_id = actor_user_id(actor)
    submitted_by_actor = user_id is not None and complaint.submitted_by_id == user_id
    return can_manage(complaint, actor) and not submitted_by_actor


def can_contribute(complaint: Complaint, actor: Any) -> bool:
    """Who may add notes and evidence to a case: whoever works it, and the technician the
    repair is assigned to (step 5), nothing more for them."""
    roles = roles_for(actor, complaint.dealer_id)
    if roles & WORK_ROLES:
        return True
    user_id = actor_user_id(actor)
    return TECHNICIAN in roles and user_id is not None and complaint.technician_id == user_id


class Complaint(DealerOwned, FSMModelMixin, TimeStampedModel):
    """A customer's complaint, run through the seven steps by its state machine."""

    # Not a column: the deadlines intake opened for this new case, in hand for the response
    # to its creation (which then reads none back). None on a case read from the database,
    # and on a new case once anything else opened one of its deadlines.
    opened_at_intake: list[Any] | None = None

    reference = models.CharField(_("reference"), max_length=32, unique=True, editable=False)
    dealer = models.ForeignKey(
        Dealer, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("dealer")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("customer")
    )
    vehicle = models.ForeignKey(
        Vehicle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("vehicle"),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    component = models.CharField(
        _("component"), max_length=20, choices=Component.choices, default=Component.NONE
    )
    description = models.TextField(_("description"))
    # The customer's own words as first recorded (准确记录); never edited afterwards.
    original_description = models.TextField(_("original description"), editable=False)
    customer_request = models.TextField(_("customer's request"), blank=True)
    is_safety_related = models.BooleanField(_("safety-related"), default=False)

    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.NORMAL
    )
    serious_reasons = models.JSONField(_("serious reasons"), default=list, blank=True)
    fault_finding = models.CharField(
        _("fault finding"), max_length=10, choices=FaultFinding.choices, blank=True
    )
    root_cause = models.TextField(_("root cause"), blank=True)
    responsibility = models.CharField(
        _("responsibility"), max_length=14, choices=Responsibility.choices, blank=True
    )
    responsibility_reason = models.CharField(
        _("responsibility reason"), max_length=32, choices=ResponsibilityReason.choices, blank=True
    )
    responsibility_evidence = models.TextField(_("responsibility evidence"), blank=True)
    resolution_options = models.JSONField(_("resolution options"), default=list, blank=True)
    chosen_resolution = models.TextField(_("chosen resolution"), blank=True)
    compensation_amount = models.DecimalField(
        _("goodwill or compensation"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    agreed_resolution = models.TextField(_("agreed resolution"), blank=True)
    actions_taken = models.TextField(_("actions taken"), blank=True)
    review_why = models.TextField(_("why it became a complaint"), blank=True)
    review_handling = models.TextField(_("how well it was handled"), blank=True)
    review_prevention = models.TextField(_("preventive action"), blank=True)

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_complaints",
        verbose_name=_("assignee"),
    )
    co_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="co_owned_complaints",
        verbose_name=_("co-owner (manager)"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted for approval by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    escalated = models.BooleanField(_("escalated"), default=False)
    # Step 5 (维修处理): the technician doing the repair, and the technical lead consulted when
    # the result is uncertain, with their conclusion.
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repair_complaints",
        verbose_name=_("technician"),
    )
    technical_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("technical lead consulted"),
    )
    # A database default too: rows written by code that predates the column still insert.
    technical_lead_conclusion = models.TextField(
        _("technical lead's conclusion"), blank=True, default="", db_default=""
    )
    # 外包供应商: the outside company the work was handed to (a body shop, a glass or tyre
    # specialist, the maker's engineer); empty while the dealer works the case itself.
    supplier = models.CharField(_("outside supplier"), max_length=SUPPLIER_MAX_LENGTH, blank=True)

    state = FSMField(
        _("state"), max_length=20, choices=State.choices, default=State.RECEIVED, protected=True
    )
    # Added to the class by FSMField; declared here so that the type checker knows it.
    get_available_user_state_transitions: Callable[[Any], Iterator[Transition]]
    # Bumped on every change; the API's ETag.
    version = models.PositiveIntegerField(_("version"), default=1)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Facts of the case's history, stored when they happen so that the figures of a period
    # are one range read of its cases (analytics): when the case first reached follow-up
    # (step 6) and first reached the review (resolved), and when it was first reopened,
    # each the time of that transition's event and never moved by a later one (written by
    # complaints.services.complaint_transition); and whether the same customer or vehicle
    # had a case received in the REPEAT_WINDOW before this one (written at creation).
    # complaints.stored_facts recomputes them all from the timeline.
    reached_follow_up_at = models.DateTimeField(
        _("first reached follow-up at"), null=True, blank=True, editable=False
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)
    reopened_at = models.DateTimeField(
        _("first reopened at"), null=True, blank=True, editable=False
    )
    is_repeat = models.BooleanField(
        _("repeat complaint"), default=False, db_default=False, editable=False
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["dealer", "state"], name="complaint_dealer_state"),
            models.Index(fields=["dealer", "-created_at", "-id"], name="complaint_dealer_newest"),
            models.Index(fields=["dealer", "-updated_at"], name="complaint_dealer_updated"),
            # pg_trgm: `icontains` on the searched text (UPPER(...) LIKE '%...%') finds
            # Chinese and English substrings of three characters or more through this index.
            GinIndex(
                OpClass(Upper(searched_text()), name="gin_trgm_ops"),
                name="complaint_search_trgm",
            ),
            # Repeat complaints (analytics): the same customer's or vehicle's earlier cases.
            models.Index(fields=["customer", "created_at"], name="complaint_customer_time"),
            models.Index(
                fields=["vehicle", "created_at"],
                name="complaint_vehicle_time",
                condition=Q(vehicle__isnull=False),
            ),
            # Whose a deadline or contact is (analytics): the join from them to a dealer's
            # cases read from this index alone instead of every case row of the dealer.
            models.Index(
                fields=["dealer", "id"], include=["assignee"], name="complaint_dealer_assignee"
            ),
            # The headline figures of a dealer's period (analytics), from this index alone:
            # one range of (dealer, time) carrying every column they aggregate.
            models.Index(
                fields=["dealer", "created_at"],
                include=[
                    "state",
                    "severity",
                    "is_safety_related",
                    "compensation_amount",
                    "first_response_at",
                    "closed_at",
                    "reached_follow_up_at",
                    "resolved_at",
                    "reopened_at",
                    "is_repeat",
                ],
                name="complaint_dealer_figures",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(compensation_amount__gte=0), name="complaint_compensation_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    # --- rules -------------------------------------------------------------------------
    def approval_required(
        self, *, severity: str | None = None, compensation_amount: Decimal | None = None
    ) -> bool:
        """Serious cases and compensation above the dealer's limit need a manager."""
        severity = severity if severity is not None else self.severity
        amount = (
            compensation_amount if compensation_amount is not None else (self.compensation_amount)
        )
        return severity == Severity.SERIOUS or amount > self.dealer.approval_limit

    @property
    def is_open(self) -> bool:
        return self.state not in (State.CLOSED, State.WITHDRAWN)

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        # django-fsm switches `protected` off on the state field, which every instance and
        # thread shares, while it reloads, and leaves it off when the reload fails (the row
        # is gone). Serialise reloads, and always switch protection back on. (A plain reload
        # never waits on a row lock; do not pass a select_for_update queryset here.)
        field = cast(FSMField, self._meta.get_field("state"))
        with _STATE_RELOAD_LOCK:
            try:
                super().refresh_from_db(*args, **kwargs)
            finally:
                field.protected = True

    # --- the seven steps ---------------------------------------------------------------
    # Transitions only change fields. Locking, permission, payload checks, the timeline and
    # side effects are the job of complaints.services.complaint_transition.

    @transition(
        field=state,
        source=State.RECEIVED,
        target=State.LISTENING,
        permission=can_work,
        custom={"label": _("Start listening")},
    )
    def start_listening(self, *, actor: Any, **_: Any) -> None:
        # Listening is no answer to the customer: `first_response_at` is set when the customer
        # is first reached (followups.deadlines).
        pass

    @transition(
        field=state,
        source=State.LISTENING,
        target=State.INVESTIGATING,
        permission=can_work,
        custom={"label": _("Confirm and investigate")},
    )
    def start_investigation(
        self, *, actor: Any, description: str, customer_request: str | None = None, **_: Any
    ) -> None:
        self.description = description
        if customer_request:
            self.customer_request = customer_request

    @transition(
        field=state,
        source=State.INVESTIGATING,
        target=State.ASSESSING,
        permission=can_work,
        custom={"label": _("Record findings")},
    )
    def record_findings(self, *, actor: Any, fault_finding: str, root_cause: str, **_: Any) -> None:
        self.fault_finding = fault_finding
        self.root_cause = root_cause

    def _apply_decision(self, decision: dict[str, Any]) -> None:
        for name in (
            "severity",
            "serious_reasons",
            "responsibility",
            "responsibility_reason",
            "responsibility_evidence",
            "resolution_options",
            "chosen_resolution",
            "compensation_amount",
        ):
            setattr(self, name, decision[name])
        if decision.get("is_safety_related") is not None:
            self.is_safety_related = decision["is_safety_related"]

    @transition(
        field=state,
        source=State.ASSESSING,
        target=State.RESOLVING,
        permission=can_work,
        custom={"label": _("Decide")},
    )
    def decide(self, *, actor: Any, **decision: Any) -> None:
        self._apply_decision(decision)

    @transition(
        field=state,
        source=State.ASSESSING,
        target=State.AWAITING_APPROVAL,
        permission=can_work,
        custom={"label": _("Submit for approval")},
    )
    def submit_for_approval(self, *, actor: Any, **decision: Any) -> None:
        self._apply_decision(decision)
        self.submitted_by_id = actor_user_id(actor)
        self.approved_by = None

    @transition(
        field=state,
        source=State.AWAITING_APPROVAL,
        target=State.RESOLVING,
        permission=can_approve,
        custom={"label": _("Approve")},
    )
    def approve(self, *, actor: Any, **_: Any) -> None:
        self.approved_by_id = actor_user_id(actor)

    @transition(
        field=state,
        source=State.AWAITING_APPROVAL,
        target=State.ASSESSING,
        permission=can_manage,
        custom={"label": _("Reject")},
    )
    def reject(self, *, actor: Any, **_: Any) -> None:
        self.submitted_by = None

    @transition(
        field=state,
        source=State.RESOLVING,
        target=State.FOLLOWING_UP,
        permission=can_work,
        custom={"label": _("Action completed")},
    )
    def complete_action(
        self, *, actor: Any, agreed_resolution: str, actions_taken: str, **_: Any
    ) -> None:
        self.agreed_resolution = agreed_resolution
        self.actions_taken = actions_taken

    @transition(
        field=state,
        source=State.FOLLOWING_UP,
        target=State.REVIEWING,
        permission=can_work,
        custom={"label": _("Customer satisfied")},
    )
    def confirm_resolved(self, *, actor: Any, **_: Any) -> None:
        pass

    @transition(
        field=state,
        source=State.FOLLOWING_UP,
        target=State.RESOLVING,
        permission=can_work,
        custom={"label": _("Reopen (still dissatisfied)")},
    )
    def reopen(self, *, actor: Any, co_owner: Any, **_: Any) -> None:
        # 仍不满意: resolve again with management's support (step 6).
        self.escalated = True
        self.co_owner = co_owner

    @transition(
        field=state,
        source=State.REVIEWING,
        target=State.CLOSED,
        permission=can_manage,
        custom={"label": _("Close")},
    )
    def close(
        self,
        *,
        actor: Any,
        review_why: str,
        review_handling: str,
        review_prevention: str = "",
        **_: Any,
    ) -> None:
        # The rest of the review (root cause, corrective actions, reflection report) is
        # stored by learning.services.case_review_write, called by the service.
        self.review_why = review_why
        self.review_handling = review_handling
        self.review_prevention = review_prevention
        self.closed_at = timezone.now()

    @transition(
        field=state,
        source=PRE_DECISION_STATES,
        target=State.WITHDRAWN,
        permission=can_manage,
        custom={"label": _("Withdraw")},
    )
    def withdraw(self, *, actor: Any, **_: Any) -> None:
        self.closed_at = timezone.now()


class ReferenceSequence(models.Model):
    """The last reference number handed out per dealer and year."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dealer", "year"], name="reference_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.dealer_id}/{self.year}: {self.last_value}"


class CaseEvent(AppendOnly):
    """One entry of a case's timeline. Written once, never changed or deleted.

    On PostgreSQL a trigger refuses UPDATE and DELETE as well, so not even raw SQL or a
    bulk query from a shell can rewrite history.
    """

    # The foreign keys have no index of their own: `event_complaint_time` starts with the
    # case, and the actor and API key indexes leave out the rows without one (the sweep
    # writes a thousand such events at a time; every index costs each of them an entry).
    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("complaint"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    transition = models.CharField(_("transition"), max_length=32, blank=True)
    from_state = models.CharField(_("from"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        db_index=False,
    )
    actor_label = models.CharField(
        _("actor"), max_length=200, help_text=_("Who acted, as shown in the timeline.")
    )
    # The DMS connection that acted through the API (its `actor` is then empty).
    api_key = models.ForeignKey(
        "api.DealerApiKey",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("API key"),
        db_index=False,
    )
    comment = models.TextField(_("comment"), blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [
            models.Index(fields=["complaint", "created_at"], name="event_complaint_time"),
            models.Index(fields=["actor"], name="event_actor", condition=Q(actor__isnull=False)),
            models.Index(
                fields=["api_key"], name="event_api_key", condition=Q(api_key__isnull=False)
            ),
            # The reopen rate (analytics): without it, finding the few reopened cases reads
            # every event.
            models.Index(
                fields=["complaint"], name="event_reopened", condition=Q(transition="reopen")
            ),
            # A case's first arrival in a step (analytics: time to resolution, cases that
            # reached follow-up): one index probe per case instead of reading all its events.
            models.Index(
                fields=["complaint", "to_state", "created_at"],
                name="event_complaint_state",
                condition=~Q(to_state=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def text(self) -> str:
        """The event's text in the active language: the comment as written, or for an event
        of the system, its facts put in words now (see complaints.timeline)."""
        return event_text(self)

    @property
    def facts(self) -> list[Fact]:
        """What a transition decided, as (label, value) pairs in the active language."""
        return event_facts(self)

    @property
    def actor_display(self) -> str:
        """Who acted, as the timeline shows it; the system in the active language."""
        return event_actor(self)

    @property
    def action(self) -> str:
        """The event's code in the audit log's vocabulary (`case.decided`, `case.note_added`)."""
        from .audit import event_action

        return event_action(self)
