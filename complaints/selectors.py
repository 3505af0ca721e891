"""Every read of cases, always scoped to what the actor may see."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, overload

from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.lookups import IContains
from django.db.models.query import ModelIterable

from core.actors import Actor
from core.exceptions import NotFound
from core.scoping import scoped
from dealers.models import Customer, Vehicle
from dealers.validators import normalize_phone, normalize_plate, normalize_vin
from followups.models import OPEN, Deadline

from .choices import OPEN_STATES, STEP_OF_STATE, STEPS, Severity, State
from .models import SEARCHED_TEXT_FIELDS, CaseEvent, Complaint, searched_text

# Cases read per query when the whole worklist is iterated rather than paged.
ITERATION_PAGE = 500
# pg_trgm looks a LIKE pattern up by its trigrams: a term shorter than this has none.
MIN_TRIGRAM_TERM = 3


def regional_complaint_q(region_ids: frozenset[int], prefix: str = "") -> Q:
    """Regional staff read the serious and safety-related cases of their regions' dealers."""
    return Q(**{f"{prefix}dealer__region_id__in": sorted(region_ids)}) & (
        Q(**{f"{prefix}severity": Severity.SERIOUS}) | Q(**{f"{prefix}is_safety_related": True})
    )


def complaint_list(
    *, actor: Actor, filters: Mapping[str, Any] | None = None
) -> QuerySet[Complaint]:
    filters = filters or {}
    queryset = scoped(Complaint, actor).select_related("dealer", "customer", "vehicle", "assignee")
    if filters.get("state"):
        queryset = queryset.filter(state=filters["state"])
    term = str(filters.get("q") or "").strip()
    if term:
        queryset = queryset.filter(_search_q(actor, term, open_only=bool(filters.get("open"))))
    elif filters.get("open"):
        queryset = queryset.filter(state__in=OPEN_STATES)
    if filters.get("dealer"):
        queryset = queryset.filter(dealer_id=filters["dealer"])
    if filters.get("assignee"):
        queryset = queryset.filter(assignee_id=filters["assignee"])
    return queryset.order_by("-created_at", "-id")


def _search_q(actor: Actor, term: str, *, open_only: bool) -> Q:
    """Cases whose reference, customer, vehicle or own words (description, the customer's
    words and request, root cause, resolution, actions) contain the term, in any language;
    with `open_only`, open cases, plus any case the term names exactly (a closed case's
    reference, phone, customer's full name, plate or VIN finds it all the same).

    Each part is one query on one table through its own index, and the case ids they find
    are united: an OR across the case, its customer and its vehicle, or a state test beside
    the search, would make PostgreSQL read every case of the dealer and test each of them."""
    open_cases = Q(state__in=OPEN_STATES) if open_only else Q()
    cases = scoped(Complaint, actor).order_by().values("pk")
    customers = Q(name__icontains=term)
    vehicles = Q(vin__icontains=term)
    # Compared in the spelling they are stored in: "138 0013" finds 13800138000, "沪a·123"
    # finds 沪A12345 (a term of separators only would otherwise match everything).
    if phone := normalize_phone(term):
        customers |= Q(phone__icontains=phone)
    if plate := normalize_plate(term):
        vehicles |= Q(plate__icontains=plate)
    partial: list[QuerySet[Complaint, Any]] = [
        cases.filter(customer__in=scoped(Customer, actor).filter(customers).values("pk")),
        cases.filter(vehicle__in=scoped(Vehicle, actor).filter(vehicles).values("pk")),
    ]
    if len(term) >= MIN_TRIGRAM_TERM:
        # UPPER(<searched text>) LIKE UPPER('%term%'): the trigram index complaint_search_trgm.
        partial.append(cases.filter(IContains(searched_text(), term)))
    found = Q(pk__in=_union(_exact_matches(actor, term) + [p.filter(open_cases) for p in partial]))
    if len(term) >= MIN_TRIGRAM_TERM:
        return found
    # One or two characters ("刹车") give pg_trgm no trigram to look up, so no index can help:
    # a plain icontains on each field, tested on the cases the other filters (the actor's
    # dealers, the dealer, open or not) have already narrowed.
    # A term without upper and lower case (Chinese) is compared as it is: UPPER() on every
    # field of every case costs more than the comparison itself.
    lookup = "contains" if term.upper() == term.lower() else "icontains"
    text = Q(pk__in=[])
    for name in SEARCHED_TEXT_FIELDS:
        text |= Q(**{f"{name}__{lookup}": term})
    return found | (open_cases & text)


def _exact_matches(actor: Actor, term: str) -> list[QuerySet[Complaint, Any]]:
    """Ids of the cases the term names exactly: its reference, or its customer's phone or
    full name, or its vehicle's plate or VIN, each compared in the spelling it is stored in."""
    cases = scoped(Complaint, actor).order_by().values("pk")
    customers = Q(name__iexact=term)
    phone = normalize_phone(term)
    if any(character.isdigit() for character in phone):
        customers |= Q(phone=phone)
    vehicles = Q(pk__in=[])
    if plate := normalize_plate(term):
        vehicles |= Q(plate=plate)
    if len(vin := normalize_vin(term)) == 17:
        vehicles |= Q(vin=vin)
    return [
        cases.filter(reference__in=sorted({term, term.upper()})),
        cases.filter(customer__in=scoped(Customer, actor).filter(customers).values("pk")),
        cases.filter(vehicle__in=scoped(Vehicle, actor).filter(vehicles).values("pk")),
    ]


def _union(parts: list[QuerySet[Complaint, Any]]) -> QuerySet[Complaint, Any]:
    first, *others = parts
    return first.union(*others)


def complaint_get(*, actor: Actor, reference: str, write: bool = False) -> Complaint:
    """The case by reference, or NotFound when it does not exist *or* is not the actor's."""
    complaint = (
        scoped(Complaint, actor, write=write)
        .select_related("dealer", "customer", "vehicle", "assignee")
        .filter(reference=reference)
        .order_by()
        .first()
    )
    if complaint is None:
        raise NotFound()
    _read_other_people(complaint)
    return complaint


# The case's people beside its owner, read by id in one query rather than joined: PostgreSQL
# plans a join in time that grows with the number of its tables (the case with its dealer,
# customer, vehicle and owner plans in about 0.5 ms; with these three more, in about 5 ms,
# ten times what the read itself takes).
def _read_other_people(complaint: Complaint) -> None:
    fields = [
        Complaint.co_owner.field,
        Complaint.technician.field,
        Complaint.technical_lead.field,
    ]
    ids = {getattr(complaint, field.attname) for field in fields} - {None}
    if not ids:
        return
    users = get_user_model()._base_manager.db_manager(complaint._state.db).in_bulk(ids)
    for field in fields:
        user_id = getattr(complaint, field.attname)
        if user_id is not None:
            field.set_cached_value(complaint, users.get(user_id))


def complaint_events(*, actor: Actor, complaint: Complaint) -> QuerySet[CaseEvent]:
    # The dealer's time zone is read by the texts rendered from system events' facts.
    return (
        scoped(CaseEvent, actor)
        .filter(complaint=complaint)
        .select_related("actor", "complaint__dealer")
    )


def complaint_worklist(
    *, actor: Actor, dealer: Any | None, filters: Mapping[str, Any] | None = None
) -> QuerySet[Complaint]:
    """The cases list of the browser application: complaint_list plus its finer filters,
    most urgent first. Without a dealer, every case the actor may read (regional staff:
    their region's). A page of a long list is read with `complaint_worklist_pages`."""
    return _uncompiled(
        _most_urgent_first(_worklist_cases(actor=actor, dealer=dealer, filters=filters))
    )


def _worklist_cases(
    *, actor: Actor, dealer: Any | None, filters: Mapping[str, Any] | None
) -> QuerySet[Complaint]:
    filters = dict(filters or {})
    queryset = complaint_list(
        actor=actor, filters={**filters, "dealer": dealer.pk if dealer is not None else None}
    )
    if filters.get("severity"):
        queryset = queryset.filter(severity=filters["severity"])
    if filters.get("safety"):
        queryset = queryset.filter(is_safety_related=True)
    if filters.get("step"):
        states = [state for state, step in STEP_OF_STATE.items() if step == filters["step"]]
        queryset = queryset.filter(state__in=states)
    return queryset


class _UncompiledCases(ModelIterable):
    """The cases list's rows, read in a transaction in which PostgreSQL does not JIT-compile.

    The list's order needs each found case's next deadline (a subquery per case), so a
    search finding thousands of cases ("刹车": 16,666 of a dealer's 100,000) is costed high
    enough for PostgreSQL to compile the query before running it: 3 to 6 s of compiling for
    a query that runs in 0.2 to 0.3 s, with or without the trigram index. The count for the
    pager is costed below the threshold and is not concerned."""

    def __iter__(self) -> Iterator[Any]:
        database = self.queryset.db
        with transaction.atomic(using=database):
            with connections[database].cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
            yield from super().__iter__()


def _uncompiled(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    queryset._iterable_class = _UncompiledCases
    return queryset


def _most_urgent_first(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    # The earliest open deadline first puts overdue cases on top; cases without one follow,
    # newest first.
    next_due = (
        Deadline.objects.filter(OPEN, complaint=OuterRef("pk")).order_by("due_at").values("due_at")
    )
    return queryset.annotate(next_due_at=Subquery(next_due[:1])).order_by(
        F("next_due_at").asc(nulls_last=True), "-created_at", "-id"
    )


def complaint_worklist_pages(
    *, actor: Actor, dealer: Any | None, filters: Mapping[str, Any] | None = None
) -> UrgentFirst | QuerySet[Complaint]:
    """The cases of `complaint_worklist`, in its order, to be read a page at a time: for one
    dealer a page costs what its own cases cost, however many open cases the dealer has."""
    if dealer is None:
        # Several dealers' deadlines lie in as many stretches of the index: merged, the
        # first page would read every one of them, which is what ordering the cases does.
        return complaint_worklist(actor=actor, dealer=dealer, filters=filters)
    cases = _worklist_cases(actor=actor, dealer=dealer, filters=filters).order_by()
    return UrgentFirst(dealer=dealer, cases=cases)


class UrgentFirst:
    """One dealer's cases in the worklist's order (earliest open deadline first, then the
    cases without one, newest first), sliced and counted as Django's Paginator asks.

    Ordering every case by a subquery of its next deadline reads all of them before the
    first page. Here a page is read in two parts, each in the order of an index: the cases
    with an open deadline by walking the dealer's open deadlines in due order
    (`deadline_dealer_open`), each case at its earliest open deadline only; then the cases
    without one, newest first (`complaint_dealer_newest`)."""

    def __init__(self, *, dealer: Any, cases: QuerySet[Complaint]) -> None:
        self._dealer = dealer
        self._cases = cases
        self._scheduled_count: int | None = None

    def count(self) -> int:
        # COUNT(*) of the filtered cases: for a dealer's open cases, the dealer-and-state
        # index answers alone.
        return self._cases.count()

    def _scheduled(self) -> QuerySet[Complaint]:
        """The cases with an open deadline, each joined to its earliest one (by due time,
        then id), in the list's order. The deadline's dealer is the case's: the planner
        walks that dealer's open deadlines in due order and stops after the page."""
        earlier = Deadline.objects.filter(OPEN, complaint=OuterRef("pk")).filter(
            Q(due_at__lt=OuterRef("deadlines__due_at"))
            | Q(due_at=OuterRef("deadlines__due_at"), pk__lt=OuterRef("deadlines__pk"))
        )
        # One filter(): the deadline's conditions and the NOT EXISTS share one join.
        return (
            self._cases.filter(
                Q(
                    deadlines__satisfied_at__isnull=True,
                    deadlines__cancelled_at__isnull=True,
                    deadlines__dealer=self._dealer,
                )
                & ~Exists(earlier)
            )
            .annotate(next_due_at=F("deadlines__due_at"))
            .order_by("next_due_at", "-created_at", "-id")
        )

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Complaint]:
        start = 0
        while cases := self[start : start + ITERATION_PAGE]:
            yield from cases
            start += ITERATION_PAGE

    @overload
    def __getitem__(self, index: int) -> Complaint: ...

    @overload
    def __getitem__(self, index: slice) -> list[Complaint]: ...

    def __getitem__(self, index: int | slice) -> Complaint | list[Complaint]:
        if isinstance(index, int):
            if index < 0 or not (found := self._page(index, index + 1)):
                raise IndexError(index)
            return found[0]
        if index.stop is None or index.step is not None:
            raise TypeError("UrgentFirst reads a bounded page: [start:stop].")
        return self._page(index.start or 0, index.stop)

    def _page(self, start: int, stop: int) -> list[Complaint]:
        cases = list(_uncompiled(self._scheduled())[start:stop])
        if len(cases) == stop - start:
            return cases
        # The page runs past the cases with an open deadline: how many there are is known
        # when some were on this page; otherwise (a page further on) it is counted once.
        if cases:
            scheduled = start + len(cases)
        else:
            if self._scheduled_count is None:
                self._scheduled_count = self._scheduled().order_by().count()
            scheduled = self._scheduled_count
        rest = self._cases.filter(
            ~Exists(Deadline.objects.filter(OPEN, complaint=OuterRef("pk")))
        ).order_by("-created_at", "-id")
        unscheduled = list(_uncompiled(rest)[max(start - scheduled, 0) : stop - scheduled])
        for complaint in unscheduled:
            complaint.next_due_at = None  # type: ignore[attr-defined]
        return cases + unscheduled


def related_complaints(*, actor: Actor, complaint: Complaint) -> QuerySet[Complaint]:
    """Other cases of the same customer or vehicle: a repeat complaint when any exist."""
    condition = Q(customer_id=complaint.customer_id)
    if complaint.vehicle_id:
        condition |= Q(vehicle_id=complaint.vehicle_id)
    return (
        scoped(Complaint, actor)
        .filter(condition)
        .exclude(pk=complaint.pk)
        .select_related("vehicle")
        .order_by("-created_at", "-id")
    )


def dealer_overview(*, actor: Actor, dealer: Any) -> dict[str, Any]:
    """Counts per step and open safety and serious cases, over the cases of one dealer the
    actor may read: where the cases are now. How fast they move over a period is for
    `analytics.selectors`.

    Two queries: the count per state from the dealer-and-state index alone, and one pass
    over the open cases for everything else."""
    cases = scoped(Complaint, actor).filter(dealer=dealer)
    # COUNT(*), not of a column: the dealer-and-state index answers alone.
    per_state = dict(
        cases.order_by().values("state").annotate(n=Count("*")).values_list("state", "n")
    )
    per_step = {step: 0 for step, _label in STEPS}
    for state, count in per_state.items():
        step = STEP_OF_STATE.get(state)
        if step is not None and state in OPEN_STATES:
            per_step[step] += count
    per_category: dict[str, int] = {}
    totals = {"open": 0, "safety": 0, "serious": 0, "escalated": 0}
    for category, *counts in (
        cases.filter(state__in=OPEN_STATES)
        .order_by()
        .values("category")
        .annotate(
            n=Count("id"),
            safety=Count("id", filter=Q(is_safety_related=True)),
            serious=Count("id", filter=Q(severity=Severity.SERIOUS)),
            escalated=Count("id", filter=Q(escalated=True)),
        )
        .values_list("category", "n", "safety", "serious", "escalated")
    ):
        per_category[category] = counts[0]
        for name, count in zip(totals, counts, strict=True):
            totals[name] += count
    return {
        "per_step": per_step,
        "per_state": per_state,
        "per_category": per_category,
        **totals,
        "awaiting_approval": per_state.get(State.AWAITING_APPROVAL, 0),
        "closed": per_state.get(State.CLOSED, 0),
    }
