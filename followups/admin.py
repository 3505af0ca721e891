"""Deadlines, contacts and notifications are shown, not edited: they change through the
services. Deadline rules are edited here, through `deadline_rule_update`."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from complaints.admin import ReadOnlyAdminMixin
from core.admin import OutboxStateFilter
from core.exceptions import ApplicationError, ValidationFailed

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
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ("dealer", "kind", "hours", "safety_hours", "remind_before_hours")
    list_filter = ("kind", "dealer")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission

    def save_model(self, request: HttpRequest, obj: DeadlineRule, form: Any, change: bool) -> None:
        try:
            rule = services.deadline_rule_update(
                dealer=obj.dealer,
                actor=request.user,
                kind=obj.kind,
                hours=obj.hours,
                safety_hours=obj.safety_hours,
                remind_before_hours=obj.remind_before_hours,
            )
        except ValidationFailed as exc:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.field_errors.items())
            self.message_user(request, f"{exc.message} {details}", messages.ERROR)
            return
        except ApplicationError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return
        obj.pk = rule.pk
