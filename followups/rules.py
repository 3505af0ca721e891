"""Time limits: the seeds' defaults and each dealer's overrides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .choices import DeadlineKind
from .models import DeadlineRule


@dataclass(frozen=True)
class Limit:
    hours: int | None = None
    safety_hours: int | None = None
    remind_before_hours: int | None = None


# The seeds' rules: first feedback within 24 h; follow up within 24 h when safety-related and
# within 3 days otherwise; interim reports every day of a long repair; warn the customer
# before a promised repair date is missed (reminder 4 h before).
DEFAULT_LIMITS: dict[str, Limit] = {
    DeadlineKind.FIRST_RESPONSE: Limit(hours=24),
    DeadlineKind.APPROVAL: Limit(hours=8),
    DeadlineKind.INTERIM_REPORT: Limit(hours=24),
    DeadlineKind.FOLLOW_UP: Limit(hours=72, safety_hours=24),
    DeadlineKind.TRANSFER_CHECK: Limit(hours=24),
    DeadlineKind.REPAIR_COMPLETION: Limit(remind_before_hours=4),
    DeadlineKind.COMMITMENT: Limit(),
    # Step 7: due when the manager sets it, reminded a day before.
    DeadlineKind.CORRECTIVE_ACTION: Limit(remind_before_hours=24),
    DeadlineKind.REFLECTION_REPORT: Limit(remind_before_hours=24),
}

# Limits a dealer may shorten but never lengthen: they are the seeds' firm rules.
FIRM_KINDS = frozenset({DeadlineKind.FIRST_RESPONSE, DeadlineKind.FOLLOW_UP})


def limit_for(dealer_id: int, kind: str) -> tuple[Limit, str]:
    """The limit that applies to a dealer's deadline of this kind, and where it comes from."""
    default = DEFAULT_LIMITS[kind]
    # The dealer's own rule, for a deadline its case already opened (no actor involved).
    rules = DeadlineRule.objects.unscoped(reason="system")
    rule = rules.filter(dealer_id=dealer_id, kind=kind).first()
    if rule is None:
        return default, "default"
    return (
        Limit(
            hours=rule.hours or default.hours,
            safety_hours=rule.safety_hours or default.safety_hours,
            remind_before_hours=rule.remind_before_hours or default.remind_before_hours,
        ),
        "dealer",
    )


def due_by_rule(
    *, dealer_id: int, kind: str, start: datetime, safety: bool = False
) -> tuple[datetime, str]:
    """The due time of a rule-made deadline started at `start`, and the rule's description."""
    limit, source = limit_for(dealer_id, kind)
    hours = limit.safety_hours if safety and limit.safety_hours else limit.hours
    if hours is None:
        raise ValueError(f"{kind} deadlines have no time limit of their own.")
    qualifier = "safety " if safety and limit.safety_hours else ""
    return start + timedelta(hours=hours), f"{source}: {kind} {qualifier}{hours}h"
