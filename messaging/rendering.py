"""A message's words: its template with the case's fields filled in, in the message's
language. Never fails: a field the case does not have yet (no vehicle, no promised repair
date) is marked in the text and named in `missing`, and the sending service refuses a
message with missing fields; a placeholder nobody knows is treated the same way."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from followups.choices import DeadlineKind
from followups.models import OPEN
from followups.rules import limit_for

PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")
MAX_BODY_LENGTH = 1000


def _local(complaint: Complaint, value: object) -> str:
    return f"{timezone.localtime(value, complaint.dealer.tzinfo):%Y-%m-%d %H:%M}"  # type: ignore[arg-type]


def _vehicle(complaint: Complaint) -> str | None:
    vehicle = complaint.vehicle
    if vehicle is None:
        return None
    return " ".join(part for part in (vehicle.plate, vehicle.model) if part) or None


def _repair_date(complaint: Complaint) -> str | None:
    # The case's own deadlines, reached through the case the caller already holds.
    deadline = (
        complaint.deadlines.filter(OPEN, kind=DeadlineKind.REPAIR_COMPLETION)
        .order_by("-started_at")
        .first()
    )
    return _local(complaint, deadline.due_at) if deadline else None


def _advisor(complaint: Complaint) -> str | None:
    user = complaint.assignee
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


def _update_hours(complaint: Complaint) -> str | None:
    limit, _source = limit_for(complaint.dealer_id, DeadlineKind.INTERIM_REPORT)
    return str(limit.hours) if limit.hours else None


@dataclass(frozen=True)
class Field:
    label: Promise
    value: Callable[[Complaint], str | None]


# The placeholders a template may use, with what people call them.
FIELDS: dict[str, Field] = {
    "reference": Field(_("case reference"), lambda c: c.reference),
    "customer": Field(_("customer's name"), lambda c: c.customer.name or None),
    "dealer": Field(_("dealer's name"), lambda c: c.dealer.name or None),
    "received": Field(_("date received"), lambda c: _local(c, c.created_at)),
    "step": Field(_("current step"), lambda c: str(c.get_state_display())),
    "vehicle": Field(_("vehicle"), _vehicle),
    "repair_date": Field(_("promised repair completion"), _repair_date),
    "advisor": Field(_("responsible advisor"), _advisor),
    "update_hours": Field(_("hours between progress updates"), _update_hours),
}


@dataclass
class Rendered:
    subject: str
    body: str
    # The names (in the message's language) of the fields the case lacks.
    missing: list[str] = field(default_factory=list)


def unknown_placeholders(text: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(text) if name not in FIELDS})


def render(*, complaint: Complaint, subject: str, body: str, language: str) -> Rendered:
    """Fill in the case's fields, in `language` (dates in the dealer's time zone)."""
    values: dict[str, str | None] = {}
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        known = FIELDS.get(name)
        if known is None:
            label = name
            value = None
        else:
            label = str(known.label)
            if name not in values:
                values[name] = known.value(complaint)
            value = values[name]
        if value is None:
            if label not in missing:
                missing.append(label)
            return f"[{label}?]"
        return value

    with translation.override(language):
        return Rendered(
            subject=" ".join(PLACEHOLDER.sub(fill, subject).split()),
            body=PLACEHOLDER.sub(fill, body).strip(),
            missing=missing,
        )
