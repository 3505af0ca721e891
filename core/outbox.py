"""The outbox: messages owed to the outside world (e-mails, webhooks), delivered at least once.

A message is a row written in the transaction of the change it reports, so a rolled-back
change owes nothing. Each kind of message is a model with `OutboxMixin`'s delivery state and
one send function, registered with `outbox_register`; the protocol is the same for every kind:

- *due*: `outbox_due_at` has passed, the row is neither sent nor given up, and no worker holds
  a lease on it (`outbox_claimed_until` empty or past);
- *claim*: a worker takes one due row with a conditional UPDATE that sets the lease and counts
  the attempt, right before sending it. Only the worker whose UPDATE changed the row sends it,
  so two deliveries running at once never send one row twice. A worker that dies while
  sending leaves a lease that runs out after `OUTBOX_LEASE_SECONDS`; the row is sent again then;
- *outcome*: sent (`outbox_sent_at`), or failed: the error is kept and the next attempt waits
  `OUTBOX_BACKOFF_BASE_SECONDS`, doubling after each failure up to
  `OUTBOX_BACKOFF_CAP_SECONDS`, until the row is given up (`outbox_given_up_at`) after
  `OUTBOX_MAX_ATTEMPTS` attempts. The outcome is recorded only while the worker still holds its
  lease, so a worker that overran it never overwrites the outcome of the one that took over.

Delivery is at least once: a worker that dies between sending and recording sends the message
again when its lease runs out. Every message therefore carries an id that stays the same
across attempts (an e-mail's `Message-ID`, a webhook's `X-Webhook-Id`) so that its receiver
can drop the duplicate.

Once the writing transaction commits, `outbox_publish_on_commit` asks a worker to deliver (one
Celery task, `core.deliver_outbox`, for every kind). With the broker down the rows wait in the
database and the periodic deadline sweep asks again; no due time ever lives in the broker.

This module imports no app: the apps register their kinds when they are ready.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .metrics import OUTBOX_FAILURES, OUTBOX_GIVEN_UP, OUTBOX_SENT
from .scoping import unscoped

logger = logging.getLogger(__name__)

# Stored errors are for people reading the admin, not for a full traceback.
ERROR_LENGTH = 2000


class OutboxState(models.TextChoices):
    """Where a message is in the protocol (worked out from its timestamps, never stored)."""

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    GIVEN_UP = "given_up", _("Given up")


class OutboxMixin(models.Model):
    """The delivery state of one outgoing message. Written by this module only, apart from
    `outbox_due_at`, which the writer sets (or leaves empty when nothing is owed)."""

    outbox_due_at = models.DateTimeField(
        _("next attempt at"),
        null=True,
        blank=True,
        help_text=_("Empty when nothing is to be sent."),
    )
    outbox_attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    outbox_claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    outbox_sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    outbox_given_up_at = models.DateTimeField(_("given up at"), null=True, blank=True)
    outbox_last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        abstract = True

    @property
    def outbox_state(self) -> OutboxState | None:
        """None when nothing is owed."""
        if self.outbox_sent_at is not None:
            return OutboxState.SENT
        if self.outbox_given_up_at is not None:
            return OutboxState.GIVEN_UP
        if self.outbox_due_at is None:
            return None
        if self.outbox_claimed_until is not None and self.outbox_claimed_until > timezone.now():
            return OutboxState.SENDING
        return OutboxState.PENDING


def outbox_due_index(name: str) -> models.Index:
    """The partial index delivery reads: messages still owed, in the order they are due. Each
    model adds it to its own `Meta.indexes` under its own name."""
    return models.Index(
        fields=["outbox_due_at"],
        name=name,
        condition=Q(
            outbox_due_at__isnull=False,
            outbox_sent_at__isnull=True,
            outbox_given_up_at__isnull=True,
        ),
    )


def outbox_state_q(state: str, now: datetime) -> Q:
    """The rows in `state` at `now` (what the admin filters by)."""
    leased = Q(outbox_claimed_until__gt=now)
    owed = Q(outbox_due_at__isnull=False, outbox_sent_at=None, outbox_given_up_at=None)
    if state == OutboxState.SENT:
        return Q(outbox_sent_at__isnull=False)
    if state == OutboxState.GIVEN_UP:
        return Q(outbox_sent_at=None, outbox_given_up_at__isnull=False)
    if state == OutboxState.SENDING:
        return owed & leased
    if state == OutboxState.PENDING:
        return owed & ~leased
    raise ValueError(f"unknown outbox state {state!r}")


def outbox_owed_q() -> Q:
    """The rows still owed, due now or later, neither sent nor given up (what
    `outbox_due_index` holds)."""
    return Q(outbox_due_at__isnull=False, outbox_sent_at=None, outbox_given_up_at=None)


def _due(now: datetime) -> Q:
    return Q(outbox_due_at__lte=now, outbox_sent_at=None, outbox_given_up_at=None) & (
        Q(outbox_claimed_until=None) | Q(outbox_claimed_until__lte=now)
    )


# --- the kinds of message -------------------------------------------------------------

# A send function sends one claimed row (its `related` rows loaded) and returns the columns of
# its own model to store with the success (or None); it raises to report a failure.
SendFunction = Callable[[Any], dict[str, Any] | None]


class SendFailed(Exception):
    """Raised by a send function whose message was refused (e.g. an HTTP 500): `error` is
    stored as the row's last error as it is, `changes` (columns of the row's own model) with
    it. Any other exception is stored as `<type>: <message>`."""

    def __init__(self, error: str, *, reason: str = "refused", **changes: Any) -> None:
        super().__init__(error)
        self.error = error
        # The metrics' label for the failure (core.metrics.OUTBOX_FAILURES): a few fixed
        # values per kind, e.g. "http_5xx" or "ConnectionError", never the error's text.
        self.reason = reason
        self.changes = changes


@dataclass(frozen=True)
class Outbox:
    """One kind of message: its model, how to send a row, what to load with it."""

    name: str  # in the log: "email 12: attempt 3 failed"
    label: str  # for people: "E-mails"
    model: type[OutboxMixin]
    send: SendFunction
    related: tuple[str, ...] = ()
    # The channel the metrics name the kind's messages by (e-mail, webhook, sms): the same
    # for every row, or read from a column of the row (`channel_field`, with its `channels`).
    channel: str = ""
    channel_field: str = ""
    channels: tuple[str, ...] = ()

    def channel_of(self, row: Any) -> str:
        return str(getattr(row, self.channel_field)) if self.channel_field else self.channel


_OUTBOXES: dict[str, Outbox] = {}


def outbox_register(
    *,
    name: str,
    label: str,
    model: type[OutboxMixin],
    send: SendFunction,
    related: Iterable[str] = (),
    channel: str = "",
    channel_field: str = "",
    channels: Iterable[str] = (),
) -> None:
    """Make a kind of message deliverable (called from the owning app's `ready()`). Its
    metrics name it by `channel`, or by the value of the row's `channel_field` (one of
    `channels`) when its messages go out through several."""
    _OUTBOXES[name] = Outbox(
        name=name,
        label=label,
        model=model,
        send=send,
        related=tuple(related),
        channel=channel or name,
        channel_field=channel_field,
        channels=tuple(channels),
    )


def outboxes(names: Iterable[str] | None = None) -> list[Outbox]:
    if names is None:
        return list(_OUTBOXES.values())
    return [_OUTBOXES[name] for name in names]


# --- settings -------------------------------------------------------------------------


def max_attempts() -> int:
    return int(settings.OUTBOX_MAX_ATTEMPTS)


def lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: the base, doubled after each further
    failure, at most the cap."""
    base = settings.OUTBOX_BACKOFF_BASE_SECONDS
    cap = settings.OUTBOX_BACKOFF_CAP_SECONDS
    doublings = min(max(attempts - 1, 0), 62)
    return timedelta(seconds=min(base * 2**doublings, cap))


# --- delivery -------------------------------------------------------------------------


@unscoped("outbox")
def outbox_pending_count(*, names: Iterable[str] | None = None) -> int:
    """How many messages a delivery would send now."""
    now = timezone.now()
    return sum(
        outbox.model._default_manager.filter(_due(now)).count() for outbox in outboxes(names)
    )


@unscoped("outbox")
def outbox_deliver(*, limit: int = 200, names: Iterable[str] | None = None) -> int:
    """Send up to `limit` due messages of each kind (all registered kinds, or those named),
    the longest due first; returns how many were sent.

    Invariant: a row is claimed before it is sent, so deliveries running at once send each
    row once; a failure is retried after the backoff and given up after the last attempt.
    Call it outside a transaction, so that each claim and each outcome commits at once.
    """
    sent = 0
    for outbox in outboxes(names):
        ids = list(
            outbox.model._default_manager.filter(_due(timezone.now()))
            .order_by("outbox_due_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        for pk in ids:
            if _deliver_one(outbox, pk) == OutboxState.SENT:
                sent += 1
    return sent


@unscoped("outbox")
def outbox_deliver_one(
    *, name: str, pk: Any, send: SendFunction | None = None
) -> OutboxState | None:
    """Send one row if it is due; returns its state afterwards, or None when it was not due
    (sent, given up, waiting for its backoff, or held by another worker). `send` replaces
    the kind's send function (tests hand in a stand-in for the network).

    Invariant: as `outbox_deliver`.
    """
    return _deliver_one(_OUTBOXES[name], pk, send=send)


def _deliver_one(
    outbox: Outbox, pk: Any, *, send: SendFunction | None = None
) -> OutboxState | None:
    manager = outbox.model._default_manager
    now = timezone.now()
    claimed_until = now + lease()
    claimed = manager.filter(_due(now), pk=pk, outbox_attempts__lt=max_attempts()).update(
        outbox_claimed_until=claimed_until, outbox_attempts=F("outbox_attempts") + 1
    )
    if claimed != 1:
        return _give_up_lost(outbox, pk, now)
    row = manager.select_related(*outbox.related).get(pk=pk)
    try:
        changes = (send or outbox.send)(row) or {}
    except SendFailed as failure:
        return _failed(outbox, row, claimed_until, failure.error, failure.changes, failure.reason)
    except Exception as exc:
        # Whatever went wrong (the SMTP server, a template, the network), the row keeps it
        # and is tried again; the traceback goes to the log.
        error = f"{type(exc).__name__}: {exc}"
        reason = type(exc).__name__
        return _failed(outbox, row, claimed_until, error, {}, reason, traceback=True)
    OUTBOX_SENT.labels(outbox=outbox.name, channel=outbox.channel_of(row)).inc()
    recorded = _record(
        outbox,
        row,
        claimed_until,
        outbox_sent_at=timezone.now(),
        outbox_claimed_until=None,
        outbox_last_error="",
        **changes,
    )
    return OutboxState.SENT if recorded else None


def _give_up_lost(outbox: Outbox, pk: Any, now: datetime) -> OutboxState | None:
    """A row due again after its last attempt's lease ran out: the worker died while
    sending it (killed, out of memory, a send that outlived the lease). It is given up
    rather than sent for ever; None when the row was simply not due."""
    lost = outbox.model._default_manager.filter(
        _due(now), pk=pk, outbox_attempts__gte=max_attempts()
    ).update(
        outbox_given_up_at=now,
        outbox_claimed_until=None,
        outbox_last_error="The worker sending the last attempt stopped before recording it.",
    )
    if lost != 1:
        return None
    channel = outbox.channel
    if outbox.channel_field:
        channel = str(
            outbox.model._default_manager.filter(pk=pk)
            .values_list(outbox.channel_field, flat=True)
            .first()
        )
    OUTBOX_GIVEN_UP.labels(outbox=outbox.name, channel=channel).inc()
    logger.error("%s %s: given up, its last attempt's worker was lost", outbox.name, pk)
    return OutboxState.GIVEN_UP


def _failed(
    outbox: Outbox,
    row: Any,
    claimed_until: datetime,
    error: str,
    changes: dict[str, Any],
    reason: str,
    *,
    traceback: bool = False,
) -> OutboxState | None:
    now = timezone.now()
    attempts = row.outbox_attempts
    channel = outbox.channel_of(row)
    OUTBOX_FAILURES.labels(outbox=outbox.name, channel=channel, reason=reason).inc()
    if attempts >= max_attempts():
        OUTBOX_GIVEN_UP.labels(outbox=outbox.name, channel=channel).inc()
        state = OutboxState.GIVEN_UP
        changes = {**changes, "outbox_given_up_at": now}
        logger.error(
            "%s %s: given up after %d attempts: %s",
            outbox.name,
            row.pk,
            attempts,
            error,
            exc_info=traceback,
        )
    else:
        state = OutboxState.PENDING
        changes = {**changes, "outbox_due_at": now + backoff(attempts)}
        logger.warning(
            "%s %s: attempt %d failed: %s",
            outbox.name,
            row.pk,
            attempts,
            error,
            exc_info=traceback,
        )
    recorded = _record(
        outbox,
        row,
        claimed_until,
        outbox_claimed_until=None,
        outbox_last_error=error[:ERROR_LENGTH],
        **changes,
    )
    return state if recorded else None


def _record(outbox: Outbox, row: Any, claimed_until: datetime, **changes: Any) -> bool:
    # Only while this worker still holds its lease: once it ran out, another worker may
    # have claimed the row again, and that worker's outcome is the one that counts.
    recorded = outbox.model._default_manager.filter(
        pk=row.pk, outbox_claimed_until=claimed_until
    ).update(**changes)
    if not recorded:
        logger.warning(
            "%s %s: the lease ran out before the outcome was recorded", outbox.name, row.pk
        )
    return recorded == 1


# --- publishing -----------------------------------------------------------------------


def outbox_publish_on_commit() -> None:
    """Ask a worker to deliver the outbox once the current transaction commits (at once
    outside a transaction); nothing is asked if it rolls back."""
    transaction.on_commit(outbox_publish)


def outbox_publish() -> None:
    """Ask a worker to deliver the outbox now. Never fails the caller, and waits for a broker
    that is down no longer than its connection timeout (`CELERY_PUBLISH_TIMEOUT`): the rows
    wait in the database and the next sweep asks again."""
    from .tasks import deliver_outbox

    try:
        app = deliver_outbox.app
        timeout = app.conf.broker_connection_timeout
        with app.connection_for_write(connect_timeout=timeout) as connection:
            deliver_outbox.apply_async(connection=connection, retry=False)
    except Exception:
        logger.warning(
            "Could not queue the outbox's delivery; the next sweep asks again.", exc_info=True
        )
