"""Step 7's records are shown, not edited here: they change through learning.services."""

from __future__ import annotations

from django.contrib import admin

from core.admin_services import ReadOnlyAdmin

from .models import (
    CaseReview,
    CorrectiveAction,
    Lesson,
    LessonReceipt,
    LibraryCase,
    ReflectionReport,
    RequiredReading,
    RootCauseCategory,
)


@admin.register(RootCauseCategory)
class RootCauseCategoryAdmin(ReadOnlyAdmin):
    list_display = ("dealer", "code", "label", "is_active", "position")
    list_filter = ("dealer",)


@admin.register(CaseReview)
class CaseReviewAdmin(ReadOnlyAdmin):
    list_display = ("complaint", "root_cause_category", "cause_lies_with", "handled_well")
    list_filter = ("cause_lies_with", "handled_well")
    search_fields = ("complaint__reference",)
    list_select_related = ("complaint", "root_cause_category")


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(ReadOnlyAdmin):
    list_display = ("complaint", "position", "owner", "due_at", "state", "check_result")
    list_filter = ("state", "check_result")
    search_fields = ("complaint__reference", "cause", "action")
    list_select_related = ("complaint", "owner")


@admin.register(ReflectionReport)
class ReflectionReportAdmin(ReadOnlyAdmin):
    list_display = ("complaint", "author", "state", "due_at", "submitted_at")
    list_filter = ("state",)
    search_fields = ("complaint__reference",)
    list_select_related = ("complaint", "author")


@admin.register(LibraryCase)
class LibraryCaseAdmin(ReadOnlyAdmin):
    # Titles and summaries are stored masked; the case itself is not shown here.
    list_display = ("title", "dealer", "required_for_new_staff", "marked_at")
    list_filter = ("required_for_new_staff",)


@admin.register(RequiredReading)
class RequiredReadingAdmin(ReadOnlyAdmin):
    list_display = ("library_case", "user", "assigned_at", "read_at")
    list_select_related = ("library_case", "user")


@admin.register(Lesson)
class LessonAdmin(ReadOnlyAdmin):
    list_display = ("title", "dealer", "region", "published_at")


@admin.register(LessonReceipt)
class LessonReceiptAdmin(ReadOnlyAdmin):
    list_display = ("lesson", "user", "dealer", "read_at")
    list_select_related = ("lesson", "user", "dealer")
