"""Customers, vehicles and staff roles change here only through dealers.services, with the
superuser as the actor in the audit log; repair orders come from the DMS and are shown only.
Dealers and regions have no service: their changes are logged as admin entries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from core.admin_services import AuditedAdmin, ReadOnlyAdmin, ServiceAdmin

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
        # The form has already refused a VIN the dealer has (its uniqueness check).
        vehicle, _created = services.vehicle_upsert(
            dealer=data["dealer"],
            actor=request.user,
            vin=data["vin"],
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
