"""The managers' audit log: the case timelines and the audit log of everything else, read
together, newest first, each entry rendered in the reader's language.

Case events stay in their own table (complaints.CaseEvent, the timeline every case page
shows); they are not copied into core.AuditEntry. This module names them with the same kind
of action code and merges the two when a manager reads the log.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.actors import Actor
from core.audit import Change, action_for, audit_entry_list, changes, register_actions
from core.models import AuditEntry
from core.scoping import MANAGER, access_for, scoped

from .choices import EventKind
from .models import CaseEvent

CASE_ACTIONS = {
    "case.created": _("%(actor)s received case %(object)s"),
    "case.changed": _("%(actor)s corrected case %(object)s"),
    "case.note_added": _("%(actor)s added a note to case %(object)s"),
    "case.reassigned": _("%(actor)s handed case %(object)s over"),
    "case.supplier_changed": _("%(actor)s changed the outside supplier of case %(object)s"),
    "case.escalated": _("%(actor)s escalated case %(object)s"),
    "case.contact_recorded": _("%(actor)s recorded a contact for case %(object)s"),
    "case.promise_made": _("%(actor)s made a promise for case %(object)s"),
    "case.promise_kept": _("%(actor)s kept a promise of case %(object)s"),
    "case.repair_promised": _("%(actor)s promised a repair date for case %(object)s"),
    "case.deadline_changed": _("%(actor)s recorded a deadline of case %(object)s"),
    "case.deadline_breached": _("%(actor)s recorded a missed deadline of case %(object)s"),
    "case.deadline_escalated": _("%(actor)s escalated a missed deadline of case %(object)s"),
    "case.handover_confirmed": _("%(actor)s confirmed the hand-over of case %(object)s"),
    "case.listening_started": _("%(actor)s started listening on case %(object)s"),
    "case.investigation_started": _("%(actor)s started investigating case %(object)s"),
    "case.findings_recorded": _("%(actor)s recorded the findings of case %(object)s"),
    "case.decided": _("%(actor)s decided case %(object)s"),
    "case.submitted_for_approval": _("%(actor)s submitted case %(object)s for approval"),
    "case.approved": _("%(actor)s approved the decision on case %(object)s"),
    "case.rejected": _("%(actor)s rejected the decision on case %(object)s"),
    "case.action_completed": _("%(actor)s completed the agreed action on case %(object)s"),
    "case.resolution_confirmed": _("%(actor)s confirmed case %(object)s resolved"),
    "case.reopened": _("%(actor)s reopened case %(object)s"),
    "case.closed": _("%(actor)s closed case %(object)s"),
    "case.withdrawn": _("%(actor)s withdrew case %(object)s"),
}


def register() -> None:
    register_actions(CASE_ACTIONS)


@dataclass(frozen=True)
class LogLine:
    """One line of the managers' log, whichever table it came from."""

    at: datetime
    action: str
    text: str
    comment: str = ""
    reference: str = ""  # the case, for a link
    changes: list[Change] = field(default_factory=list)
    # Where the line comes from (ENTRY or EVENT) and its id there: with the time, a total
    # order, so that paging loses no line even when a sweep wrote many at one instant.
    source: int = 0
    pk: int = 0

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.at, self.source, self.pk)


ENTRY, EVENT = 0, 1


@dataclass(frozen=True)
class Cursor:
    """A place in the log, newest first: lines are ordered by (time, source, id), descending."""

    at: datetime
    source: int
    pk: int

    def __str__(self) -> str:
        return f"{self.at.isoformat()}|{self.source}|{self.pk}"

    @classmethod
    def parse(cls, text: str) -> Cursor | None:
        """The cursor a page link carries; None for anything malformed."""
        from django.utils import timezone
        from django.utils.dateparse import parse_datetime

        parts = text.split("|")
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
            return None
        try:
            at = parse_datetime(parts[0])
        except ValueError:
            return None
        if at is None or timezone.is_naive(at):
            return None
        return cls(at, int(parts[1]), int(parts[2]))

    def older(self, source: int) -> Q:
        """Rows of `source` that come after this place in the log."""
        condition = Q(created_at__lt=self.at)
        if source < self.source:
            condition |= Q(created_at=self.at)
        elif source == self.source:
            condition |= Q(created_at=self.at, id__lt=self.pk)
        return condition


def _case_line(event: CaseEvent) -> LogLine:
    # Other apps register the texts of their own case events (evidence, repairs, learning).
    found = action_for(event.action)
    template = found.template if found else _("%(actor)s changed case %(object)s")
    reference = event.complaint.reference
    return LogLine(
        at=event.created_at,
        action=event.action,
        text=str(template) % {"actor": event.actor_display, "object": reference},
        comment=event.text,
        reference=reference,
        source=EVENT,
        pk=event.pk,
    )


def _entry_line(entry: AuditEntry, names: dict[Any, str]) -> LogLine:
    return LogLine(
        at=entry.created_at,
        action=entry.action,
        text=entry.text,
        changes=changes(entry, names),
        source=ENTRY,
        pk=entry.pk,
    )


def audit_trail(
    *, actor: Actor, dealer_id: int | None, before: Cursor | None = None, limit: int = 100
) -> list[LogLine]:
    """The newest `limit` lines older than `before`, of one dealer (or, for a superuser
    with `dealer_id=None`, of all): managers and superusers only, everybody else none."""
    access = access_for(actor)
    if not access.is_superuser and (dealer_id is None or MANAGER not in access.roles_at(dealer_id)):
        return []
    events = (
        scoped(CaseEvent, actor).select_related("complaint__dealer").order_by("-created_at", "-id")
    )
    entries = audit_entry_list(actor=actor, dealer_id=dealer_id).order_by("-created_at", "-id")
    if dealer_id is not None:
        events = events.filter(complaint__dealer_id=dealer_id)
    if before is not None:
        events = events.filter(before.older(EVENT))
        entries = entries.filter(before.older(ENTRY))
    # Both are read newest first, at most `limit` each; the merge keeps the newest of both.
    names: dict[Any, str] = {}
    merged: Iterator[LogLine] = heapq.merge(
        (_case_line(e) for e in events[:limit]),
        (_entry_line(e, names) for e in entries[:limit]),
        key=lambda line: (line.at, line.source, line.pk),
        reverse=True,
    )
    return list(itertools.islice(merged, limit))


# The timeline's events as audit-log action codes (complaints.apps registers their texts).
TRANSITION_ACTIONS = {
    "start_listening": "case.listening_started",
    "start_investigation": "case.investigation_started",
    "record_findings": "case.findings_recorded",
    "decide": "case.decided",
    "submit_for_approval": "case.submitted_for_approval",
    "approve": "case.approved",
    "reject": "case.rejected",
    "complete_action": "case.action_completed",
    "confirm_resolved": "case.resolution_confirmed",
    "reopen": "case.reopened",
    "close": "case.closed",
    "withdraw": "case.withdrawn",
}
KIND_ACTIONS: dict[str, str] = {
    EventKind.CREATED: "case.created",
    EventKind.UPDATE: "case.changed",
    EventKind.NOTE: "case.note_added",
    EventKind.REASSIGNMENT: "case.reassigned",
    EventKind.ESCALATION: "case.escalated",
    EventKind.CONTACT: "case.contact_recorded",
    EventKind.COMMITMENT: "case.promise_made",
    EventKind.DEADLINE: "case.deadline_changed",
    EventKind.ATTACHMENT: "case.evidence_added",
}
FOLLOW_UP_ACTIONS: dict[tuple[str, str | None], str] = {
    (EventKind.COMMITMENT, "made"): "case.promise_made",
    (EventKind.COMMITMENT, "kept"): "case.promise_kept",
    (EventKind.COMMITMENT, "repair_promised"): "case.repair_promised",
    (EventKind.DEADLINE, "breached"): "case.deadline_breached",
    (EventKind.DEADLINE, "escalated"): "case.deadline_escalated",
    (EventKind.DEADLINE, "confirmed"): "case.handover_confirmed",
}


def event_action(event: CaseEvent) -> str:
    """A timeline event's code in the audit log's vocabulary (see CaseEvent.action)."""
    if event.kind == EventKind.TRANSITION:
        return TRANSITION_ACTIONS.get(event.transition, f"case.{event.transition}")
    if event.kind == EventKind.REASSIGNMENT and "supplier" in (event.payload or {}):
        return "case.supplier_changed"
    if event.kind == EventKind.REPAIR:
        return f"case.{(event.payload or {}).get('action', 'repair')}"
    if event.kind in (EventKind.COMMITMENT, EventKind.DEADLINE):
        found = FOLLOW_UP_ACTIONS.get((event.kind, (event.payload or {}).get("action")))
        if found:
            return found
    return KIND_ACTIONS.get(event.kind, f"case.{event.kind}")
