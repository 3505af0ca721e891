"""Messages to the customer about their case: each dealer's templates, its quiet hours, and
every message sent, with its delivery state (an outbox kind, see core.outbox)."""

from __future__ import annotations

import uuid
from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from core.models import DealerOwned
from core.outbox import OutboxMixin, outbox_due_index
from dealers.models import Dealer
from followups.models import ContactAttempt

from .choices import DeliveryState, MessageChannel, MessageLanguage, MessagePurpose

DEFAULT_QUIET_FROM = time(21, 0)
DEFAULT_QUIET_UNTIL = time(8, 0)


class MessageTemplate(DealerOwned):
    """A dealer's own wording of one message in one language, replacing the default
    (messaging.defaults). `{placeholders}` are filled from the case when it is sent."""

    dealer = models.ForeignKey(
        Dealer,
        on_delete=models.CASCADE,
        related_name="message_templates",
        verbose_name=_("dealer"),
    )
    purpose = models.CharField(_("message"), max_length=24, choices=MessagePurpose.choices)
    language = models.CharField(_("language"), max_length=10, choices=MessageLanguage.choices)
    subject = models.CharField(_("e-mail subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["dealer", "purpose", "language"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(
                fields=["dealer", "purpose", "language"], name="message_template_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.language}"


class MessagingSettings(DealerOwned):
    """A dealer's quiet hours, in its own time zone: a message sent in them waits until they
    end. Equal times mean no quiet hours."""

    dealer = models.OneToOneField(
        Dealer,
        on_delete=models.CASCADE,
        related_name="messaging_settings",
        verbose_name=_("dealer"),
    )
    quiet_from = models.TimeField(_("quiet hours from"), default=DEFAULT_QUIET_FROM)
    quiet_until = models.TimeField(_("quiet hours until"), default=DEFAULT_QUIET_UNTIL)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("messaging settings")
        verbose_name_plural = _("messaging settings")

    def __str__(self) -> str:
        return f"{self.dealer_id} {self.quiet_from:%H:%M}-{self.quiet_until:%H:%M}"


class CustomerMessage(OutboxMixin, DealerOwned):
    """One message to the customer of a case, as sent (its words are kept), logged as a
    contact. Delivered through the outbox; `outbox_due_at` is the end of the dealer's quiet
    hours when it was written in them."""

    # Stays the same in every attempt: the provider's and the mail system's key to drop a
    # repeated send (the outbox delivers at least once), and the timeline's link to it.
    key = models.UUIDField(_("key"), default=uuid.uuid4, unique=True, editable=False)
    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.PROTECT,
        related_name="customer_messages",
        verbose_name=_("complaint"),
    )
    contact = models.OneToOneField(
        ContactAttempt,
        on_delete=models.PROTECT,
        related_name="customer_message",
        verbose_name=_("contact"),
    )
    purpose = models.CharField(_("message"), max_length=24, choices=MessagePurpose.choices)
    language = models.CharField(_("language"), max_length=10, choices=MessageLanguage.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=MessageChannel.choices)
    recipient = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("e-mail subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_label = models.CharField(_("by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    # What the SMS provider calls the message; its delivery receipts name it.
    provider_id = models.CharField(_("provider's id"), max_length=100, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    failure = models.CharField(_("failure"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message to the customer")
        verbose_name_plural = _("messages to customers")
        indexes = [
            outbox_due_index("customer_message_outbox_due"),
            models.Index(fields=["complaint", "-created_at"], name="customer_message_case"),
            models.Index(
                fields=["channel", "provider_id"],
                name="customer_message_provider",
                condition=~Q(provider_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.purpose} {self.channel}"

    @property
    def delivery_state(self) -> DeliveryState:
        if self.delivered_at is not None:
            return DeliveryState.DELIVERED
        if self.failed_at is not None or self.outbox_given_up_at is not None:
            return DeliveryState.FAILED
        if self.outbox_sent_at is not None:
            return DeliveryState.SENT
        return DeliveryState.QUEUED

    def get_delivery_state_display(self) -> str:
        return str(self.delivery_state.label)
