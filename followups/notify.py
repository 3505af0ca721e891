"""Who is told what: recipients of each step of the ladder, messages in the recipient's
language, and the in-app rows plus their outbox e-mails, written in the caller's transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.models import Complaint
from core.scoping import MANAGER, REGIONAL
from dealers.models import Membership

from .choices import DeadlineKind
from .models import Deadline, Notification, OutboxEmail

logger = logging.getLogger(__name__)


def language_of(user: Any) -> str:
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def local_time(moment: datetime, complaint: Complaint) -> str:
    """A time as the dealer's staff read it: in the dealer's time zone."""
    local = timezone.localtime(moment, complaint.dealer.tzinfo)
    return f"{local:%Y-%m-%d %H:%M} ({complaint.dealer.timezone})"


# --- recipients -----------------------------------------------------------------------


def managers_by_dealer(dealer_ids: Iterable[int]) -> dict[int, list[Any]]:
    result: dict[int, list[Any]] = {}
    memberships = Membership.objects.filter(
        dealer_id__in=set(dealer_ids), role=MANAGER, user__is_active=True
    ).select_related("user")
    for membership in memberships.order_by("user_id"):
        if membership.dealer_id is not None:
            result.setdefault(membership.dealer_id, []).append(membership.user)
    return result


def regional_by_region(region_ids: Iterable[int]) -> dict[int, list[Any]]:
    result: dict[int, list[Any]] = {}
    memberships = Membership.objects.filter(
        region_id__in=set(region_ids), role=REGIONAL, user__is_active=True
    ).select_related("user")
    for membership in memberships.order_by("user_id"):
        if membership.region_id is not None:
            result.setdefault(membership.region_id, []).append(membership.user)
    return result


def case_owners(complaint: Complaint, deadline: Deadline | None = None) -> list[Any]:
    """Who works the case: the deadline's owner (or the assignee) and a co-owning manager."""
    people = []
    owner = deadline.owner if deadline is not None and deadline.owner_id else None
    for user in (owner or complaint.assignee, complaint.co_owner):
        if user is not None and user.is_active:
            people.append(user)
    return people


def unique_users(*groups: Iterable[Any]) -> list[Any]:
    seen: set[int] = set()
    result = []
    for group in groups:
        for user in group:
            if user.pk not in seen:
                seen.add(user.pk)
                result.append(user)
    return result


# --- messages -------------------------------------------------------------------------


# The sweep renders thousands of messages: each text is translated once per language.
_TEXTS = {
    "breach_title": gettext_lazy("Missed: %(kind)s of case %(reference)s"),
    "breach_body": gettext_lazy(
        "The %(kind)s deadline of case %(reference)s (customer %(customer)s) was due at "
        "%(due)s and has not been met."
    ),
    "breach_tail": gettext_lazy("Contact the customer now and record what happened."),
    "escalation_title": gettext_lazy("Still missed after 24 hours: %(kind)s of case %(reference)s"),
    "escalation_body": gettext_lazy(
        "The %(kind)s deadline of case %(reference)s (customer %(customer)s) was due at "
        "%(due)s and is still open a day later. The dealer needs the region's support."
    ),
    "due_soon_title": gettext_lazy("Due soon: %(kind)s of case %(reference)s"),
    "due_soon_body": gettext_lazy(
        "The %(kind)s of case %(reference)s (customer %(customer)s) is due at %(due)s. "
        "If it will be missed, contact the customer in advance."
    ),
    "promise": gettext_lazy("What was promised: “%(promise)s”."),
    "event_breached": gettext_lazy("Deadline missed: %(kind)s, due %(due)s"),
    "event_escalated": gettext_lazy("Deadline still missed after 24 hours: %(kind)s, due %(due)s"),
}
_translated: dict[tuple[str, str | None], str] = {}


def text(key: str) -> str:
    """One of the texts above, in the active language."""
    language = translation.get_language()
    found = _translated.get((key, language))
    if found is None:
        source = _TEXTS[key] if key in _TEXTS else DeadlineKind(key).label
        found = _translated[(key, language)] = str(source)
    return found


def deadline_label(deadline: Deadline) -> str:
    return text(deadline.kind)


def _deadline_facts(deadline: Deadline) -> dict[str, str]:
    complaint = deadline.complaint
    return {
        "kind": deadline_label(deadline),
        "reference": complaint.reference,
        # The sweep annotates the name instead of loading every customer.
        "customer": getattr(deadline, "customer_name", None) or complaint.customer.name,
        "due": local_time(deadline.due_at, complaint),
        "promise": deadline.promise,
    }


def _message(deadline: Deadline, step: str, tail: str = "") -> tuple[str, str]:
    facts = _deadline_facts(deadline)
    title = text(f"{step}_title") % facts
    body = text(f"{step}_body") % facts
    if deadline.promise:
        body += " " + text("promise") % facts
    if tail:
        body += " " + text(tail)
    return title, body


def breach_message(deadline: Deadline) -> tuple[str, str]:
    return _message(deadline, "breach", "breach_tail")


def escalation_message(deadline: Deadline) -> tuple[str, str]:
    return _message(deadline, "escalation")


def due_soon_message(deadline: Deadline) -> tuple[str, str]:
    return _message(deadline, "due_soon")


def serious_message(complaint: Complaint) -> tuple[str, str]:
    facts = {"reference": complaint.reference, "dealer": str(complaint.dealer)}
    title = _("Serious complaint: case %(reference)s") % facts
    body = (
        _(
            "Case %(reference)s at %(dealer)s was classified as a serious complaint. "
            "Managers and regional staff are informed at once."
        )
        % facts
    )
    return title, body


def escalated_message(complaint: Complaint, who: str, reason: str) -> tuple[str, str]:
    facts = {"reference": complaint.reference, "who": who, "reason": reason}
    title = _("Escalated: case %(reference)s") % facts
    body = _("%(who)s asks the managers for support on case %(reference)s: %(reason)s") % facts
    return title, body


# --- writing --------------------------------------------------------------------------


@dataclass
class Draft:
    """One notification to write; `message` renders (title, body) in the active language."""

    recipient: Any
    kind: str
    complaint: Complaint
    message: Callable[[], tuple[str, str]]
    deadline: Deadline | None = None
    cache_key: object = None


def notifications_write(drafts: list[Draft], *, now: datetime | None = None) -> int:
    """Write in-app notifications and their e-mails in the caller's transaction, then queue
    delivery once it commits. Each message is rendered once per language. Returns how many
    notifications were written."""
    if not drafts:
        return 0
    now = now or timezone.now()
    rendered: dict[tuple[object, str], tuple[str, str]] = {}
    rows = []
    for draft in drafts:
        language = language_of(draft.recipient)
        key = (draft.cache_key if draft.cache_key is not None else id(draft), language)
        if key not in rendered:
            with translation.override(language):
                title, body = draft.message()
            rendered[key] = (title[:200], body)
        title, body = rendered[key]
        deadline_id = draft.deadline.pk if draft.deadline is not None else None
        rows.append((draft.recipient, draft.complaint.pk, deadline_id, draft.kind, title, body))
    if connection.vendor == "postgresql":
        emails = _write_set_based(rows, now)
    else:
        emails = _write_with_models(rows, now)
    if emails:
        transaction.on_commit(publish_delivery)
    return len(rows)


def _write_with_models(rows: list[tuple], now: datetime) -> int:
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient=recipient,
                complaint_id=complaint_id,
                deadline_id=deadline_id,
                kind=kind,
                title=title,
                body=body,
                created_at=now,
            )
            for recipient, complaint_id, deadline_id, kind, title, body in rows
        ]
    )
    emails = OutboxEmail.objects.bulk_create(
        [
            OutboxEmail(
                notification=notification,
                to_email=notification.recipient.email,
                next_attempt_at=now,
                created_at=now,
            )
            for notification in notifications
            if notification.recipient.email
        ]
    )
    return len(emails)


def _write_set_based(rows: list[tuple], now: datetime) -> int:
    # A sweep writes thousands of rows: two statements over arrays instead of building a
    # model instance per row. The e-mails are derived from the notifications just written.
    notification = Notification._meta.db_table
    outbox = OutboxEmail._meta.db_table
    user_table = Notification._meta.get_field("recipient").related_model._meta.db_table
    columns = list(zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH written AS (
                INSERT INTO {notification}
                    (recipient_id, complaint_id, deadline_id, kind, title, body, created_at)
                SELECT r, c, d, k, t, b, %s
                FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::text[], %s::text[],
                            %s::text[]) AS rows (r, c, d, k, t, b)
                RETURNING id, recipient_id
            )
            INSERT INTO {outbox}
                (notification_id, to_email, attempts, next_attempt_at, last_error, created_at)
            SELECT written.id, u.email, 0, %s, '', %s
            FROM written JOIN {user_table} u ON u.id = written.recipient_id
            WHERE u.email <> ''
            """,  # noqa: S608 - table names from our models, values as parameters
            [
                now,
                [recipient.pk for recipient in columns[0]],
                list(columns[1]),
                list(columns[2]),
                list(columns[3]),
                list(columns[4]),
                list(columns[5]),
                now,
                now,
            ],
        )
        return cursor.rowcount


def publish_delivery() -> None:
    """Ask a worker to deliver the outbox now. Never blocks or fails the caller: with the
    broker down, the rows wait in the outbox and the next sweep delivers them."""
    from config.celery import app

    from .tasks import deliver_outbox

    try:
        timeout = app.conf.broker_connection_timeout
        with app.connection_for_write(connect_timeout=timeout) as connection:
            deliver_outbox.apply_async(connection=connection, retry=False)
    except Exception:
        logger.warning(
            "Could not queue e-mail delivery; the outbox keeps it for the next sweep.",
            exc_info=True,
        )
