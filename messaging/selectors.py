"""Every read of the messaging app, scoped to the reader."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from complaints.models import Complaint
from core.actors import Actor
from core.scoping import scoped
from dealers.models import Dealer

from .choices import MessageLanguage, MessagePurpose
from .defaults import DEFAULT_TEMPLATES
from .models import (
    DEFAULT_QUIET_FROM,
    DEFAULT_QUIET_UNTIL,
    CustomerMessage,
    MessageTemplate,
    MessagingSettings,
)


def message_list(*, actor: Actor, complaint: Complaint) -> QuerySet[CustomerMessage]:
    """The case's messages, newest first."""
    return scoped(CustomerMessage, actor).filter(complaint=complaint)


@dataclass
class TemplateText:
    purpose: str
    language: str
    subject: str
    body: str
    custom: bool


def message_template(*, actor: Actor, dealer: Dealer, purpose: str, language: str) -> TemplateText:
    """The dealer's own wording of a message, or the default."""
    own = (
        scoped(MessageTemplate, actor)
        .filter(dealer=dealer, purpose=purpose, language=language)
        .first()
    )
    if own is not None:
        return TemplateText(purpose, language, own.subject, own.body, custom=True)
    subject, body = DEFAULT_TEMPLATES[(purpose, language)]
    return TemplateText(purpose, language, subject, body, custom=False)


def message_templates(*, actor: Actor, dealer: Dealer) -> list[TemplateText]:
    """Every message in every language, the dealer's own wording where it has one."""
    own = {(t.purpose, t.language): t for t in scoped(MessageTemplate, actor).filter(dealer=dealer)}
    result = []
    for purpose in MessagePurpose.values:
        for language in MessageLanguage.values:
            template = own.get((purpose, language))
            if template is not None:
                result.append(
                    TemplateText(purpose, language, template.subject, template.body, True)
                )
            else:
                subject, body = DEFAULT_TEMPLATES[(purpose, language)]
                result.append(TemplateText(purpose, language, subject, body, False))
    return result


def messaging_settings(*, actor: Actor | None, dealer: Dealer) -> MessagingSettings:
    """The dealer's quiet hours (the defaults, unsaved, when it has set none). With no actor,
    for the system's own use (the sending service, already authorised)."""
    rows = (
        scoped(MessagingSettings, actor)
        if actor is not None
        else MessagingSettings.objects.unscoped(reason="system")
    )
    found = rows.filter(dealer=dealer).first()
    return found or MessagingSettings(
        dealer=dealer, quiet_from=DEFAULT_QUIET_FROM, quiet_until=DEFAULT_QUIET_UNTIL
    )
