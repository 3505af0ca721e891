"""Keys are created by `manage.py createapikey` or here (the key is shown once) and revoked
here; webhook endpoints are registered here, their deliveries only read."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from core.admin import OutboxStateFilter

from .models import DealerApiKey, WebhookDelivery, WebhookEndpoint

# The package's own key model is unused: every key here belongs to a dealer.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


@admin.register(DealerApiKey)
class DealerApiKeyAdmin(APIKeyModelAdmin):
    list_display = ("prefix", "name", "dealer", "created", "expiry_date", "revoked")
    # The package's admin declares these as fixed-length tuples; any sequence of names will do.
    list_filter = ("dealer", "revoked")  # type: ignore[assignment]
    search_fields = ("name", "prefix", "dealer__code")  # type: ignore[assignment]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "dealer") if obj is not None else fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Revoke instead: the timeline keeps naming the key that acted.
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "dealer", "is_active", "created_at")
    list_filter = ("dealer", "is_active")
    readonly_fields = ("secret", "created_at")
    fields = ("dealer", "url", "events", "description", "is_active", "secret", "created_at")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
