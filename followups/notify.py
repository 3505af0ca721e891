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
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

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
        result.setdefault(membership.dealer_id, []).append(membership.user)
    return result


def regional_by_region(region_ids: Iterable[int]) -> dict[int, list[Any]]:
    result: dict[int, list[Any]] = {}
    memberships = Membership.objects.filter(
        region_id__in=set(region_ids), role=REGIONAL, user__is_active=True
    ).select_related("user")
    for membership in memberships.order_by("user_id"):
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


def deadline_label(deadline: Deadline) -> str:
    return str(DeadlineKind(deadline.kind).label)


def _deadline_facts(deadline: Deadline) -> dict[str, str]:
    complaint = deadline.complaint
    return {
        "kind": deadline_label(deadline),
        "reference": complaint.reference,
        "customer": complaint.customer.name,
        "due": local_time(deadline.due_at, complaint),
        "promise": deadline.promise,
    }


def breach_message(deadline: Deadline) -> tuple[str, str]:
    facts = _deadline_facts(deadline)
    title = _("Missed: %(kind)s of case %(reference)s") % facts
    body = (
        _(
            "The %(kind)s deadline of case %(reference)s (customer %(customer)s) was due at "
            "%(due)s and has not been met."
        )
        % facts
    )
    if deadline.promise:
        body += " " + _("What was promised: “%(promise)s”.") % facts
    body += " " + _("Contact the customer now and record what happened.")
    return title, body


def escalation_message(deadline: Deadline) -> tuple[str, str]:
    facts = _deadline_facts(deadline)
    title = _("Still missed after 24 hours: %(kind)s of case %(reference)s") % facts
    body = (
        _(
            "The %(kind)s deadline of case %(reference)s (customer %(customer)s) was due at "
            "%(due)s and is still open a day later. The dealer needs the region's support."
        )
        % facts
    )
    if deadline.promise:
        body += " " + _("What was promised: “%(promise)s”.") % facts
    return title, body


def due_soon_message(deadline: Deadline) -> tuple[str, str]:
    facts = _deadline_facts(deadline)
    title = _("Due soon: %(kind)s of case %(reference)s") % facts
    body = (
        _(
            "The %(kind)s of case %(reference)s (customer %(customer)s) is due at %(due)s. "
            "If it will be missed, contact the customer in advance."
        )
        % facts
    )
    return title, body


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


def notifications_write(drafts: list[Draft], *, now: datetime | None = None) -> list[Notification]:
    """Write in-app notifications and their e-mails in the caller's transaction, then queue
    delivery once it commits. Each message is rendered once per language."""
    if not drafts:
        return []
    now = now or timezone.now()
    rendered: dict[tuple[object, str], tuple[str, str]] = {}
    notifications = []
    for draft in drafts:
        language = language_of(draft.recipient)
        key = (draft.cache_key if draft.cache_key is not None else id(draft), language)
        if key not in rendered:
            with translation.override(language):
                rendered[key] = draft.message()
        title, body = rendered[key]
        notifications.append(
            Notification(
                recipient=draft.recipient,
                complaint=draft.complaint,
                deadline=draft.deadline,
                kind=draft.kind,
                title=title[:200],
                body=body,
                created_at=now,
            )
        )
    Notification.objects.bulk_create(notifications)
    emails = [
        OutboxEmail(
            notification=notification,
            to_email=notification.recipient.email,
            next_attempt_at=now,
            created_at=now,
        )
        for notification in notifications
        if notification.recipient.email
    ]
    OutboxEmail.objects.bulk_create(emails)
    if emails:
        transaction.on_commit(publish_delivery)
    return notifications


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
