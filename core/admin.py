from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .admin_services import ReadOnlyAdmin
from .audit import changes
from .models import AuditEntry
from .outbox import OutboxState, outbox_state_q


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
