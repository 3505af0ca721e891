"""Keys are created by `manage.py createapikey` or here (the key is shown once), changed and
revoked here; webhook endpoints are registered and changed here; deliveries are only read.
Every write goes through integrations.services, which logs it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework_api_key.models import APIKey

from core.admin import OutboxStateFilter
from core.admin_services import ReadOnlyAdmin, ServiceAdmin

from . import services
from .models import DealerApiKey, WebhookDelivery, WebhookEndpoint

# The package's own key model is unused: every key here belongs to a dealer.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


@admin.register(DealerApiKey)
class DealerApiKeyAdmin(ServiceAdmin):
    list_display = ("prefix", "name", "dealer", "created", "expiry_date", "revoked")
    list_filter = ("dealer", "revoked")
    search_fields = ("name", "prefix", "dealer__code")
    fields = ("dealer", "name", "expiry_date", "revoked", "prefix")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("prefix", "revoked")
        if obj.revoked:
            return ("dealer", "name", "expiry_date", "revoked", "prefix")
        return ("dealer", "prefix")

    def service_save(
        self, request: HttpRequest, instance: Any, data: Mapping[str, Any], change: bool
    ) -> models.Model:
        if not change:
            api_key, key = services.api_key_create(
                dealer=data["dealer"],
                actor=request.user,
                name=data["name"],
                expiry_date=data.get("expiry_date"),
            )
            # Stored for save_model: the key is shown once, after the real save.
            request._new_api_key = key  # type: ignore[attr-defined]
            return api_key
        api_key = services.api_key_update(
            api_key=instance,
            actor=request.user,
            name=data["name"],
            expiry_date=data.get("expiry_date"),
        )
        if data.get("revoked"):
            api_key = services.api_key_revoke(api_key=api_key, actor=request.user)
        return api_key

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        key = getattr(request, "_new_api_key", None)
        if not change and key:
            self.message_user(
                request,
                _("The API key for %(name)s is: %(key)s. Store it now: it cannot be shown again.")
                % {"name": obj.name, "key": key},
                messages.WARNING,
            )

    # Revoke instead of deleting: the timeline and the audit log keep naming the key.


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ServiceAdmin):
    list_display = ("url", "dealer", "is_active", "created_at")
    list_filter = ("dealer", "is_active")
    fields = ("dealer", "url", "events", "description", "is_active", "secret", "created_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("is_active", "secret", "created_at")
        return ("dealer", "secret", "created_at")

    def service_save(
        self, request: HttpRequest, instance: Any, data: Mapping[str, Any], change: bool
    ) -> models.Model:
        if not change:
            return services.webhook_endpoint_create(
                dealer=data["dealer"],
                actor=request.user,
                url=data["url"],
                events=data.get("events") or [],
                description=data.get("description", ""),
            )
        fields = {name: data[name] for name in services.WEBHOOK_FIELDS if name in data}
        return services.webhook_endpoint_update(
            endpoint=instance, actor=request.user, fields=fields
        )

    # Deactivate instead of deleting: the delivery log stays with its endpoint.


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "event_type",
        "endpoint",
        "outbox_state",
        "outbox_attempts",
        "last_status_code",
    )
    list_filter = (OutboxStateFilter, "event_type")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
