"""Customers, vehicles and staff roles change here only through dealers.services, with the
superuser as the actor in the audit log; repair orders come from the DMS and are shown only.
Dealers and regions have no service: their changes are logged as admin entries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin_services import AuditedAdmin, ReadOnlyAdmin, ServiceAdmin
from core.audit import audit_log
from core.models import User

from . import services
from .models import Customer, Dealer, Membership, Region, RepairOrder, Vehicle


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ("code", "name")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A region's memberships would go with it, unlogged.
        return False


@admin.register(Dealer)
class DealerAdmin(AuditedAdmin):
    list_display = ("code", "name", "region", "timezone", "approval_limit", "currency")
    list_filter = ("region",)
    search_fields = ("code", "name")

    def audit_dealer_id(self, obj: Any) -> int | None:
        return obj.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Its staff roles, deadline rules and webhooks would go with it, unlogged.
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Every case reference starts with the code: it never changes.
        return ("code",) if obj is not None else ()


@admin.register(Membership)
class MembershipAdmin(ServiceAdmin):
    list_display = ("user", "role", "dealer", "region")
    list_filter = ("role", "dealer", "region")
    autocomplete_fields = ("user",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("user",) if obj is not None else ()

    def service_save(
        self, request: HttpRequest, instance: Any, data: Mapping[str, Any], change: bool
    ) -> models.Model:
        where = {"role": data["role"], "dealer": data.get("dealer"), "region": data.get("region")}
        if change:
            return services.membership_update(membership=instance, actor=request.user, **where)
        return services.membership_create(actor=request.user, user=data["user"], **where)

    def service_delete(self, request: HttpRequest, instance: Any) -> None:
        services.membership_delete(membership=instance, actor=request.user)


@admin.register(Customer)
class CustomerAdmin(ServiceAdmin):
    list_display = ("name", "phone", "dealer", "dms_id", "preferred_channel")
    list_filter = ("dealer",)
    search_fields = ("name", "phone", "email", "dms_id")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("dealer",) if obj is not None else ()

    def service_save(
        self, request: HttpRequest, instance: Any, data: Mapping[str, Any], change: bool
    ) -> models.Model:
        fields = {name: data[name] for name in services.CUSTOMER_FIELDS if name in data}
        if change:
            return services.customer_update(customer=instance, actor=request.user, fields=fields)
        return services.customer_create(dealer=data["dealer"], actor=request.user, **fields)


@admin.register(Vehicle)
class VehicleAdmin(ServiceAdmin):
    list_display = ("vin", "model", "plate", "owner", "dealer")
    list_filter = ("dealer",)
    search_fields = ("vin", "plate", "model")
    raw_id_fields = ("owner",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("dealer",) if obj is not None else ()

    def service_save(
        self, request: HttpRequest, instance: Any, data: Mapping[str, Any], change: bool
    ) -> models.Model:
        fields = {name: data[name] for name in services.VEHICLE_FIELDS if name in data}
        if change:
            return services.vehicle_update(
                vehicle=instance,
                actor=request.user,
                owner=data.get("owner"),
                fields={"vin": data["vin"], **fields},
            )
        if not data.get("vin") and data.get("owner") is not None:
            # Known by its plate alone until its VIN is added.
            return services.vehicle_register_by_plate(
                dealer=data["dealer"],
                actor=request.user,
                plate=data.get("plate") or "",
                owner=data["owner"],
                fields=fields,
            )
        # The form has already refused a VIN the dealer has (its uniqueness check).
        vehicle, _created = services.vehicle_upsert(
            dealer=data["dealer"],
            actor=request.user,
            vin=data.get("vin") or "",
            owner=data.get("owner"),
            fields=fields,
        )
        return vehicle


@admin.register(RepairOrder)
class RepairOrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "opened_on", "vehicle", "dealer")
    list_filter = ("dealer",)
    search_fields = ("number", "vehicle__vin")
    raw_id_fields = ("vehicle",)


# Staff accounts are shown with their roles at the dealers, which live here.
class MembershipInline(admin.TabularInline):
    """Shown only: roles are given and taken in the memberships admin, through the
    service that logs them."""

    model = Membership
    extra = 0
    fields = ("role", "dealer", "region")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class CaseUserAdmin(AuditedAdmin, UserAdmin):
    inlines = [MembershipInline]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Preferences"), {"fields": ("language", "phone")}),
    )
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_staff")

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        # The password and its log entry are written together, or neither is.
        with transaction.atomic():
            request._setting_password = True  # type: ignore[attr-defined]
            return super().user_change_password(request, id, form_url)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if getattr(request, "_setting_password", False):
            # Never the password itself: only that an administrator set one.
            audit_log(
                actor=request.user, action="admin.user.password_set", target=obj, dealer_id=None
            )
        return super().log_change(request, obj, message)
