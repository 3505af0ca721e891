"""Every read of step 7 and of the learning pages, scoped to the reader's dealers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from complaints.models import Complaint
from core.actors import Actor
from core.exceptions import NotFound
from core.scoping import MANAGER, WORK_ROLES, access_for, scoped
from dealers.models import Dealer

from .choices import ActionState
from .models import (
    CaseReview,
    CorrectiveAction,
    LessonReceipt,
    LibraryCase,
    ReflectionReport,
    RequiredReading,
    RootCauseCategory,
)
from .models import Lesson as LessonModel


def _me(actor: Actor) -> int:
    # An API client or anonymous actor is nobody's user: 0 matches no row.
    return int(getattr(actor, "pk", None) or 0) if hasattr(actor, "get_username") else 0


@dataclass(frozen=True)
class ReviewChoices:
    root_causes: list[tuple[str, str]]
    owners: list[tuple[int, str]]


def dealer_staff(*, dealer_id: int) -> QuerySet[Any]:
    """Active advisors and managers of one dealer (users are not dealer-owned)."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__dealer_id=dealer_id,
            memberships__role__in=sorted(WORK_ROLES),
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def review_choices(*, complaint: Complaint) -> ReviewChoices:
    """What the close form offers: the dealer's root-cause categories (the defaults are
    created the first time a dealer needs them) and who may own a corrective action."""
    from .services import root_causes_ensure

    root_causes_ensure(dealer_id=complaint.dealer_id)
    categories = complaint.dealer.root_cause_categories.filter(is_active=True)
    return ReviewChoices(
        root_causes=[(c.code, c.display) for c in categories],
        owners=[(u.pk, str(u)) for u in dealer_staff(dealer_id=complaint.dealer_id)],
    )


def managed_dealers(actor: Actor) -> QuerySet[Dealer]:
    access = access_for(actor)
    ids = [d for d, roles in access.dealer_roles.items() if MANAGER in roles]
    if access.is_superuser:
        return scoped(Dealer, actor)
    return scoped(Dealer, actor).filter(pk__in=ids)


def is_manager_somewhere(actor: Actor) -> bool:
    access = access_for(actor)
    return access.is_superuser or any(MANAGER in r for r in access.dealer_roles.values())


def is_staff_somewhere(actor: Actor) -> bool:
    access = access_for(actor)
    return bool(access.worked_dealer_ids or access.region_ids or access.is_superuser)


def review_get(*, actor: Actor, complaint: Complaint) -> CaseReview | None:
    return (
        scoped(CaseReview, actor)
        .select_related("root_cause_category", "created_by")
        .filter(complaint=complaint)
        .first()
    )


def library_case_of(*, actor: Actor, complaint: Complaint) -> LibraryCase | None:
    return scoped(LibraryCase, actor).filter(complaint=complaint).first()


# --- corrective actions -------------------------------------------------------------------


def corrective_actions_open(*, actor: Actor, dealer_id: int | None = None) -> QuerySet[Any]:
    """The open corrective actions the actor may read, soonest due first; a manager's page
    shows all of their dealers', an advisor's those they own."""
    queryset = (
        scoped(CorrectiveAction, actor)
        .filter(state=ActionState.OPEN)
        .select_related("complaint", "owner", "review__root_cause_category", "dealer")
        .order_by("due_at", "id")
    )
    if dealer_id is not None:
        queryset = queryset.filter(dealer_id=dealer_id)
    return queryset


def corrective_actions_of_manager(*, actor: Actor) -> QuerySet[Any]:
    return corrective_actions_open(actor=actor).filter(
        dealer_id__in=managed_dealers(actor).values("pk")
    )


def corrective_actions_owned(*, actor: Actor) -> QuerySet[Any]:
    return corrective_actions_open(actor=actor).filter(owner_id=_me(actor))


def corrective_action_get(*, actor: Actor, pk: int) -> CorrectiveAction:
    found = (
        scoped(CorrectiveAction, actor)
        .select_related("complaint__dealer", "owner", "review")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def case_actions(*, actor: Actor, complaint: Complaint) -> QuerySet[Any]:
    return (
        scoped(CorrectiveAction, actor)
        .filter(complaint=complaint)
        .select_related("owner", "checked_by")
        .order_by("position")
    )


# --- reflection reports ---------------------------------------------------------------------


def reflection_get(*, actor: Actor, complaint: Complaint) -> ReflectionReport | None:
    return (
        scoped(ReflectionReport, actor)
        .select_related("author", "commented_by", "required_by")
        .filter(complaint=complaint)
        .first()
    )


def reflections_to_write(*, actor: Actor) -> QuerySet[Any]:
    return (
        scoped(ReflectionReport, actor)
        .filter(author_id=_me(actor), submitted_at=None)
        .select_related("complaint")
        .order_by("due_at")
    )


# --- the case library ---------------------------------------------------------------------


LIBRARY_FILTERS = ("category", "component", "root_cause", "responsibility", "severity")


def library_list(*, actor: Actor, filters: dict[str, str] | None = None) -> QuerySet[Any]:
    """The library cases the actor may read, searchable by the case's category, component,
    root cause (the review's category code), responsibility and severity, and by words."""
    queryset = scoped(LibraryCase, actor).select_related(
        "complaint", "complaint__review__root_cause_category", "dealer"
    )
    filters = filters or {}
    lookups = {
        "category": "complaint__category",
        "component": "complaint__component",
        "root_cause": "complaint__review__root_cause_category__code",
        "responsibility": "complaint__responsibility",
        "severity": "complaint__severity",
        "cause_lies_with": "complaint__review__cause_lies_with",
    }
    for name, lookup in lookups.items():
        value = (filters.get(name) or "").strip()
        if value:
            queryset = queryset.filter(**{lookup: value})
    words = (filters.get("q") or "").strip()
    if words:
        queryset = queryset.filter(
            Q(title__icontains=words)
            | Q(summary__icontains=words)
            | Q(complaint__reference__icontains=words)
        )
    return queryset.order_by("-marked_at", "-id")


def library_get(*, actor: Actor, pk: int) -> LibraryCase:
    found = (
        scoped(LibraryCase, actor)
        .select_related(
            "complaint__dealer",
            "complaint__customer",
            "complaint__vehicle",
            "complaint__review__root_cause_category",
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def library_root_causes(*, actor: Actor) -> list[tuple[str, str]]:
    """The root-cause codes used in the actor's dealers, with their names (for the filter)."""
    seen: dict[str, str] = {}
    for category in scoped(RootCauseCategory, actor).order_by("position", "code"):
        seen.setdefault(category.code, category.display)
    return list(seen.items())


def readings_of(*, actor: Actor) -> QuerySet[Any]:
    """The actor's own required reading, unread first."""
    return (
        scoped(RequiredReading, actor)
        .filter(user_id=_me(actor))
        .select_related("library_case")
        .order_by("read_at", "-assigned_at")
    )


def reading_get(*, actor: Actor, pk: int) -> RequiredReading:
    found = scoped(RequiredReading, actor).select_related("library_case").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def readings_of_case(*, actor: Actor, library_case: LibraryCase) -> QuerySet[Any]:
    """Who must read a library case and who has: the manager's read receipts."""
    return (
        scoped(RequiredReading, actor)
        .filter(library_case=library_case)
        .select_related("user", "assigned_by")
        .order_by("read_at", "user__username")
    )


def unread_by_dealer(*, actor: Actor) -> QuerySet[Any]:
    """Required reading not yet confirmed, across the dealers the actor manages."""
    return (
        scoped(RequiredReading, actor)
        .filter(read_at=None, dealer_id__in=managed_dealers(actor).values("pk"))
        .select_related("user", "library_case")
        .order_by("user__username", "assigned_at")
    )


# --- lessons ------------------------------------------------------------------------------


def lessons_unread(*, actor: Actor) -> QuerySet[Any]:
    return (
        scoped(LessonReceipt, actor)
        .filter(user_id=_me(actor), read_at=None)
        .select_related("lesson")
        .order_by("-lesson__published_at")
    )


def lesson_receipts_of(*, actor: Actor) -> QuerySet[Any]:
    return (
        scoped(LessonReceipt, actor)
        .filter(user_id=_me(actor))
        .select_related("lesson")
        .order_by("read_at", "-lesson__published_at")
    )


def lesson_receipt_get(*, actor: Actor, pk: int) -> LessonReceipt:
    found = (
        scoped(LessonReceipt, actor)
        .filter(pk=pk, user_id=_me(actor))
        .select_related("lesson")
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def lessons_published(*, actor: Actor) -> QuerySet[Any]:
    """The lessons a manager or regional user may follow up: those of their dealers and
    regions, with how many have read them."""
    access = access_for(actor)
    queryset = scoped(LessonModel, actor)
    if not access.is_superuser:
        managed = [d for d, roles in access.dealer_roles.items() if MANAGER in roles]
        queryset = queryset.filter(Q(dealer_id__in=managed) | Q(region_id__in=access.region_ids))
    return queryset.annotate(
        recipients=Count("receipts"),
        read=Count("receipts", filter=Q(receipts__read_at__isnull=False)),
    ).order_by("-published_at", "-id")


def lesson_get(*, actor: Actor, pk: int) -> Any:
    found = lessons_published(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def lesson_receipts(*, actor: Actor, lesson: Any) -> QuerySet[Any]:
    return (
        LessonReceipt.objects.unscoped(reason="instance")
        .filter(lesson=lesson)
        .select_related("user", "dealer")
        .order_by("read_at", "user__username")
    )


def regions_of(actor: Actor) -> frozenset[int]:
    return access_for(actor).region_ids


def is_regional(actor: Actor) -> bool:
    return bool(access_for(actor).region_ids)


def closed_cases(*, actor: Actor, dealer_ids: list[int]) -> QuerySet[Any]:
    return scoped(Complaint, actor).filter(dealer_id__in=dealer_ids, state="closed")
