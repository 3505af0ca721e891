"""Facts of a case's history stored on the case (see Complaint.reached_follow_up_at), so that
the analytics read them with the case instead of searching the timeline for each case.

The services write them when they happen (complaints.services: the transition and the
intake); `fill_stored_facts` recomputes them for every case from the timeline, for the
writers that insert history in bulk (the demo history, the load generator) and for the data
migration that introduced them. Both give what the analytics computed from the timeline:

- `reached_follow_up_at`: the time of the case's first event arriving in follow-up;
- `resolved_at`: the time of its first event arriving in the review (confirmed resolved);
- `reopened_at`: the time of its first reopening;
- `is_repeat`: another case of the same customer, or of the same vehicle, was received in
  the REPEAT_WINDOW before this one (at or after its start, strictly before this case).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import connections
from django.db.models import Exists, Q

from .choices import State
from .models import CaseEvent, Complaint

REPEAT_WINDOW = timedelta(days=90)

# The transition fact each state or transition records when it happens for the first time.
FIRST_ARRIVAL = {State.FOLLOWING_UP: "reached_follow_up_at", State.REVIEWING: "resolved_at"}
FIRST_TRANSITION = {"reopen": "reopened_at"}
FACT_FIELDS = ("reached_follow_up_at", "resolved_at", "reopened_at", "is_repeat")


def record_transition_facts(complaint: Complaint, *, name: str, at: datetime) -> list[str]:
    """Set on the case the facts its transition `name` (just run, the case now in its new
    state) records at `at`, the time of its event, unless an earlier transition recorded
    them first. Returns the fields set."""
    fields = [
        field
        for field in (FIRST_ARRIVAL.get(complaint.state), FIRST_TRANSITION.get(name))
        if field is not None and getattr(complaint, field) is None
    ]
    for field in fields:
        setattr(complaint, field, at)
    return fields


def repeat_at_intake(*, customer_id: int, vehicle_id: int | None, at: datetime) -> Exists:
    """Whether a case received at `at` repeats an earlier one: an expression the intake's
    INSERT evaluates, so that it costs no statement of its own."""
    same = Q(customer_id=customer_id)
    if vehicle_id is not None:
        same |= Q(vehicle_id=vehicle_id)
    return Exists(
        Complaint.objects.unscoped(reason="analytics").filter(
            same, created_at__lt=at, created_at__gte=at - REPEAT_WINDOW
        )
    )


def repeats_after_vehicle_change(*, complaint: Complaint, vehicle_ids: list[int | None]) -> None:
    """Recompute `is_repeat` of a case whose vehicle was corrected, and of the cases of its
    old and new vehicle received in the REPEAT_WINDOW after it (one UPDATE)."""
    table = Complaint._meta.db_table

    def earlier(column: str) -> str:
        return (
            f"EXISTS (SELECT 1 FROM {table} AS p WHERE p.{column} = c.{column} "  # noqa: S608
            "AND p.created_at < c.created_at AND p.created_at >= c.created_at - %(window)s)"
        )

    params: dict[str, Any] = {
        "id": complaint.pk,
        "vehicles": [pk for pk in vehicle_ids if pk is not None],
        "at": complaint.created_at,
        "window": REPEAT_WINDOW,
    }
    with connections[Complaint.objects.db].cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS c SET is_repeat = {earlier('customer_id')} "  # noqa: S608
            f"OR {earlier('vehicle_id')} WHERE c.id = %(id)s OR (c.vehicle_id = ANY(%(vehicles)s) "
            "AND c.created_at > %(at)s AND c.created_at <= %(at)s + %(window)s)",
            params,
        )
        cursor.execute(f"SELECT is_repeat FROM {table} WHERE id = %s", [complaint.pk])  # noqa: S608
        complaint.is_repeat = cursor.fetchone()[0]


def _repeats(partition: str) -> str:
    # An earlier case in the window: a RANGE frame of the cases of the same customer (or
    # vehicle) in time order, without the case itself and those received at the same instant
    # (EXCLUDE GROUP), since only a strictly earlier case makes a repeat. One sort instead of
    # one index probe per case.
    table = Complaint._meta.db_table
    return (
        f"SELECT id FROM (SELECT id, COUNT(*) OVER (PARTITION BY {partition} "  # noqa: S608
        "ORDER BY created_at RANGE BETWEEN %(window)s PRECEDING AND CURRENT ROW "
        f"EXCLUDE GROUP) AS earlier FROM {table} WHERE {partition} IS NOT NULL) AS r "
        "WHERE r.earlier > 0"
    )


def fill_stored_facts(*, using: str = "default") -> int:
    """Recompute the stored facts of every case from the timeline and the cases received
    before it; rewrite only the cases whose facts differ. Returns how many were rewritten.
    Set-based: one pass over the timeline's transition events and two sorts of the cases."""
    complaint = Complaint._meta.db_table
    event = CaseEvent._meta.db_table
    sql = f"""
        WITH timeline AS (
            SELECT complaint_id,
                   MIN(created_at) FILTER (WHERE to_state = %(follow_up)s) AS follow_up,
                   MIN(created_at) FILTER (WHERE to_state = %(reviewing)s) AS resolved,
                   MIN(created_at) FILTER (WHERE transition = 'reopen') AS reopened
            FROM {event}
            WHERE to_state IN (%(follow_up)s, %(reviewing)s) OR transition = 'reopen'
            GROUP BY complaint_id
        ),
        repeats AS ({_repeats("customer_id")} UNION {_repeats("vehicle_id")}),
        facts AS (
            SELECT c.id, t.follow_up, t.resolved, t.reopened, r.id IS NOT NULL AS is_repeat
            FROM {complaint} AS c
            LEFT JOIN timeline AS t ON t.complaint_id = c.id
            LEFT JOIN repeats AS r ON r.id = c.id
        )
        UPDATE {complaint} AS c
        SET reached_follow_up_at = f.follow_up, resolved_at = f.resolved,
            reopened_at = f.reopened, is_repeat = f.is_repeat
        FROM facts AS f
        WHERE c.id = f.id
          AND (c.reached_follow_up_at, c.resolved_at, c.reopened_at, c.is_repeat)
              IS DISTINCT FROM (f.follow_up, f.resolved, f.reopened, f.is_repeat)
    """  # noqa: S608 - table names from the models, fixed words and placeholders
    params: dict[str, Any] = {
        "follow_up": State.FOLLOWING_UP,
        "reviewing": State.REVIEWING,
        "window": REPEAT_WINDOW,
    }
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
