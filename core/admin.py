from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.models import Membership

from .models import User
from .outbox import OutboxState, outbox_state_q


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("role", "dealer", "region")


@admin.register(User)
class CaseUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Preferences"), {"fields": ("language", "phone")}),
    )
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_staff")


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
