"""The e-mail a notification owes: what the outbox (core.outbox) sends for it.

The outbox delivers at least once, so the same e-mail may go out twice when a worker dies
between sending and recording it. Each e-mail has a `Message-ID` made from its notification,
the same in every attempt, by which a mail system recognises and drops the repeat.
"""

from __future__ import annotations

import re
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from .models import Notification
from .notify import language_of

# The name of e-mails among the outbox's kinds of message.
OUTBOX_NAME = "email"


def notification_message_id(notification: Notification) -> str:
    """`<notification-{id}.{created, unix time}.{dealer code or "site"}@{sender's domain}>`.

    Made only of what never changes for a notification, so every attempt carries the same
    one; the creation time keeps it unique when a database is rebuilt and its ids begin again.
    """
    complaint = notification.complaint
    dealer = complaint.dealer.code if complaint is not None else "site"
    # A Message-ID's left part allows letters, digits and a few symbols; codes are free text.
    dealer = re.sub(r"[^A-Za-z0-9-]+", "-", dealer).strip("-").lower() or "dealer"
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    created = int(notification.created_at.timestamp())
    return f"<notification-{notification.pk}.{created}.{dealer}@{domain}>"


def notification_email(notification: Notification) -> EmailMessage:
    """The notification as an e-mail in its recipient's language."""
    recipient = notification.recipient
    context = {
        "notification": notification,
        "recipient": recipient,
        "complaint": notification.complaint,
    }
    with translation.override(language_of(recipient)):
        subject = render_to_string("followups/email/notification_subject.txt", context)
        body = render_to_string("followups/email/notification_body.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=[notification.email_to],
        headers={"Message-ID": notification_message_id(notification)},
    )


def notification_email_send(notification: Notification) -> None:
    """Send one claimed notification's e-mail; what the outbox calls. Raises when the mail
    server refuses it (the outbox retries)."""
    notification_email(notification).send()
