"""How a message leaves: one small backend per channel, chosen by a setting as Django's
e-mail backend is (`CUSTOMER_SMS_BACKEND`, `CUSTOMER_EMAIL_BACKEND`).

A backend's `send` hands one message over and says whether that already counts as delivered:
the file, console and e-mail backends have nobody to report more (a mail server that
accepted the message is as far as anyone can tell), the HTTP SMS adapter waits for the
provider's delivery receipt (messaging.views.sms_receipt). It raises to report a failure;
the outbox (core.outbox) tries again later. Every send carries the message's `key`, the same
in every attempt, by which the provider can drop a repeat.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.module_loading import import_string

from core.outbox import SendFailed

from .choices import MessageChannel


@dataclass(frozen=True)
class Outgoing:
    key: str
    channel: str
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class Handed:
    """What a backend did with a message: the provider's id for it (for its receipts), and
    whether it counts as delivered now or only once a receipt says so."""

    provider_id: str = ""
    delivered: bool = True


class MessageBackend:
    def send(self, message: Outgoing) -> Handed:
        raise NotImplementedError


class FileBackend(MessageBackend):
    """Writes each message as a JSON file under `CUSTOMER_MESSAGE_FILE_PATH` (var/messages):
    development and demos, where nobody must really be texted."""

    def send(self, message: Outgoing) -> Handed:
        folder = Path(settings.CUSTOMER_MESSAGE_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        record = {**message.__dict__, "handed_at": timezone.now().isoformat()}
        # One file per message, named by its key: a repeated send rewrites the same file.
        path = folder / f"{message.channel}-{message.key}.json"
        path.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
        return Handed(provider_id=f"file:{message.key}")


class ConsoleBackend(MessageBackend):
    def send(self, message: Outgoing) -> Handed:
        sys.stdout.write(
            f"[{message.channel} to {message.to}] {message.subject}\n{message.body}\n\n"
        )
        return Handed(provider_id=f"console:{message.key}")


class EmailBackend(MessageBackend):
    """Through Django's mailer (`EMAIL_BACKEND`, SMTP in production)."""

    def send(self, message: Outgoing) -> Handed:
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "localhost"
        message_id = f"<message-{message.key}@{domain}>"
        EmailMessage(
            subject=message.subject,
            body=message.body,
            to=[message.to],
            headers={"Message-ID": message_id},
        ).send()
        return Handed(provider_id=message_id)


class HttpSmsBackend(MessageBackend):
    """A generic HTTP SMS gateway: `POST SMS_HTTP_URL` with a JSON body
    `{"to", "text", "reference"}` and `Authorization: Bearer SMS_HTTP_TOKEN`; a 2xx answer
    carries the provider's id of the message (`{"id": "..."}`). The provider reports the
    delivery later to `/messaging/receipts/sms/` (see messaging.views.sms_receipt)."""

    def __init__(self) -> None:
        self.url = settings.SMS_HTTP_URL
        if not self.url:
            raise ImproperlyConfigured("HttpSmsBackend needs SMS_HTTP_URL.")
        self.token = settings.SMS_HTTP_TOKEN
        self.timeout = settings.SMS_HTTP_TIMEOUT

    def post(self, payload: dict[str, Any]) -> requests.Response:
        return requests.post(
            self.url,
            json=payload,
            headers={"Authorization": f"Bearer {self.token}"} if self.token else {},
            timeout=self.timeout,
            allow_redirects=False,
        )

    def send(self, message: Outgoing) -> Handed:
        response = self.post({"to": message.to, "text": message.body, "reference": message.key})
        if not 200 <= response.status_code < 300:
            raise SendFailed(f"HTTP {response.status_code}: {response.text[:200]}")
        try:
            provider_id = str(response.json()["id"])[:100]
        except (ValueError, KeyError, TypeError):
            raise SendFailed("The SMS provider's answer names no message id.") from None
        return Handed(provider_id=provider_id, delivered=False)


@cache
def _backend_class(path: str) -> type[MessageBackend]:
    backend = import_string(path)
    if not (isinstance(backend, type) and issubclass(backend, MessageBackend)):
        raise ImproperlyConfigured(f"{path} is not a messaging.senders.MessageBackend.")
    return backend


def backend_for(channel: str) -> MessageBackend:
    path = (
        settings.CUSTOMER_SMS_BACKEND
        if channel == MessageChannel.SMS
        else settings.CUSTOMER_EMAIL_BACKEND
    )
    return _backend_class(path)()
