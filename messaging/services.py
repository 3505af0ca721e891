"""Every write of the messaging app: sending a message to a case's customer, what becomes of
it (delivered, failed), and each dealer's templates and quiet hours."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import services as complaint_services
from complaints.choices import EventKind
from complaints.models import Complaint, actor_user_id
from core.actors import Actor
from core.audit import audit_log, snapshot
from core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationFailed
from core.outbox import outbox_publish_on_commit
from core.scoping import MANAGER, roles_for, scoped
from core.text import require_storable
from dealers.models import Dealer
from followups.deadlines import deadlines_after_message_delivered
from followups.models import ContactAttempt

from . import selectors
from .choices import MessageChannel, MessageLanguage, MessagePurpose
from .models import CustomerMessage, MessageTemplate, MessagingSettings
from .quiet_hours import quiet_hours_end
from .rendering import MAX_BODY_LENGTH, Rendered, render, unknown_placeholders

# What SMS providers call a message that reached the phone, and one that never will.
RECEIPT_DELIVERED = frozenset({"delivered", "delivrd", "success"})
RECEIPT_FAILED = frozenset({"failed", "undelivered", "undeliv", "rejected", "expired"})


def _default_language() -> str:
    code = str(settings.LANGUAGE_CODE).lower()
    return code if code in MessageLanguage.values else MessageLanguage.ZH_HANS


def _choose(value: str, choices: list[str], field: str, errors: dict[str, list[str]]) -> None:
    if value not in choices:
        errors[field] = [_("Choose one of: %(values)s.") % {"values": ", ".join(choices)}]


def message_compose(
    *, complaint: Complaint, actor: Actor, purpose: str, language: str | None = None
) -> Rendered:
    """The message as it would go out now: the dealer's template (or the default) with the
    case's fields filled in. Missing fields are marked, never an error."""
    language = language or _default_language()
    errors: dict[str, list[str]] = {}
    _choose(purpose, MessagePurpose.values, "purpose", errors)
    _choose(language, MessageLanguage.values, "language", errors)
    if errors:
        raise ValidationFailed(errors)
    template = selectors.message_template(
        actor=actor, dealer=complaint.dealer, purpose=purpose, language=language
    )
    return render(
        complaint=complaint, subject=template.subject, body=template.body, language=language
    )


def preferred_channel(customer: Any) -> str:
    """The channel a message goes by when nobody chooses: e-mail for a customer who prefers
    it, a text to their phone otherwise (a phone call, WeChat or a visit cannot carry a
    message), whichever of the two the customer has an address for."""
    if customer.preferred_channel == MessageChannel.EMAIL and customer.email:
        return MessageChannel.EMAIL
    if customer.phone:
        return MessageChannel.SMS
    return MessageChannel.EMAIL if customer.email else MessageChannel.SMS


def message_send(
    *,
    complaint: Complaint,
    actor: Actor,
    purpose: str,
    language: str | None = None,
    channel: str | None = None,
) -> CustomerMessage:
    """Send the customer a message about their case, by SMS or e-mail.

    Invariant: the message has every field it names (a message with a gap is refused, not
    sent); it is logged as a contact and on the timeline in the same transaction as the
    outbox row that delivers it; in the dealer's quiet hours it waits until they end. Only
    a message delivered to the customer meets a deadline (followups.deadlines).
    """
    customer = complaint.customer
    # As it is now: its address may have changed, or it may have been erased.
    customer.refresh_from_db()
    channel = channel or preferred_channel(customer)
    errors: dict[str, list[str]] = {}
    _choose(channel, MessageChannel.values, "channel", errors)
    if errors:
        raise ValidationFailed(errors)
    if customer.erased_at is not None:
        raise ValidationFailed(
            {"channel": [_("The customer's personal data was erased: nobody to write to.")]}
        )
    recipient = customer.phone if channel == MessageChannel.SMS else customer.email
    if not recipient:
        raise ValidationFailed(
            {
                "channel": [
                    _("The customer has no mobile number.")
                    if channel == MessageChannel.SMS
                    else _("The customer has no e-mail address.")
                ]
            }
        )
    language = language or _default_language()
    rendered = message_compose(complaint=complaint, actor=actor, purpose=purpose, language=language)
    if rendered.missing:
        raise ValidationFailed(
            {
                "purpose": [
                    _("This message needs what the case does not have yet: %(fields)s.")
                    % {"fields": ", ".join(rendered.missing)}
                ]
            }
        )
    now = timezone.now()
    key = uuid.uuid4()
    with transaction.atomic():
        # Locks the case and checks that the actor works it. The event names its message,
        # whose delivery state it shows when read (messaging.timeline).
        event = complaint_services.complaint_record_event(
            complaint=complaint,
            actor=actor,
            kind=EventKind.CONTACT,
            payload={
                "message": str(key),
                "purpose": purpose,
                "channel": channel,
                "language": language,
            },
        )
        locked = event.complaint
        if not locked.is_open:
            raise TransitionNotAllowed(_("The case is closed: no more messages can be sent."))
        contact = ContactAttempt.objects.create(
            complaint=locked,
            channel=channel,
            # A message has no outcome of its own: whether it reached the customer is its
            # delivery state.
            outcome="",
            note=rendered.body,
            contacted_at=now,
            actor_id=actor_user_id(actor),
            actor_label=event.actor_label,
        )
        quiet = selectors.messaging_settings(actor=None, dealer=locked.dealer)
        due = quiet_hours_end(
            at=now,
            tzinfo=locked.dealer.tzinfo,
            quiet_from=quiet.quiet_from,
            quiet_until=quiet.quiet_until,
        )
        message = CustomerMessage.objects.create(
            key=key,
            complaint=locked,
            contact=contact,
            purpose=purpose,
            language=language,
            channel=channel,
            recipient=recipient,
            subject=rendered.subject if channel == MessageChannel.EMAIL else "",
            body=rendered.body,
            actor_id=actor_user_id(actor),
            actor_label=event.actor_label,
            outbox_due_at=due or now,
        )
        outbox_publish_on_commit()
    return message


def message_mark_delivered(*, message: CustomerMessage, at: datetime | None = None) -> bool:
    """The message reached the customer: it meets the case's first response and progress
    update (followups.deadlines). Returns False when it was already known delivered: a
    receipt repeated by the provider changes nothing."""
    at = at or timezone.now()
    with transaction.atomic():
        done = (
            CustomerMessage.objects.unscoped(reason="instance")
            .filter(pk=message.pk, delivered_at=None)
            .update(delivered_at=at, failed_at=None, failure="")
        )
        if done != 1:
            return False
        # The case of a message the caller holds, locked as every service that changes its
        # deadlines does.
        complaint = (
            Complaint.objects.unscoped(reason="instance")
            .select_for_update(of=("self",))
            .select_related("dealer")
            .get(pk=message.complaint_id)
        )
        if complaint.is_open:
            deadlines_after_message_delivered(
                complaint=complaint,
                delivered_at=at,
                channel=message.channel,
            )
    message.delivered_at = at
    return True


def message_mark_failed(
    *, message: CustomerMessage, reason: str, at: datetime | None = None
) -> bool:
    """The provider gave the message up (a wrong number, a phone off for days). A message
    already delivered stays delivered."""
    done = (
        CustomerMessage.objects.unscoped(reason="instance")
        .filter(pk=message.pk, delivered_at=None, failed_at=None)
        .update(failed_at=at or timezone.now(), failure=reason[:200])
    )
    return done == 1


def message_receipt(
    *, channel: str, provider_id: str, status: str, error: str = ""
) -> CustomerMessage | None:
    """A delivery receipt from a provider, for the message it calls `provider_id`. Returns
    the message, or None when no message has that id. A status that is neither delivered
    nor failed (accepted, queued at the operator) changes nothing."""
    if not provider_id:
        return None
    # The provider acts for no dealer: the id it gave for the message is the key.
    message = (
        CustomerMessage.objects.unscoped(reason="system")
        .filter(channel=channel, provider_id=provider_id)
        .first()
    )
    if message is None:
        return None
    status = status.strip().lower()
    if status in RECEIPT_DELIVERED:
        message_mark_delivered(message=message)
    elif status in RECEIPT_FAILED:
        message_mark_failed(message=message, reason=error or status)
    return message


# --- the dealer's templates and quiet hours ----------------------------------------------

TEMPLATE_FIELDS = ("subject", "body")
SUBJECT_LENGTH = 200


def _require_manager(actor: Actor, dealer: Dealer) -> None:
    if MANAGER not in roles_for(actor, dealer.pk):
        raise PermissionDenied(_("Only a manager of this dealer may change its messages."))


def message_template_update(
    *, dealer: Dealer, actor: Actor, purpose: str, language: str, subject: str, body: str
) -> MessageTemplate:
    """Set the dealer's own wording of one message (managers only).

    Invariant: a template uses only the case fields the product knows, so a message can
    always be filled in; the change is in the audit log.
    """
    _require_manager(actor, dealer)
    errors: dict[str, list[str]] = {}
    _choose(purpose, MessagePurpose.values, "purpose", errors)
    _choose(language, MessageLanguage.values, "language", errors)
    require_storable({"subject": subject, "body": body}, max_length=MAX_BODY_LENGTH)
    subject, body = subject.strip(), body.strip()
    if len(subject) > SUBJECT_LENGTH:
        errors["subject"] = [
            _("A subject may have at most %(limit)d characters.") % {"limit": SUBJECT_LENGTH}
        ]
    if not body:
        errors["body"] = [_("Write the text of the message.")]
    elif len(body) > MAX_BODY_LENGTH:
        errors["body"] = [
            _("A message may have at most %(limit)d characters.") % {"limit": MAX_BODY_LENGTH}
        ]
    for name, text in (("subject", subject), ("body", body)):
        if unknown := unknown_placeholders(text):
            errors.setdefault(name, []).append(
                _("Unknown fields: %(fields)s.")
                % {"fields": ", ".join(f"{{{u}}}" for u in unknown)}
            )
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        rows = scoped(MessageTemplate, actor, write=True)
        current = (
            rows.select_for_update()
            .filter(dealer=dealer, purpose=purpose, language=language)
            .first()
        )
        before = snapshot(current, TEMPLATE_FIELDS) if current is not None else {}
        template, _created = rows.update_or_create(
            dealer=dealer,
            purpose=purpose,
            language=language,
            defaults={"subject": subject, "body": body},
        )
        audit_log(
            actor=actor,
            action="message_template.changed",
            target=template,
            dealer_id=dealer.pk,
            before=before,
            after=snapshot(template, TEMPLATE_FIELDS),
            data={"purpose": purpose, "language": language},
        )
    return template


def message_template_reset(*, dealer: Dealer, actor: Actor, purpose: str, language: str) -> None:
    """Drop the dealer's own wording: the default applies again (managers only)."""
    _require_manager(actor, dealer)
    with transaction.atomic():
        current = (
            scoped(MessageTemplate, actor, write=True)
            .select_for_update()
            .filter(dealer=dealer, purpose=purpose, language=language)
            .first()
        )
        if current is None:
            return
        audit_log(
            actor=actor,
            action="message_template.reset",
            target=current,
            dealer_id=dealer.pk,
            before=snapshot(current, TEMPLATE_FIELDS),
            data={"purpose": purpose, "language": language},
        )
        current.delete()


def messaging_settings_update(
    *, dealer: Dealer, actor: Actor, quiet_from: time, quiet_until: time
) -> MessagingSettings:
    """Set the dealer's quiet hours (managers only; equal times: none). In the audit log."""
    _require_manager(actor, dealer)
    if not isinstance(quiet_from, time) or not isinstance(quiet_until, time):
        raise ValidationFailed({"quiet_from": [_("Give the times as HH:MM.")]})
    fields = ("quiet_from", "quiet_until")
    with transaction.atomic():
        rows = scoped(MessagingSettings, actor, write=True)
        current = rows.select_for_update().filter(dealer=dealer).first()
        before = snapshot(current, fields) if current is not None else {}
        result, _created = rows.update_or_create(
            dealer=dealer, defaults={"quiet_from": quiet_from, "quiet_until": quiet_until}
        )
        audit_log(
            actor=actor,
            action="messaging_settings.changed",
            target=result,
            dealer_id=dealer.pk,
            before=before,
            after=snapshot(result, fields),
        )
    return result
