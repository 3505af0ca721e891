"""The vocabulary of messages to customers. Values are stable: the API relies on them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MessagePurpose(models.TextChoices):
    RECEIVED = "received", _("Complaint received")
    PROGRESS = "progress", _("Progress update")
    REPAIR_DATE_CHANGED = "repair_date_changed", _("Repair date changed")
    READY_FOR_PICKUP = "ready_for_pickup", _("Ready for pickup")
    FOLLOW_UP = "follow_up", _("Follow-up")


class MessageLanguage(models.TextChoices):
    # Named in their own language: whoever picks one reads it.
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class MessageChannel(models.TextChoices):
    # The same values as dealers.models.ContactChannel: a message is logged as a contact.
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class DeliveryState(models.TextChoices):
    """Where a message is (worked out from its timestamps, never stored)."""

    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
