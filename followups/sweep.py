"""The deadline sweep and the delivery of the notifications' e-mails (the outbox).

The sweep reads due deadlines with one query over a partial index and claims them in the
same statement (on PostgreSQL one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)
RETURNING …`; elsewhere the rows are locked, then changed with a conditional UPDATE that
only touches rows still unclaimed). In the same transaction it writes the timeline events,
the notifications with their e-mails set-based, and tells other apps about the whole
batch with one signal (`deadlines_breached`). A second sweep running at the same time
skips the rows the first one holds and finds them claimed afterwards, so a breach is
notified exactly once. The number of queries depends on the number of batches, never on
how many deadlines are open or due."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import F, Model, Q, QuerySet
from django.db.models.base import ModelState
from django.template.loader import render_to_string
from django.utils import timezone, translation

from complaints import services as complaint_services
from complaints.models import Complaint
from core.scoping import unscoped
from dealers.models import Customer, Dealer

from . import notify
from .choices import NotificationKind
from .models import OPEN, Deadline, Notification
from .signals import deadline_breached, deadlines_breached

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
    for field, step in (
        ("breached", _breach_batch),
        ("escalated", _escalate_batch),
        ("reminded", _remind_batch),
    ):
        for _batch in range(MAX_BATCHES):
            seen, claimed = step(now, batch_size)
            setattr(result, field, getattr(result, field) + claimed)
            if seen < batch_size:
                break
    return result


# What the messages, the ladder and the breach hooks read; nothing else is loaded, since a
# sweep may handle thousands of deadlines at once. Dealers and people are few: each is
# loaded once per batch and shared by all the deadlines that refer to it.
_FIELDS = (
    *(f.name for f in Deadline._meta.concrete_fields),
    *(
        f"complaint__{name}"
        for name in (
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
    ),
)
_PEOPLE = ("id", "email", "language", "is_active", "username", "first_name", "last_name")


def _claim(
    candidates: QuerySet[Deadline], batch_size: int, **changes: object
) -> tuple[int, list[Deadline]]:
    """Lock up to batch_size candidate rows (skipping rows another sweep holds), change them
    only if they still match, and return how many were seen and the rows this transaction
    changed, with their cases."""
    if connection.vendor == "postgresql":
        claimed = _claim_returning(candidates, batch_size, changes)
        return len(claimed), claimed
    ids = list(
        candidates.select_for_update(skip_locked=True).values_list("id", flat=True)[:batch_size]
    )
    if not ids:
        return 0, []
    # The candidates' own condition again: on databases without row locks (SQLite) this is
    # what keeps a second sweeper from claiming a row the first one already changed.
    candidates.filter(id__in=ids).update(**changes)
    claimed = list(
        Deadline.objects.filter(id__in=ids, **changes)
        .select_related("complaint")
        .only(*_FIELDS)
        .annotate(customer_name=F("complaint__customer__name"))
        .order_by("due_at", "id")
    )
    _attach(claimed)
    return len(ids), claimed


# The case's columns the messages, the ladder and the breach hooks read, in the model's order.
_COMPLAINT_WANTED = {
    "id",
    "reference",
    "state",
    "severity",
    "is_safety_related",
    "version",
    "dealer_id",
    "customer_id",
    "assignee_id",
    "co_owner_id",
}
_COMPLAINT_COLUMNS = tuple(
    f.attname for f in Complaint._meta.concrete_fields if f.attname in _COMPLAINT_WANTED
)


def _claim_returning(
    candidates: QuerySet[Deadline], batch_size: int, changes: dict[str, object]
) -> list[Deadline]:
    # One statement: lock the due rows (SKIP LOCKED leaves those of a concurrent sweep to
    # it), change them and read them back with what the messages need from their cases.
    # A row another sweep changed before we locked it is re-checked against the
    # candidates' condition by the lock, so it is never claimed twice.
    locked, params = (
        candidates.select_for_update(skip_locked=True)
        .values("id")[:batch_size]
        .query.sql_with_params()
    )
    qn = connection.ops.quote_name
    # A concrete field is one with a column (Django's own definition), so none is skipped.
    concrete = {f.name: f for f in Deadline._meta.concrete_fields}
    fields = [concrete[name] for name in changes]
    set_columns = [f.column for f in fields if f.column]
    columns = [f.column for f in Deadline._meta.concrete_fields if f.column]
    complaint_table = Complaint._meta.db_table
    customer_table = Customer._meta.db_table
    sql = f"""
        WITH claimed AS (
            UPDATE {qn(Deadline._meta.db_table)}
            SET {", ".join(f"{qn(c)} = %s" for c in set_columns)}
            WHERE {qn("id")} IN ({locked})
            RETURNING {", ".join(qn(c) for c in columns)}
        )
        SELECT {", ".join(f"claimed.{qn(c)}" for c in columns)},
               {", ".join(f"c.{qn(c)}" for c in _COMPLAINT_COLUMNS)}, cu.{qn("name")}
        FROM claimed
        JOIN {qn(complaint_table)} c ON c.{qn("id")} = claimed.{qn("complaint_id")}
        LEFT JOIN {qn(customer_table)} cu ON cu.{qn("id")} = c.{qn("customer_id")}
        ORDER BY claimed.{qn("due_at")}, claimed.{qn("id")}
    """  # noqa: S608 - table and column names from our models, values as parameters
    values = [f.get_db_prep_save(changes[f.name], connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *params])
        rows = cursor.fetchall()
    width = len(columns)
    names = [f.attname for f in Deadline._meta.concrete_fields]
    claimed = []
    for row in rows:
        deadline = _loaded(Deadline, names, row[:width])
        complaint = _loaded(Complaint, _COMPLAINT_COLUMNS, row[width:-1])
        # Read by the notification texts, as the other database's annotate() sets it.
        annotated: Any = deadline
        annotated.customer_name = row[-1]
        _COMPLAINT.set_cached_value(deadline, complaint)
        claimed.append(deadline)
    _attach(claimed)
    return claimed


def _loaded[M: Model](model: type[M], attnames: Sequence[str], values: Sequence[object]) -> M:
    """An instance of a row the claim read, as `Model.from_db` makes it but without running
    `__init__` over every field: a claim reads a thousand rows of two models at once, and
    `__init__` was a tenth of the sweep. Fields not read stay deferred and load on first
    access, as after `.only()`. No model of the sweep listens to `post_init`."""
    instance = model.__new__(model)
    instance.__dict__.update(zip(attnames, values, strict=True))
    instance._state = ModelState()
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance


def _attach(deadlines: list[Deadline]) -> None:
    dealer_ids = {d.complaint.dealer_id for d in deadlines}
    user_ids = {
        pk
        for d in deadlines
        for pk in (d.owner_id, d.complaint.assignee_id, d.complaint.co_owner_id)
        if pk is not None
    }
    dealers = Dealer.objects.in_bulk(dealer_ids)
    users = get_user_model().objects.only(*_PEOPLE).in_bulk(user_ids)
    for deadline in deadlines:
        complaint = deadline.complaint
        _DEALER.set_cached_value(complaint, dealers[complaint.dealer_id])
        _ASSIGNEE.set_cached_value(complaint, users.get(complaint.assignee_id))
        _CO_OWNER.set_cached_value(complaint, users.get(complaint.co_owner_id))
        _OWNER.set_cached_value(deadline, users.get(deadline.owner_id))
        # The due time as the dealer's staff read it, for the event and every message.
        annotated: Any = deadline
        annotated.due_text = notify.local_time(deadline.due_at, complaint)


# The relations the claim fills in, straight into their caches as select_related() does:
# assigning through the descriptors checks each object again, a thousand times a batch.
_COMPLAINT = Deadline._meta.get_field("complaint")
_OWNER = Deadline._meta.get_field("owner")
_DEALER = Complaint._meta.get_field("dealer")
_ASSIGNEE = Complaint._meta.get_field("assignee")
_CO_OWNER = Complaint._meta.get_field("co_owner")


def _breach_batch(now: datetime, batch_size: int) -> tuple[int, int]:
    with transaction.atomic():
        candidates = Deadline.objects.filter(OPEN, breached_at=None, due_at__lte=now).order_by(
            "due_at"
        )
        seen, claimed = _claim(candidates, batch_size, breached_at=now, escalation_level=1)
        if not claimed:
            return seen, 0
        managers = notify.managers_by_dealer(d.complaint.dealer_id for d in claimed)
        drafts = []
        events = []
        with translation.override(settings.LANGUAGE_CODE):
            words = notify.texts()
            for deadline in claimed:
                complaint = deadline.complaint
                for user in notify.unique_users(
                    notify.case_owners(complaint, deadline), managers.get(complaint.dealer_id, [])
                ):
                    drafts.append(_draft(user, NotificationKind.DEADLINE_BREACHED, deadline))
                events.append(_event(deadline, "breached", 1, words))
        complaint_services.complaint_record_system_events(entries=events, at=now)
        notify.notifications_write(drafts, now=now)
        deadlines_breached.send(sender=Deadline, deadlines=claimed)
        if deadline_breached.has_listeners(Deadline):
            for deadline in claimed:
                deadline_breached.send(
                    sender=Deadline, deadline=deadline, complaint=deadline.complaint
                )
        return seen, len(claimed)


def _escalate_batch(now: datetime, batch_size: int) -> tuple[int, int]:
    with transaction.atomic():
        candidates = Deadline.objects.filter(
            OPEN, escalation_level=1, breached_at__lte=now - ESCALATE_AFTER
        ).order_by("breached_at")
        seen, claimed = _claim(candidates, batch_size, escalation_level=2, escalated_at=now)
        if not claimed:
            return seen, 0
        regional = notify.regional_by_region(d.complaint.dealer.region_id for d in claimed)
        drafts = []
        events = []
        with translation.override(settings.LANGUAGE_CODE):
            words = notify.texts()
            for deadline in claimed:
                for user in regional.get(deadline.complaint.dealer.region_id, []):
                    drafts.append(_draft(user, NotificationKind.DEADLINE_ESCALATED, deadline))
                events.append(_event(deadline, "escalated", 2, words))
        complaint_services.complaint_record_system_events(entries=events, at=now)
        notify.notifications_write(drafts, now=now)
        return seen, len(claimed)


def _remind_batch(now: datetime, batch_size: int) -> tuple[int, int]:
    with transaction.atomic():
        candidates = Deadline.objects.filter(
            OPEN, breached_at=None, reminded_at=None, remind_at__lte=now
        ).order_by("remind_at")
        seen, claimed = _claim(candidates, batch_size, reminded_at=now)
        drafts = [
            _draft(user, NotificationKind.DEADLINE_DUE_SOON, deadline)
            for deadline in claimed
            for user in notify.case_owners(deadline.complaint, deadline)
        ]
        notify.notifications_write(drafts, now=now)
        return seen, len(claimed)


_MESSAGES: dict[str, Callable[[Deadline], tuple[str, str]]] = {
    NotificationKind.DEADLINE_BREACHED: notify.breach_message,
    NotificationKind.DEADLINE_ESCALATED: notify.escalation_message,
    NotificationKind.DEADLINE_DUE_SOON: notify.due_soon_message,
}


def _draft(user: object, kind: str, deadline: Deadline) -> notify.Draft:
    message = _MESSAGES[kind]
    return notify.Draft(
        recipient=user,
        kind=kind,
        complaint=deadline.complaint,
        deadline=deadline,
        message=lambda: message(deadline),
        cache_key=(kind, deadline.pk),
    )


def _event(
    deadline: Deadline, action: str, level: int, words: dict[str, str]
) -> tuple[int, str, dict[str, Any]]:
    # The timeline's text is in the site's language (`words`, see notify.texts); the
    # payload carries the facts.
    comment = words[f"event_{action}"] % {
        "kind": words[deadline.kind],
        "due": notify.due_text(deadline),
    }
    payload = {
        "action": action,
        "deadline": deadline.pk,
        "kind": deadline.kind,
        "due_at": deadline.due_at,
        "escalation_level": level,
    }
    return (deadline.complaint_id, comment, payload)


# --- outbox delivery ---------------------------------------------------------------------

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, … minutes after each failed attempt, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _claimable(now: datetime) -> Q:
    return Q(email_due_at__lte=now, email_sent_at=None, email_failed_at=None) & (
        Q(email_claimed_until=None) | Q(email_claimed_until__lt=now)
    )


@unscoped("outbox")
def outbox_pending_count(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return Notification.objects.filter(_claimable(now)).count()


@unscoped("outbox")
def outbox_deliver(*, now: datetime | None = None, limit: int = 200) -> int:
    """Send up to `limit` due notification e-mails; returns how many were sent.

    Invariant: each row is claimed with a conditional update before it is sent, so two
    deliveries never send the same e-mail; a claim left by a crashed worker expires after
    the lease and the e-mail is sent then. Failures back off and give up after 8 attempts.
    """
    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(_claimable(now))
        .order_by("email_due_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    sent = 0
    for notification_id in ids:
        claimed = Notification.objects.filter(_claimable(now), pk=notification_id).update(
            email_claimed_until=now + LEASE, email_attempts=F("email_attempts") + 1
        )
        if claimed != 1:
            continue
        row = Notification.objects.select_related("recipient", "complaint__dealer").get(
            pk=notification_id
        )
        try:
            _email(row).send()
        except Exception as exc:
            failed = row.email_attempts >= MAX_ATTEMPTS
            logger.warning(
                "E-mail of notification %s to %s failed (attempt %d)",
                row.pk,
                row.email_to,
                row.email_attempts,
            )
            Notification.objects.filter(pk=row.pk).update(
                email_claimed_until=None,
                email_last_error=repr(exc)[:2000],
                email_failed_at=timezone.now() if failed else None,
                email_due_at=timezone.now() + retry_delay(row.email_attempts),
            )
            continue
        Notification.objects.filter(pk=row.pk).update(
            email_sent_at=timezone.now(), email_claimed_until=None, email_last_error=""
        )
        sent += 1
    return sent


def _email(notification: Notification) -> EmailMessage:
    recipient = notification.recipient
    context = {
        "notification": notification,
        "recipient": recipient,
        "complaint": notification.complaint,
    }
    with translation.override(notify.language_of(recipient)):
        subject = render_to_string("followups/email/notification_subject.txt", context)
        body = render_to_string("followups/email/notification_body.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[notification.email_to])
