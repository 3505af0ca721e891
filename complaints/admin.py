"""The admin shows cases and their timeline but never edits them directly: a case changes
only through complaints.services, so the admin's one write is an action that calls it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin_services import ReadOnlyAdminMixin, audit_admin_action
from core.exceptions import ApplicationError

from . import services
from .models import CaseEvent, Complaint


class EventTextMixin:
    """The timeline's words as its readers see them, in the admin user's language."""

    @admin.display(description=_("actor"))
    def actor(self, event: CaseEvent) -> str:
        return event.actor_display

    @admin.display(description=_("comment"))
    def text(self, event: CaseEvent) -> str:
        return event.text


class CaseEventInline(EventTextMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = (
        "created_at",
        "kind",
        "transition",
        "from_state",
        "to_state",
        "actor",
        "text",
    )
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("complaint__dealer")


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "reference",
        "dealer",
        "customer",
        "state",
        "severity",
        "is_safety_related",
        "escalated",
        "assignee",
        "created_at",
    )
    list_filter = ("state", "severity", "is_safety_related", "escalated", "dealer")
    search_fields = ("reference", "customer__name", "customer__phone", "vehicle__vin")
    inlines = [CaseEventInline]
    actions = ["escalate"]

    @admin.action(description=_("Escalate to the managers"))
    def escalate(self, request: HttpRequest, queryset: Any) -> None:
        done = 0
        for complaint in queryset:
            try:
                with transaction.atomic():
                    services.complaint_escalate(
                        complaint=complaint,
                        actor=request.user,
                        reason=str(_("Escalated from the admin.")),
                    )
                    audit_admin_action(request, action="escalate", obj=complaint)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{complaint}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, _("%(count)d case(s) escalated.") % {"count": done})


@admin.register(CaseEvent)
class CaseEventAdmin(EventTextMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "complaint", "kind", "transition", "actor")
    list_select_related = ("complaint__dealer",)
    list_filter = ("kind",)
    search_fields = ("complaint__reference", "comment")
