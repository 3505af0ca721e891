"""Deadlines, contacts and notifications are shown, not edited: they change through the
services. Deadline rules are edited and removed here, through their services."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from core.admin import OutboxStateFilter
from core.admin_services import ReadOnlyAdminMixin, ServiceAdmin

from . import services
from .models import ContactAttempt, Deadline, DeadlineRule, Notification


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "complaint",
        "kind",
        "due_at",
        "breached_at",
        "satisfied_at",
        "cancelled_at",
        "escalation_level",
    )
    list_filter = ("kind", "escalation_level")
    search_fields = ("complaint__reference", "promise")
    list_select_related = ("complaint",)


@admin.register(ContactAttempt)
class ContactAttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("complaint", "channel", "outcome", "contacted_at", "actor_label")
    list_filter = ("channel", "outcome")
    search_fields = ("complaint__reference", "note")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "recipient",
        "kind",
        "title",
        "created_at",
        "read_at",
        "email_to",
        "outbox_state",
        "outbox_attempts",
        "outbox_sent_at",
    )
    list_filter = ("kind", OutboxStateFilter)
    search_fields = ("title", "recipient__username", "email_to")


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(ServiceAdmin):
    """Through `deadline_rule_update` and `deadline_rule_delete`: a firm rule can only be
    shortened here as in the application, and every change is in the audit log."""

    list_display = ("dealer", "kind", "hours", "safety_hours", "remind_before_hours")
    list_filter = ("kind", "dealer")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("dealer", "kind") if obj is not None else ()

    def service_save(
        self, request: HttpRequest, instance: Any, data: Mapping[str, Any], change: bool
    ) -> models.Model:
        return services.deadline_rule_update(
            dealer=instance.dealer if change else data["dealer"],
            actor=request.user,
            kind=instance.kind if change else data["kind"],
            hours=data.get("hours"),
            safety_hours=data.get("safety_hours"),
            remind_before_hours=data.get("remind_before_hours"),
        )

    def service_delete(self, request: HttpRequest, instance: Any) -> None:
        services.deadline_rule_delete(rule=instance, actor=request.user)
