"""Facts the follow-up app records on a case's timeline: contacts, promises, deadlines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction

from core.actors import Actor

from ..choices import EventKind
from ..models import (
    CaseEvent,
    Complaint,
)
from .case import (
    _jsonable,
    _lock,
    _record,
    _require_worker,
)

FOLLOW_UP_EVENT_KINDS = (EventKind.CONTACT, EventKind.COMMITMENT, EventKind.DEADLINE)


def complaint_record_event(
    *,
    complaint: Complaint,
    actor: Actor,
    kind: str,
    comment: str = "",
    payload: Mapping[str, Any] | None = None,
) -> CaseEvent:
    """Append a contact, promise or deadline fact to the case's timeline.

    Invariant: the case row is locked for the caller's transaction and only someone working
    the case may add to it; the case's fields do not change.
    """
    if kind not in FOLLOW_UP_EVENT_KINDS:
        raise ValueError(f"{kind} events are written by their own service.")
    with transaction.atomic():
        locked = _lock(complaint, actor)
        _require_worker(locked, actor)
        return _record(
            complaint=locked, actor=actor, kind=kind, comment=comment, payload=payload or {}
        )


def complaint_record_system_events(
    *, entries: Sequence[tuple[int, Mapping[str, Any]]], at: datetime
) -> int:
    """Append deadline events written by the system (the sweep) to many timelines at once:
    one (case id, payload) per event, all at `at`. Returns how many were written.

    Invariant: these events store facts only, no words: their text and their actor ("System")
    are rendered when read, in the reader's language (see complaints.timeline). They record
    what the sweep did to a deadline; the case itself (its state, its version) does not
    change, so no `case_changed` is sent. The sweep announces its breaches with
    `followups.signals.deadlines_breached`.
    """
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                complaint_id=complaint_id,
                kind=EventKind.DEADLINE,
                payload=_jsonable(payload),
                created_at=at,
            )
            for complaint_id, payload in entries
        ]
    )
    return len(entries)
