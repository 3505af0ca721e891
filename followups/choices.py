"""The vocabulary of deadlines, contacts and notifications. Values are stable: the API relies
on them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.choices import FollowUpOutcome, State
from dealers.models import ContactChannel

# Re-exported so callers find the whole follow-up vocabulary in one place.
ContactOutcome = FollowUpOutcome
__all__ = ["ContactChannel", "ContactOutcome", "DeadlineKind", "NotificationKind"]


class DeadlineKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    COMMITMENT = "commitment", _("Promise to the customer")
    APPROVAL = "approval", _("Manager's approval")
    REPAIR_COMPLETION = "repair_completion", _("Promised repair completion")
    INTERIM_REPORT = "interim_report", _("Interim report")
    FOLLOW_UP = "follow_up", _("Follow-up after service")
    TRANSFER_CHECK = "transfer_check", _("Hand-over check")
    # Step 7 (learning): a corrective action's check, and a required reflection report.
    CORRECTIVE_ACTION = "corrective_action", _("Corrective action check")
    REFLECTION_REPORT = "reflection_report", _("Reflection report")


# The states a deadline of each kind belongs to: when a case leaves them, its open deadlines
# of that kind are satisfied or cancelled, so nothing stays open by mistake.
OPEN_STATES = [s for s in State.values if s not in (State.CLOSED, State.WITHDRAWN)]
KIND_STATES: dict[str, frozenset[str]] = {
    DeadlineKind.FIRST_RESPONSE: frozenset({State.RECEIVED}),
    DeadlineKind.COMMITMENT: frozenset(OPEN_STATES),
    DeadlineKind.APPROVAL: frozenset({State.AWAITING_APPROVAL}),
    # A completion date may be promised while the decision is still being made or approved.
    DeadlineKind.REPAIR_COMPLETION: frozenset(
        {State.ASSESSING, State.AWAITING_APPROVAL, State.RESOLVING}
    ),
    DeadlineKind.INTERIM_REPORT: frozenset({State.RESOLVING}),
    DeadlineKind.FOLLOW_UP: frozenset({State.FOLLOWING_UP}),
    DeadlineKind.TRANSFER_CHECK: frozenset(OPEN_STATES),
    # Owed after the case is closed (step 7), until checked or written.
    DeadlineKind.CORRECTIVE_ACTION: frozenset({State.CLOSED}),
    DeadlineKind.REFLECTION_REPORT: frozenset({State.CLOSED}),
}

# Kinds of which a case has at most one open deadline at a time.
SINGLE_KINDS = (
    DeadlineKind.FIRST_RESPONSE,
    DeadlineKind.APPROVAL,
    DeadlineKind.REPAIR_COMPLETION,
    DeadlineKind.INTERIM_REPORT,
    DeadlineKind.FOLLOW_UP,
)

# Outcomes in which the customer was actually reached.
REACHED = frozenset({FollowUpOutcome.SATISFIED, FollowUpOutcome.DISSATISFIED})


class NotificationKind(models.TextChoices):
    DEADLINE_BREACHED = "deadline_breached", _("Deadline missed")
    DEADLINE_ESCALATED = "deadline_escalated", _("Deadline still missed after 24 hours")
    DEADLINE_DUE_SOON = "deadline_due_soon", _("Deadline due soon")
    SERIOUS_CASE = "serious_case", _("Serious complaint")
    CASE_ESCALATED = "case_escalated", _("Case escalated")
