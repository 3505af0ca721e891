"""What the API stores: dealer-bound API keys, idempotency records and outbound webhooks."""

from __future__ import annotations

import secrets
from typing import ClassVar
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager

from core.models import DealerOwned
from core.outbox import OutboxMixin, outbox_due_index
from core.scoping import ScopedManagerMixin, ScopedQuerySet
from dealers.models import Dealer

from .network import check_host, loopback_allowed

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class DealerApiKeyManager(ScopedManagerMixin, APIKeyManager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    """The key manager (`create_key`), with dealer scoping like every dealer-owned model."""


class DealerApiKey(DealerOwned, AbstractAPIKey):
    """One key per DMS connection, bound to one dealer; stored hashed, shown once.

    A key acts with an advisor's rights at its dealer, so it can never approve a decision.
    Keys are revoked (in the admin), never deleted, so the timeline keeps naming them.
    """

    dealer = models.ForeignKey(
        Dealer, on_delete=models.PROTECT, related_name="api_keys", verbose_name=_("dealer")
    )

    objects: ClassVar[DealerApiKeyManager] = DealerApiKeyManager()

    class Meta(AbstractAPIKey.Meta):
        # The stubs type the inherited names as str; Django takes lazy translations.
        verbose_name = _("API key")  # type: ignore[assignment]
        verbose_name_plural = _("API keys")  # type: ignore[assignment]

    @property
    def audit_label(self) -> str:
        # The prefix is unique and not secret: the log names the exact key.
        return f"{self.name} ({self.prefix})"


class IdempotencyRecord(DealerOwned):
    """The first response to a POST sent with an `Idempotency-Key`, replayed on retries.

    `status_code` is NULL while the first request is still running.
    """

    client = models.CharField(_("client"), max_length=64)
    key = models.CharField(_("idempotency key"), max_length=255)
    dealer = models.ForeignKey(
        Dealer, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    response_body = models.BinaryField(_("response body"), default=b"")
    response_headers = models.JSONField(_("response headers"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_client_key"),
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.key}"


class WebhookEvent(models.TextChoices):
    CASE_CREATED = "case.created", _("Case created")
    CASE_TRANSITIONED = "case.transitioned", _("Case moved to another step")
    DEADLINE_BREACHED = "deadline.breached", _("Deadline breached")


def _new_secret() -> str:
    return secrets.token_hex(32)


def validate_webhook_url(value: str) -> None:
    """HTTPS to a public host only; plain HTTP to the loopback interface only in development
    and tests. Names are resolved and checked again before each delivery (integrations.network)."""
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.hostname:
        check_host(parts.hostname)
        return
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS and loopback_allowed():
        return
    raise ValidationError(_("A webhook endpoint must be an https:// URL."), code="https_required")


class WebhookEndpoint(DealerOwned):
    """An HTTPS endpoint a dealer registered for case events, with its signing secret."""

    dealer = models.ForeignKey(
        Dealer, on_delete=models.CASCADE, related_name="webhook_endpoints", verbose_name=_("dealer")
    )
    url = models.URLField(_("URL"), max_length=500, validators=[validate_webhook_url])
    events = models.JSONField(
        _("events"),
        default=list,
        blank=True,
        help_text=_("Event types to send; empty means all."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=128,
        default=_new_secret,
        help_text=_("Shared secret of the X-Signature HMAC-SHA256 header."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["dealer", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url

    def clean(self) -> None:
        unknown = [e for e in self.events or [] if e not in WebhookEvent.values]
        if not isinstance(self.events, list) or unknown:
            raise ValidationError(
                {"events": _("Choose among: %(events)s.") % {"events": ", ".join(WebhookEvent)}}
            )

    def wants(self, event_type: str) -> bool:
        return self.is_active and (not self.events or event_type in self.events)


class WebhookDelivery(OutboxMixin, DealerOwned):
    """One event for one endpoint: written with the change, sent and retried by the outbox
    (core.outbox). `payload["id"]` is the event's id: the same in every attempt and for every
    endpoint, sent as `X-Webhook-Id` so that a receiver can drop a duplicate.

    `log` keeps every attempt (time, HTTP status or error, duration).
    """

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    event_type = models.CharField(_("event"), max_length=32, choices=WebhookEvent.choices)
    payload = models.JSONField(_("payload"), encoder=DjangoJSONEncoder)
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    log = models.JSONField(_("attempt log"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [outbox_due_index("webhook_delivery_outbox_due")]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id} ({self.outbox_state})"
