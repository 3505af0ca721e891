"""Who is told what: recipients of each step of the ladder, messages in the recipient's
language, and the in-app rows with their e-mails (the outbox), written in the caller's
transaction.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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
from .models import Deadline, Notification

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
    memberships = (
        Membership.objects.unscoped(reason="system")
        .filter(dealer_id__in=set(dealer_ids), role=MANAGER, user__is_active=True)
        .select_related("user")
    )
    for membership in memberships.order_by("user_id"):
        if membership.dealer_id is not None:
            result.setdefault(membership.dealer_id, []).append(membership.user)
    return result


def regional_by_region(region_ids: Iterable[int]) -> dict[int, list[Any]]:
    result: dict[int, list[Any]] = {}
    memberships = (
        Membership.objects.unscoped(reason="system")
        .filter(region_id__in=set(region_ids), role=REGIONAL, user__is_active=True)
        .select_related("user")
    )
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
_translated: dict[str | None, dict[str, str]] = {}


def texts() -> dict[str, str]:
    """The texts above and the deadline kinds' labels, in the active language."""
    language = translation.get_language()
    found = _translated.get(language)
    if found is None:
        found = {key: str(source) for key, source in _TEXTS.items()}
        found.update((str(kind), str(kind.label)) for kind in DeadlineKind)
        _translated[language] = found
    return found


def due_text(deadline: Deadline) -> str:
    """The deadline's due time in the dealer's time zone (the sweep works it out once)."""
    return getattr(deadline, "due_text", None) or local_time(deadline.due_at, deadline.complaint)


def _message(deadline: Deadline, step: str, tail: str = "") -> tuple[str, str]:
    words = texts()
    complaint = deadline.complaint
    facts = {
        "kind": words[deadline.kind],
        "reference": complaint.reference,
        # The sweep annotates the name instead of loading every customer.
        "customer": getattr(deadline, "customer_name", None) or complaint.customer.name,
        "due": due_text(deadline),
        "promise": deadline.promise,
    }
    title = words[f"{step}_title"] % facts
    body = words[f"{step}_body"] % facts
    if deadline.promise:
        body += " " + words["promise"] % facts
    if tail:
        body += " " + words[tail]
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
    messages: dict[tuple[object, str], _Message] = {}
    to_render: dict[str, list[tuple[Draft, _Message]]] = {}
    for draft in drafts:
        language = language_of(draft.recipient)
        key = (draft.cache_key if draft.cache_key is not None else id(draft), language)
        message = messages.get(key)
        if message is None:
            message = messages[key] = _Message(
                complaint_id=draft.complaint.pk,
                deadline_id=draft.deadline.pk if draft.deadline is not None else None,
                kind=draft.kind,
            )
            to_render.setdefault(language, []).append((draft, message))
        message.recipients.append(draft.recipient)
    for language, pending in to_render.items():
        with translation.override(language):
            for draft, message in pending:
                title, body = draft.message()
                message.title, message.body = title[:200], body
    if connection.vendor == "postgresql":
        _write_set_based(list(messages.values()), now)
    else:
        _write_with_models(list(messages.values()), now)
    if any(draft.recipient.email for draft in drafts):
        transaction.on_commit(publish_delivery)
    return len(drafts)


@dataclass
class _Message:
    """One rendered message and everyone who gets it in that language."""

    complaint_id: int
    deadline_id: int | None
    kind: str
    title: str = ""
    body: str = ""
    recipients: list[Any] = field(default_factory=list)


def _write_with_models(messages: list[_Message], now: datetime) -> None:
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=recipient,
                complaint_id=message.complaint_id,
                deadline_id=message.deadline_id,
                kind=message.kind,
                title=message.title,
                body=message.body,
                created_at=now,
                email_to=recipient.email,
                email_due_at=now if recipient.email else None,
            )
            for message in messages
            for recipient in message.recipients
        ]
    )


def _write_set_based(messages: list[_Message], now: datetime) -> None:
    # A sweep writes thousands of rows: one statement over one JSON document instead of a
    # model instance per row. Each message travels once with its recipients' ids (a breach
    # goes to three or more people); JSON is parsed far faster than a long array literal.
    # Each row carries its e-mail: the recipient's address, due now, when there is one.
    notification = Notification._meta.db_table
    document = json.dumps(
        [
            {
                "complaint": message.complaint_id,
                "deadline": message.deadline_id,
                "kind": message.kind,
                "title": message.title,
                "body": message.body,
                "recipients": [[recipient.pk, recipient.email] for recipient in message.recipients],
            }
            for message in messages
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {notification}
                (recipient_id, complaint_id, deadline_id, kind, title, body, created_at,
                 email_to, email_due_at, email_attempts, email_last_error)
            SELECT (r ->> 0)::bigint, m.complaint, m.deadline, m.kind, m.title, m.body, %s,
                   r ->> 1, CASE WHEN r ->> 1 <> '' THEN %s::timestamptz END, 0, ''
            FROM json_to_recordset(%s::json) AS m (
                complaint bigint, deadline bigint, kind text, title text, body text,
                recipients json
            )
            CROSS JOIN LATERAL json_array_elements(m.recipients) AS r
            """,  # noqa: S608 - table names from our models, values as parameters
            [now, now, document],
        )


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
