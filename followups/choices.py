"""The vocabulary of deadlines, contacts and notifications. Values are stable: the API relies
on them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.choices import FollowUpOutcome, State
from dealers.models import ContactChannel

# Re-exported so callers find the whole follow-up vocabulary in one place.
ContactOutcome = FollowUpOutcome
__all__ = [
    "ContactChannel",
    "ContactOutcome",
    "DeadlineKind",
    "NotificationKind",
    "PromiseCode",
    "promise_label",
]


class DeadlineKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    COMMITMENT = "commitment", _("Promise to the customer")
    APPROVAL = "approval", _("Manager's approval")
    REPAIR_COMPLETION = "repair_completion", _("Promised repair completion")
    INTERIM_REPORT = "interim_report", _("Interim report")
    FOLLOW_UP = "follow_up", _("Follow-up after service")
    TRANSFER_CHECK = "transfer_check", _("Hand-over check")
    PARTS_ARRIVAL = "parts_arrival", _("Emergency parts arrival")
    # Step 7 (learning): a corrective action's check, and a required reflection report.
    CORRECTIVE_ACTION = "corrective_action", _("Corrective action check")
    REFLECTION_REPORT = "reflection_report", _("Reflection report")


# The states a deadline of each kind belongs to: when a case leaves them, its open deadlines
# of that kind are satisfied or cancelled, so nothing stays open by mistake.
OPEN_STATES = [s for s in State.values if s not in (State.CLOSED, State.WITHDRAWN)]
# The steps in which the case waits on the dealer before follow-up: the customer is told how
# it goes every so often (002: 定期向他通报处理进度), by the progress update deadline.
WAITING_STATES = frozenset(
    {State.INVESTIGATING, State.ASSESSING, State.AWAITING_APPROVAL, State.RESOLVING}
)
KIND_STATES: dict[str, frozenset[str]] = {
    # Met only by reaching the customer (002: 24 小时内必须有反馈), whatever step the case has
    # moved to meanwhile; the customer's confirmation in step 6 ends it at the latest.
    DeadlineKind.FIRST_RESPONSE: frozenset(
        {State.RECEIVED, State.LISTENING, *WAITING_STATES, State.FOLLOWING_UP}
    ),
    DeadlineKind.COMMITMENT: frozenset(OPEN_STATES),
    DeadlineKind.APPROVAL: frozenset({State.AWAITING_APPROVAL}),
    # A completion date may be promised while the decision is still being made or approved.
    DeadlineKind.REPAIR_COMPLETION: frozenset(
        {State.ASSESSING, State.AWAITING_APPROVAL, State.RESOLVING}
    ),
    DeadlineKind.INTERIM_REPORT: WAITING_STATES,
    # An emergency parts order (紧急订单) may be placed once the fault is found, and is
    # waited for until the repair is done.
    DeadlineKind.PARTS_ARRIVAL: frozenset(
        {State.ASSESSING, State.AWAITING_APPROVAL, State.RESOLVING}
    ),
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
REACHED = frozenset(
    {FollowUpOutcome.SATISFIED, FollowUpOutcome.DISSATISFIED, FollowUpOutcome.INFORMED}
)


class PromiseCode(models.TextChoices):
    """The one-click promises of step 1 (程序上多承诺): stored as their code, read in the
    reader's language. A promise in the customer's own words is stored as typed instead."""

    CALLBACK_20M = "callback_20m", _("Call back within 20 minutes")
    CALLBACK_2H = "callback_2h", _("Call back within 2 hours")
    FEEDBACK_24H = "feedback_24h", _("Feedback within 24 hours")
    FEEDBACK_2D = "feedback_2d", _("Feedback within 2 days")


# How long each one-click promise gives, in minutes, counted from the moment it is made.
PROMISE_MINUTES: dict[str, int] = {
    PromiseCode.CALLBACK_20M: 20,
    PromiseCode.CALLBACK_2H: 2 * 60,
    PromiseCode.FEEDBACK_24H: 24 * 60,
    PromiseCode.FEEDBACK_2D: 2 * 24 * 60,
}

# The words the one-click promises were stored with before they were stored as codes (in
# the language of whoever made them): read as the code, in the reader's language.
LEGACY_PROMISE_WORDS: dict[str, str] = {
    "20 分钟内回电": PromiseCode.CALLBACK_20M,
    "2 小时内回电": PromiseCode.CALLBACK_2H,
    "24 小时内反馈": PromiseCode.FEEDBACK_24H,
    "2 天内反馈": PromiseCode.FEEDBACK_2D,
    "Call back within 20 minutes": PromiseCode.CALLBACK_20M,
    "Call back within 2 hours": PromiseCode.CALLBACK_2H,
    "Feedback within 24 hours": PromiseCode.FEEDBACK_24H,
    "Feedback within 2 days": PromiseCode.FEEDBACK_2D,
}


def promise_label(*, code: str = "", words: str = "") -> str:
    """What was promised, in the active language: a one-click promise's label, else the
    words as typed (old one-click promises stored as words read as their code)."""
    code = code or LEGACY_PROMISE_WORDS.get(words.strip(), "")
    if code in PromiseCode.values:
        return str(PromiseCode(code).label)
    return words


class NotificationKind(models.TextChoices):
    DEADLINE_BREACHED = "deadline_breached", _("Deadline missed")
    DEADLINE_ESCALATED = "deadline_escalated", _("Deadline still missed after 24 hours")
    DEADLINE_DUE_SOON = "deadline_due_soon", _("Deadline due soon")
    SERIOUS_CASE = "serious_case", _("Serious complaint")
    CASE_ESCALATED = "case_escalated", _("Case escalated")
    APPROVAL_REQUESTED = "approval_requested", _("Approval requested")
    CASE_APPROVED = "case_approved", _("Decision approved")
    CASE_REJECTED = "case_rejected", _("Decision rejected")
    CASE_CLOSED = "case_closed", _("Case closed")
