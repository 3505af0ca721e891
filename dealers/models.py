from __future__ import annotations

import zoneinfo
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import DealerOwned, TimeStampedModel

from .validators import normalize_phone, normalize_plate, normalize_vin, validate_vin


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Role(models.TextChoices):
    ADVISOR = "advisor", _("Service advisor")
    MANAGER = "manager", _("Service manager")
    REGIONAL = "regional", _("Regional staff")
    TECHNICIAN = "technician", _("Technician")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    VISIT = "visit", _("Visit")


class Region(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Dealer(DealerOwned, TimeStampedModel):
    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Z0-9]{2,12}$", _("Use 2 to 12 capital letters or digits."))
        ],
        help_text=_("Short code that starts every case reference, e.g. SH01."),
    )
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="dealers", verbose_name=_("region")
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_timezone]
    )
    # The customer's way back to the dealer, printed on the complaint receipt (投诉回执).
    # A database default too: rows written by code that predates the column (an older
    # release during a rolling deploy, a migration test's historical models) stay valid.
    phone = models.CharField(
        _("phone"),
        max_length=32,
        blank=True,
        default="",
        db_default="",
        help_text=_("The service desk's number, printed on the customer's complaint receipt."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    approval_limit = models.DecimalField(
        _("approval limit"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("2000.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Goodwill or compensation above this amount needs a manager's approval."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("dealer")
        verbose_name_plural = _("dealers")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Membership(DealerOwned, TimeStampedModel):
    """A user's role: advisor or manager at one dealer, or regional staff of one region."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    dealer = models.ForeignKey(
        Dealer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("dealer"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("region"),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                name="membership_dealer_or_region",
                condition=(
                    Q(
                        role__in=[Role.ADVISOR, Role.MANAGER, Role.TECHNICIAN],
                        dealer__isnull=False,
                        region__isnull=True,
                    )
                    | Q(role=Role.REGIONAL, region__isnull=False, dealer__isnull=True)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "dealer"],
                condition=Q(dealer__isnull=False),
                name="membership_one_role_per_dealer",
            ),
            models.UniqueConstraint(
                fields=["user", "region"],
                condition=Q(region__isnull=False),
                name="membership_one_per_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.dealer or self.region}"

    @property
    def audit_label(self) -> str:
        # Without the role's name: the log renders the role in the reader's language.
        place = self.dealer.code if self.dealer else (self.region.code if self.region else "")
        return f"{self.user} · {place}"

    def clean(self) -> None:
        if self.role == Role.REGIONAL and (self.dealer_id or not self.region_id):
            raise ValidationError(_("Regional staff belong to a region, not a dealer."))
        if self.role != Role.REGIONAL and (self.region_id or not self.dealer_id):
            raise ValidationError(_("Advisors, managers and technicians belong to a dealer."))


class Customer(DealerOwned, TimeStampedModel):
    dealer = models.ForeignKey(
        Dealer, on_delete=models.PROTECT, related_name="customers", verbose_name=_("dealer")
    )
    # NULL, not "", for customers the DMS does not know: the per-dealer uniqueness of
    # dms_id must not apply to them.
    dms_id = models.CharField(  # noqa: DJ001
        _("DMS id"),
        max_length=64,
        null=True,
        blank=True,
        help_text=_("The customer's id in the dealer management system."),
    )
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=32, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    preferred_channel = models.CharField(
        _("preferred contact channel"),
        max_length=16,
        choices=ContactChannel.choices,
        default=ContactChannel.PHONE,
    )
    # The relationship profile of step 2 (顾客与品牌的关系).
    occupation = models.CharField(_("occupation"), max_length=200, blank=True)
    family = models.TextField(_("family"), blank=True)
    interests = models.TextField(_("interests"), blank=True)
    other_vehicles = models.TextField(_("other vehicles owned"), blank=True)
    insurance = models.TextField(_("insurance"), blank=True)
    usage_and_storage = models.TextField(_("vehicle usage and storage"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Set once the customer's personal data was erased on request or by the retention rule.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                fields=["dealer", "dms_id"],
                condition=Q(dms_id__isnull=False),
                name="customer_dms_id_unique_per_dealer",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_label(self) -> str:
        # The audit log is append-only: it names the customer by id, never by name.
        return f"#{self.pk}"

    def _normalize(self) -> None:
        # A blank id from a form or an import means "unknown to the DMS": NULL, so that it
        # never clashes with another customer's blank id.
        self.dms_id = (self.dms_id or "").strip() or None
        # Intake finds a customer by phone: one spelling per number, whoever typed it.
        self.phone = normalize_phone(self.phone)

    def clean(self) -> None:
        super().clean()
        self._normalize()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._normalize()
        super().save(*args, **kwargs)


class VINField(models.CharField):
    """A CharField that stores VINs upper-cased and without spaces."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 17)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def to_python(self, value: object) -> str | None:
        text = super().to_python(value)
        return normalize_vin(text) if text else text

    def get_prep_value(self, value: object) -> object:
        value = super().get_prep_value(value)
        return normalize_vin(value) if isinstance(value, str) else value


class Vehicle(DealerOwned, TimeStampedModel):
    dealer = models.ForeignKey(
        Dealer, on_delete=models.PROTECT, related_name="vehicles", verbose_name=_("dealer")
    )
    owner = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="vehicles",
        verbose_name=_("owner"),
    )
    # NULL while unknown: a walk-in may be registered by plate alone and completed later
    # (by an advisor on the case page, or by the DMS naming the plate with the VIN). NULL,
    # not "", so that the per-dealer uniqueness of VINs does not apply to those vehicles and
    # no look-up by an empty VIN ever finds them.
    vin = VINField(  # noqa: DJ001
        _("VIN"), validators=[validate_vin], null=True, blank=True
    )
    model = models.CharField(_("model"), max_length=100, blank=True)
    plate = models.CharField(_("plate"), max_length=20, blank=True, db_index=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    mileage = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True)

    class Meta:
        ordering = ["vin"]
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        constraints = [
            models.UniqueConstraint(fields=["dealer", "vin"], name="vehicle_vin_unique_per_dealer"),
        ]

    def __str__(self) -> str:
        return f"{self.vin or self.plate} {self.model}".strip()

    def _normalize(self) -> None:
        # Intake finds a vehicle by plate when no VIN is given: one spelling per plate.
        self.plate = normalize_plate(self.plate)
        self.vin = normalize_vin(self.vin or "") or None

    def clean(self) -> None:
        super().clean()
        self._normalize()
        if not self.vin and not self.plate:
            raise ValidationError(
                {"plate": _("A vehicle without a VIN needs its plate.")}, code="vehicle_unnamed"
            )

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._normalize()
        super().save(*args, **kwargs)


class RepairOrder(DealerOwned, TimeStampedModel):
    """A repair order from the dealer management system: the vehicle's service history."""

    dealer = models.ForeignKey(
        Dealer, on_delete=models.PROTECT, related_name="repair_orders", verbose_name=_("dealer")
    )
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.PROTECT, related_name="repair_orders", verbose_name=_("vehicle")
    )
    number = models.CharField(_("number"), max_length=64)
    opened_on = models.DateField(_("date"))
    mileage = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True)
    work_summary = models.TextField(_("work summary"), blank=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("repair order")
        verbose_name_plural = _("repair orders")
        constraints = [
            models.UniqueConstraint(
                fields=["dealer", "number"], name="repair_order_number_unique_per_dealer"
            ),
        ]
        indexes = [
            # Analytics: complaints per 1,000 repair orders of a period.
            models.Index(fields=["dealer", "opened_on"], name="repair_order_dealer_day"),
        ]

    def __str__(self) -> str:
        return self.number
