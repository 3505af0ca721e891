"""The deadline sweep (the notifications' e-mails are delivered by core.outbox).

Each step of the ladder (breach, escalation, reminder) works in batches, with the ORM. A
batch locks the due deadlines it reads, in due order through a partial index, skipping the
rows a concurrent sweep holds (`select_for_update(skip_locked=True)`), marks them claimed
with one `update()`, loads their cases, dealers and people once each (`in_bulk`,
`prefetch_related`), and in the same transaction writes the timeline events and the
notifications with their e-mails (one statement each, see
`complaint_services.complaint_record_system_events` and `notify.notifications_write`) and
tells other apps about the whole batch with one signal (`deadlines_breached`). A second
sweep running at the same time skips the rows the first one holds and finds them claimed
afterwards, so a breach is notified exactly once. The number of queries depends on the
number of batches, never on how many deadlines are open or due."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from complaints import services as complaint_services
from complaints.models import Complaint
from core.metrics import (
    COUNT_LIMIT,
    SWEEP_BREACHES,
    SWEEP_DURATION,
    SWEEP_ESCALATIONS,
    SWEEP_REMINDERS,
    backlog_figures,
)
from core.scoping import unscoped
from dealers.models import Customer

from . import notify
from .choices import NotificationKind
from .models import OPEN, Deadline
from .signals import deadline_breached, deadlines_breached
from .timeline import deadline_event

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
MAX_BATCHES = 20
ESCALATE_AFTER = timedelta(hours=24)


@dataclass
class SweepResult:
    breached: int = 0
    escalated: int = 0
    reminded: int = 0

    def __str__(self) -> str:
        return f"breached={self.breached} escalated={self.escalated} reminded={self.reminded}"


@unscoped("sweep")
def deadline_sweep(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> SweepResult:
    """One pass over the deadlines: breaches (level 1), breaches still open a day later
    (level 2) and due-soon reminders.

    Invariant: idempotent. Running it twice, or in two processes at once, notifies each
    step of each deadline exactly once.
    """
    now = now or timezone.now()
    result = SweepResult()
    with SWEEP_DURATION.time():
        for field, step, counter in (
            ("breached", _breach_batch, SWEEP_BREACHES),
            ("escalated", _escalate_batch, SWEEP_ESCALATIONS),
            ("reminded", _remind_batch, SWEEP_REMINDERS),
        ):
            for _batch in range(MAX_BATCHES):
                claimed = step(now, batch_size)
                setattr(result, field, getattr(result, field) + len(claimed))
                # Counted once the batch committed: a batch that rolled back claimed nothing.
                for kind, count in Counter(deadline.kind for deadline in claimed).items():
                    counter.labels(kind=kind).inc(count)
                if len(claimed) < batch_size:
                    break
    return result


# What the messages, the ladder and the hooks of a breach read of a case: a sweep loads a
# thousand cases at a time, and their long texts are none of it.
_CASE_READS = (
    "reference",
    "state",
    "severity",
    "is_safety_related",
    "version",
    "dealer",
    "customer",
    "assignee",
    "co_owner",
)
_PEOPLE = ("email", "language", "is_active", "username", "first_name", "last_name")


def _claim(candidates: QuerySet[Deadline], batch_size: int, **changes: object) -> list[Deadline]:
    """Lock up to batch_size candidates in their order, skipping the rows a concurrent sweep
    holds, mark them with `changes` and return them with their cases, dealers and people.

    The lock makes the claim: a row another sweep changed before we locked it is checked
    against the candidates' condition again by PostgreSQL and left out, and a row we hold
    cannot change until we commit, so the update needs no condition of its own."""
    # The lock reads the deadlines alone: joined to the cases, the planner may hash the
    # whole case table to find a thousand of them.
    claimed = list(candidates.select_for_update(skip_locked=True)[:batch_size])
    if not claimed:
        return claimed
    Deadline.objects.filter(pk__in=[deadline.pk for deadline in claimed]).update(**changes)
    # Each case, dealer and person once per batch, shared by the deadlines that refer to
    # it. The dealers are few: prefetched, a batch builds one instance of each, where
    # select_related() built one per case (a third of the time the cases took to load);
    # of the customer only the name is read.
    cases = (
        Complaint.objects.only(*_CASE_READS)
        .prefetch_related("dealer", Prefetch("customer", Customer.objects.only("name")))
        .order_by()
        .in_bulk({deadline.complaint_id for deadline in claimed})
    )
    people = (
        get_user_model()
        .objects.only(*_PEOPLE)
        .in_bulk(
            {
                pk
                for case in cases.values()
                for pk in (case.assignee_id, case.co_owner_id)
                if pk is not None
            }
            | {deadline.owner_id for deadline in claimed if deadline.owner_id is not None}
        )
    )
    # An empty relation needs no assignment: Django reads it as None without a query.
    for case in cases.values():
        if case.assignee_id is not None:
            case.assignee = people.get(case.assignee_id)
        if case.co_owner_id is not None:
            case.co_owner = people.get(case.co_owner_id)
    for deadline in claimed:
        for name, value in changes.items():
            setattr(deadline, name, value)
        deadline.complaint = cases[deadline.complaint_id]
        if deadline.owner_id is not None:
            deadline.owner = people.get(deadline.owner_id)
    return claimed


def _breach_batch(now: datetime, batch_size: int) -> list[Deadline]:
    with transaction.atomic():
        candidates = Deadline.objects.filter(OPEN, breached_at=None, due_at__lte=now).order_by(
            "due_at"
        )
        claimed = _claim(candidates, batch_size, breached_at=now, escalation_level=1)
        if not claimed:
            return claimed
        managers = notify.managers_by_dealer(d.complaint.dealer_id for d in claimed)
        drafts = []
        for deadline in claimed:
            complaint = deadline.complaint
            drafts += _drafts(
                NotificationKind.DEADLINE_BREACHED,
                deadline,
                notify.unique_users(
                    notify.case_owners(complaint, deadline), managers.get(complaint.dealer_id, [])
                ),
            )
        complaint_services.complaint_record_system_events(
            entries=[(d.complaint_id, deadline_event(d, "breached", 1)) for d in claimed], at=now
        )
        notify.notifications_write(drafts, now=now)
        deadlines_breached.send(sender=Deadline, deadlines=claimed)
        if deadline_breached.has_listeners(Deadline):
            for deadline in claimed:
                deadline_breached.send(
                    sender=Deadline, deadline=deadline, complaint=deadline.complaint
                )
        return claimed


def _escalate_batch(now: datetime, batch_size: int) -> list[Deadline]:
    with transaction.atomic():
        candidates = Deadline.objects.filter(
            OPEN, escalation_level=1, breached_at__lte=now - ESCALATE_AFTER
        ).order_by("breached_at")
        claimed = _claim(candidates, batch_size, escalation_level=2, escalated_at=now)
        if not claimed:
            return claimed
        regional = notify.regional_by_region(d.complaint.dealer.region_id for d in claimed)
        drafts = [
            draft
            for deadline in claimed
            for draft in _drafts(
                NotificationKind.DEADLINE_ESCALATED,
                deadline,
                regional.get(deadline.complaint.dealer.region_id, []),
            )
        ]
        complaint_services.complaint_record_system_events(
            entries=[(d.complaint_id, deadline_event(d, "escalated", 2)) for d in claimed], at=now
        )
        notify.notifications_write(drafts, now=now)
        return claimed


def _remind_batch(now: datetime, batch_size: int) -> list[Deadline]:
    with transaction.atomic():
        candidates = Deadline.objects.filter(
            OPEN, breached_at=None, reminded_at=None, remind_at__lte=now
        ).order_by("remind_at")
        claimed = _claim(candidates, batch_size, reminded_at=now)
        drafts = [
            draft
            for deadline in claimed
            for draft in _drafts(
                NotificationKind.DEADLINE_DUE_SOON,
                deadline,
                notify.case_owners(deadline.complaint, deadline),
            )
        ]
        notify.notifications_write(drafts, now=now)
        return claimed


@unscoped("metrics")
def sweep_lag_gauges(now: datetime) -> list[GaugeMetricFamily]:
    """Scrape-time gauges (core.metrics): open deadlines past due that no sweep has marked
    breached yet, and how long the oldest of them has waited. Both stay near zero while the
    sweep runs; they grow when beat or the workers stop. One query on the sweep's own
    partial index (`deadline_sweep_due`), in due order, up to COUNT_LIMIT rows."""
    overdue_rows = Deadline.objects.filter(OPEN, breached_at=None, due_at__lte=now)
    figures = backlog_figures(overdue_rows, "due_at", now)
    overdue = GaugeMetricFamily(
        "deadlines_overdue_unswept",
        "Open deadlines past due that the sweep has not marked breached yet "
        f"(counted up to {COUNT_LIMIT}).",
        value=figures["count"],
    )
    lag = GaugeMetricFamily(
        "deadline_sweep_lag_seconds",
        "How long the oldest deadline past due has waited for the sweep (0 when none has).",
        value=figures["age"],
    )
    return [overdue, lag]


_MESSAGES: dict[str, Callable[[Deadline], tuple[str, str]]] = {
    NotificationKind.DEADLINE_BREACHED: notify.breach_message,
    NotificationKind.DEADLINE_ESCALATED: notify.escalation_message,
    NotificationKind.DEADLINE_DUE_SOON: notify.due_soon_message,
}


def _drafts(kind: str, deadline: Deadline, users: Iterable[Any]) -> list[notify.Draft]:
    """The deadline's notification of `kind` to each of `users`: one message, which
    notifications_write renders once per language."""
    render = partial(_MESSAGES[kind], deadline)
    key = (kind, deadline.pk)
    complaint = deadline.complaint
    return [
        notify.Draft(
            recipient=user,
            kind=kind,
            complaint=complaint,
            deadline=deadline,
            message=render,
            cache_key=key,
        )
        for user in users
    ]
