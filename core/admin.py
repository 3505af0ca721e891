from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.models import Membership

from .admin_services import AuditedAdmin, ReadOnlyAdmin
from .audit import audit_log, changes
from .models import AuditEntry, User
from .outbox import OutboxState, outbox_state_q


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


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "entry_text", "dealer_id")
    list_filter = ("action",)
    search_fields = ("action", "object_label", "api_key_label", "actor__username")
    list_select_related = ("actor",)
    fields = (
        "created_at",
        "action",
        "entry_text",
        "actor",
        "api_key_label",
        "dealer_id",
        "object_type",
        "object_id",
        "object_label",
        "entry_changes",
    )
    readonly_fields = fields

    @admin.display(description=_("what happened"))
    def entry_text(self, entry: AuditEntry) -> str:
        return entry.text

    @admin.display(description=_("changes"))
    def entry_changes(self, entry: AuditEntry) -> str:
        return "; ".join(f"{c.field}: {c.before} → {c.after}" for c in changes(entry)) or "—"


class OutboxStateFilter(admin.SimpleListFilter):
    """Filter an outbox model's rows by where they are in delivery (see core.outbox)."""

    title = _("delivery")
    parameter_name = "outbox_state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(OutboxState.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in OutboxState.values:
            return queryset.filter(outbox_state_q(str(self.value()), timezone.now()))
        return queryset
