from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from core.models import DealerOwned
from followups.models import Deadline

from .choices import AcceptanceMethod


class PartsOrder(DealerOwned):
    """An emergency parts order (紧急订单) for a case's repair; its expected arrival is a
    deadline of the deadline service."""

    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.PROTECT,
        related_name="parts_orders",
        verbose_name=_("complaint"),
    )
    part = models.CharField(_("part"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    order_number = models.CharField(_("order number"), max_length=64)
    expected_at = models.DateTimeField(_("expected arrival"))
    received_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    deadline = models.OneToOneField(
        Deadline,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parts_order",
        verbose_name=_("deadline"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ordered by"),
    )
    created_at = models.DateTimeField(_("ordered at"), default=timezone.now)

    class Meta:
        ordering = ["expected_at", "id"]
        verbose_name = _("emergency parts order")
        verbose_name_plural = _("emergency parts orders")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="parts_quantity_pos")
        ]

    def __str__(self) -> str:
        return f"{self.part} ×{self.quantity} ({self.order_number})"


class Agreement(DealerOwned):
    """What was agreed with the customer in step 5 (达成协议): what they expected, the gap to
    our proposal, whether and how they accepted; at a reopen, what they now ask for
    ("你希望我们怎么做?"). A new record each time: the history of the negotiation stays."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("complaint")
    )
    customer_expectation = models.TextField(_("what the customer expected"))
    gap = models.TextField(_("gap to our proposal"), blank=True)
    accepted = models.BooleanField(_("customer accepted"), null=True, blank=True)
    acceptance_method = models.CharField(
        _("accepted how"), max_length=10, choices=AcceptanceMethod.choices, blank=True
    )
    customer_now_asks = models.TextField(_("what the customer now asks for"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("agreement with the customer")
        verbose_name_plural = _("agreements with the customer")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.created_at:%Y-%m-%d}"
