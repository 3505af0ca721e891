"""Dealer scoping: the one place that decides which rows an actor may see or change.

Every selector starts from `scoped(Model, actor)`. Advisors and managers work on the
cases, customers and vehicles of the dealers they belong to; regional staff read the
serious and safety-related cases of their region's dealers and nothing else; an API
client acts for exactly one dealer. Each model registers how it reaches its dealer, and a
test walks every model to prove none is left out.

Scoping is the default, not a habit. A registered model's default manager is a
`ScopedManager`: its querysets refuse to be evaluated (fetched, counted, tested with
`exists()`, aggregated, updated or deleted) unless they came from

- `scoped(Model_or_queryset, actor)`: the rows that actor may reach;
- a related manager of an instance the code already holds (`complaint.deadlines.all()`):
  it follows that instance, which was itself read through a scope;
- a named escape, for code that acts for no actor: `Model.objects.unscoped(reason="sweep")`
  or `with unscoped("sweep"): ...`. `ESCAPES` lists every reason and what it is for, so
  `git grep 'unscoped('` shows every read that crosses dealers.

Saving, creating and bulk-creating rows read nothing and are always allowed, and so is an
empty `Model.objects.none()`. Migrations use historical models with plain managers and are
unaffected. Following a foreign key (`complaint.dealer`) and `refresh_from_db()` go through
Django's plain base manager: they read the one row the instance points to (never use
`_base_manager` to read anything else). A subquery (`Exists(...)`, `__in=queryset`,
`Subquery(...)`) is compiled into its outer query and is not checked on its own: correlate it
with the outer row (`OuterRef`) or build it from `scoped()`.

The test suite registers its directory with `allow_direct_reads_under()`: a queryset built
by code there (set-up, factories, assertions) is marked "test"; a queryset built by the
application code a test calls is checked as always. The actor type is `core.actors.Actor`.

Where `settings.SCOPING_STRICT` is true (development and tests) an unscoped read raises
`UnscopedRead`; in production it is logged once per call site and goes through, because an
unscoped read is usually an internal read that forgot to say so (a row looked up by the
primary key of a row already reached through a scope), and turning it into a broken page
helps nobody; the test suite, which runs strict, is where such reads are caught.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q, QuerySet

if TYPE_CHECKING:
    from .actors import Actor

logger = logging.getLogger(__name__)

ADVISOR = "advisor"
MANAGER = "manager"
REGIONAL = "regional"
# A technician does the repair of step 5: they read only the cases assigned to them and add
# notes and evidence to those, nothing else.
TECHNICIAN = "technician"
WORK_ROLES = frozenset({ADVISOR, MANAGER})


# Every way to read across dealers, by name. A read outside `scoped()` must name one of
# these, so that each such read says why it may see every dealer.
ESCAPES: dict[str, str] = {
    "sweep": "the deadline sweep: due deadlines of every dealer, acted on for no one",
    "retention": "erasing customers whose cases ended long ago, for no one",
    "outbox": "delivering queued e-mails and webhooks, claimed row by row",
    "metrics": "the operators' counts (messages waiting, deadlines overdue); no row leaves "
    "the query",
    "access": "working out what an actor may reach, from their own memberships",
    "authentication": "finding an API key by its prefix, before there is an actor",
    "idempotency": "replaying a request's first response, found by the caller's own key",
    "instance": "reading again (or locking) a row the caller already holds, by its key",
    "validation": "uniqueness checks: a value taken is taken, whoever took it",
    "system": "work a service does for a use case already authorised, e.g. the rule that "
    "sets a deadline or the endpoints to notify of an event",
    "analytics": "aggregate figures (counts, times, sums) of the dealers analytics.access "
    "lets the actor analyse; no row of a case leaves the query",
    "admin": "the admin site, which only superusers enter",
    "command": "management commands run by an operator on the server",
    "demo": "building and reading demonstration data",
    "bench": "the benchmarks' own set-up and checks",
    "migration": "data migrations that import a real model instead of a historical one",
    "test": "a test's own reads, set up and assertions (never the code under test)",
}


class UnscopedRead(RuntimeError):
    """A dealer-owned model was read without `scoped(...)` or a named escape."""


_escape: ContextVar[str | None] = ContextVar("scoping_escape", default=None)


def _check_reason(reason: str) -> str:
    if reason not in ESCAPES:
        raise ValueError(f"Unknown scoping escape {reason!r}; name one of: {', '.join(ESCAPES)}.")
    return reason


@contextmanager
def unscoped(reason: str) -> Iterator[None]:
    """Read dealer-owned models without an actor inside the block, for the named reason.

    Querysets built inside the block keep the escape when evaluated after it (a template
    renders after its view returned). Also usable as a decorator.
    """
    token = _escape.set(_check_reason(reason))
    try:
        yield
    finally:
        _escape.reset(token)


def current_escape() -> str | None:
    return _escape.get()


# The test suite's own reads (assertions, set-up) are allowed where the queryset is built
# by code under these directories; querysets the application builds are checked as always,
# even while a test calls it. Empty outside the test suite: nothing is inspected then.
_READS_ALLOWED_UNDER: tuple[str, ...] = ()
_PROJECT_ROOT = str(Path(__file__).resolve().parent.parent) + os.sep
_LIBRARIES = os.sep + "site-packages" + os.sep


def allow_direct_reads_under(directory: str | os.PathLike[str]) -> None:
    """Let code under `directory` (the test suite) read without naming a scope."""
    global _READS_ALLOWED_UNDER
    path = str(Path(directory).resolve()) + os.sep
    if path not in _READS_ALLOWED_UNDER:
        _READS_ALLOWED_UNDER = (*_READS_ALLOWED_UNDER, path)


def _is_project_code(filename: str) -> bool:
    return (
        filename.startswith(_PROJECT_ROOT) and _LIBRARIES not in filename and filename != __file__
    )


def _calling_project_frame() -> tuple[str, int] | None:
    """The innermost frame of the project's own code (not Django's, not this module's)."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if _is_project_code(filename):
            return filename, frame.f_lineno
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _built_by_test_code() -> bool:
    if not _READS_ALLOWED_UNDER:
        return False
    caller = _calling_project_frame()
    return caller is not None and caller[0].startswith(_READS_ALLOWED_UNDER)


_warned: set[tuple[str, str | None, int | None]] = set()


def _refuse(queryset: QuerySet[Any], operation: str) -> None:
    caller = _calling_project_frame()
    where = f"{os.path.relpath(caller[0], _PROJECT_ROOT)}:{caller[1]}" if caller else "?"
    message = (
        f"{queryset.model.__name__} read without a scope ({operation}, at {where}): start "
        "from core.scoping.scoped(Model, actor), or name an escape with "
        "Model.objects.unscoped(reason=...) or `with core.scoping.unscoped(reason):`."
    )
    if getattr(settings, "SCOPING_STRICT", settings.DEBUG):
        raise UnscopedRead(message)
    key = (queryset.model._meta.label, *(caller or (None, None)))
    if key not in _warned:
        _warned.add(key)
        # An error, not a warning: in production this is a read that crossed no check, and
        # whoever watches the logs must hear of it.
        logger.error(message)


class ScopedQuerySet(QuerySet[Any]):
    """A queryset of a dealer-owned model: evaluated only with a scope or a named escape.

    `_scope` records how the queryset was obtained: "actor" from `scoped()`, "related" from
    a related manager, or the reason of an escape. It is set when the queryset is built and
    carried through every `filter()`, `order_by()` and the like.
    """

    _scope: str | None = None

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]
        clone._scope = self._scope
        return clone

    def _with_scope(self, scope: str) -> Self:
        clone = self._chain()  # type: ignore[attr-defined]
        clone._scope = scope
        return clone

    def unscoped(self, *, reason: str) -> Self:
        """Every row, for a named reason from `ESCAPES` (no actor involved)."""
        return self._with_scope(_check_reason(reason))

    def __repr__(self) -> str:
        # A debugger, a log line or an error page must not fail on an unscoped queryset.
        if self._scope is None and _escape.get() is None and self._result_cache is None:
            return f"<{type(self).__name__} of {self.model.__name__}, unscoped: not evaluated>"
        return super().__repr__()

    def _check_scope(self, operation: str) -> None:
        if self._scope is not None or _escape.get() is not None or self.query.is_empty():
            return
        _refuse(self, operation)

    def _combined(self, result: Self, *others: Any) -> Self:
        # A union or `|` with an unscoped queryset would carry its rows in unchecked.
        if any(isinstance(o, QuerySet) and getattr(o, "_scope", None) is None for o in others):
            if not all(o.query.is_empty() for o in others if isinstance(o, QuerySet)):
                result._scope = None
        return result

    def __or__(self, other: Any) -> Self:
        return self._combined(super().__or__(other), other)

    def __and__(self, other: Any) -> Self:
        return self._combined(super().__and__(other), other)

    def __xor__(self, other: Any) -> Self:
        return self._combined(super().__xor__(other), other)

    def _combinator_query(self, combinator: str, *other_qs: Any, all: bool = False) -> Self:  # noqa: A002
        return self._combined(
            super()._combinator_query(combinator, *other_qs, all=all),  # type: ignore[misc]
            *other_qs,
        )

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._check_scope("fetch")
        super()._fetch_all()

    def iterator(self, chunk_size: int | None = None) -> Iterator[Any]:
        self._check_scope("iterator")
        return super().iterator(chunk_size)

    def aiterator(self, chunk_size: int = 2000) -> Any:
        self._check_scope("aiterator")
        return super().aiterator(chunk_size)

    def count(self) -> int:
        if self._result_cache is None:
            self._check_scope("count")
        return super().count()

    def exists(self) -> bool:
        if self._result_cache is None:
            self._check_scope("exists")
        return super().exists()

    def contains(self, obj: Any) -> bool:
        if self._result_cache is None:
            self._check_scope("contains")
        return super().contains(obj)

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._check_scope("aggregate")
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        self._check_scope("update")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._check_scope("delete")
        return super().delete()

    def explain(self, *, format: str | None = None, **options: Any) -> str:  # noqa: A002
        self._check_scope("explain")
        return super().explain(format=format, **options)

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        # Writes the instances the caller holds, by primary key, like `save()`: nothing read.
        return super(ScopedQuerySet, self._with_scope("instance")).bulk_update(
            objs, fields, batch_size=batch_size
        )

    @classmethod
    def as_manager(cls) -> Any:
        manager = ScopedManager.from_queryset(cls)()
        manager._built_with_as_manager = True
        return manager


class ScopedManagerMixin:
    """Makes a manager hand out `ScopedQuerySet`s marked with how they were obtained."""

    def get_queryset(self) -> Any:
        # The queryset is new: it is marked in place rather than cloned once more.
        queryset = super().get_queryset()  # type: ignore[misc]
        if getattr(self, "instance", None) is not None:
            # A related manager (`complaint.deadlines`): it follows an instance the caller
            # already holds.
            queryset._scope = "related"
        elif (escape := _escape.get()) is not None:
            queryset._scope = escape
        elif _built_by_test_code():
            queryset._scope = "test"
        return queryset

    def unscoped(self, *, reason: str) -> Any:
        """Every row, for a named reason from `ESCAPES` (no actor involved)."""
        queryset = self.get_queryset()
        queryset._scope = _check_reason(reason)
        return queryset


class ScopedManager(ScopedManagerMixin, models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    """The default manager of every dealer-owned model (see the module's docstring)."""


@dataclass(frozen=True)
class Access:
    """What one actor may reach: roles per dealer, regions read, and superuser status."""

    dealer_roles: dict[int, frozenset[str]] = field(default_factory=dict)
    region_ids: frozenset[int] = frozenset()
    is_superuser: bool = False

    @property
    def worked_dealer_ids(self) -> frozenset[int]:
        return frozenset(d for d, roles in self.dealer_roles.items() if roles & WORK_ROLES)

    @property
    def technician_dealer_ids(self) -> frozenset[int]:
        return frozenset(d for d, roles in self.dealer_roles.items() if TECHNICIAN in roles)

    def roles_at(self, dealer_id: int | None) -> frozenset[str]:
        if self.is_superuser:
            return WORK_ROLES
        if dealer_id is None:
            return frozenset()
        return self.dealer_roles.get(dealer_id, frozenset())


NO_ACCESS = Access()


def access_for(actor: Actor | None) -> Access:
    """The actor's access, computed once per actor object (one query, then cached)."""
    if actor is None:
        return NO_ACCESS
    cached = getattr(actor, "_scoping_access", None)
    if cached is not None:
        return cached
    custom = getattr(actor, "scoping_access", None)
    if callable(custom):
        access = custom()
    elif not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
        access = NO_ACCESS
    else:
        access = _user_access(actor)
    actor._scoping_access = access  # type: ignore[attr-defined]
    return access


def forget_access(actor: Actor) -> None:
    """Drop the cached access, after the actor's memberships changed."""
    actor.__dict__.pop("_scoping_access", None)


# Where a user's roles come from: the dealers app registers its memberships when it is ready
# (core imports no app). Each row is (role, dealer id or None, region id or None).
type MembershipRows = Callable[[Actor], Iterable[tuple[str, int | None, int | None]]]
_memberships_of: MembershipRows | None = None


def register_memberships(loader: MembershipRows) -> None:
    """Name the function that lists a user's roles (called once, by the dealers app)."""
    global _memberships_of
    _memberships_of = loader


def _user_access(user: Actor) -> Access:
    dealer_roles: dict[int, set[str]] = {}
    regions: set[int] = set()
    rows = _memberships_of(user) if _memberships_of is not None else ()
    for role, dealer_id, region_id in rows:
        if role == REGIONAL:
            if region_id is not None:
                regions.add(region_id)
        elif dealer_id is not None:
            dealer_roles.setdefault(dealer_id, set()).add(role)
    return Access(
        dealer_roles={d: frozenset(r) for d, r in dealer_roles.items()},
        region_ids=frozenset(regions),
        is_superuser=bool(getattr(user, "is_superuser", False)),
    )


def roles_for(actor: Actor | None, dealer_id: int | None) -> frozenset[str]:
    return access_for(actor).roles_at(dealer_id)


@dataclass(frozen=True)
class ScopeRule:
    """How a model reaches its dealer, and what of it regional staff may read."""

    dealer_lookup: str
    regional: Callable[[frozenset[int]], Q] | None = None
    # Rows that belong to one person (their notifications): only that person reads them.
    owner_lookup: str | None = None
    # Rows of a case assigned to a technician (step 5): that technician reads them, at the
    # dealers where they are a technician.
    technician_lookup: str | None = None


_RULES: dict[type[models.Model], ScopeRule] = {}


def register(model: type[models.Model], rule: ScopeRule) -> None:
    manager = model._default_manager
    queryset_class = getattr(manager, "_queryset_class", None)
    if not isinstance(manager, ScopedManagerMixin) or not (
        isinstance(queryset_class, type) and issubclass(queryset_class, ScopedQuerySet)
    ):
        raise ImproperlyConfigured(
            f"{model._meta.label} is dealer-owned: derive it from core.models.DealerOwned, "
            "or make its default manager a core.scoping.ScopedManager."
        )
    _RULES[model] = rule


def registered_models() -> Iterable[type[models.Model]]:
    return tuple(_RULES)


def rule_for(model: type[models.Model]) -> ScopeRule:
    return _RULES[model]


def scoped[M: models.Model](
    model_or_queryset: type[M] | QuerySet[M], actor: Actor | None, *, write: bool = False
) -> QuerySet[M]:
    """Rows of the model the actor may read (or, with write=True, change).

    The one way to read a dealer-owned model for someone: the queryset it returns may be
    evaluated, whatever is chained onto it.
    """
    if isinstance(model_or_queryset, QuerySet):
        queryset = model_or_queryset
    else:
        queryset = model_or_queryset._default_manager.all()
    rule = _RULES.get(queryset.model)
    if rule is None:
        raise LookupError(f"{queryset.model.__name__} has no dealer scope registered.")
    access = access_for(actor)
    if access.is_superuser:
        return queryset._with_scope("actor") if isinstance(queryset, ScopedQuerySet) else queryset
    condition = Q(**{f"{rule.dealer_lookup}__in": sorted(access.worked_dealer_ids)})
    if not write and access.region_ids and rule.regional is not None:
        condition |= rule.regional(access.region_ids)
    from django.contrib.auth import get_user_model

    # Only a signed-in person owns rows; an API client's id is not a user id.
    user_id = actor.pk if isinstance(actor, get_user_model()) else None
    technician_at = access.technician_dealer_ids
    if not write and technician_at and user_id is not None and rule.technician_lookup:
        condition |= Q(**{f"{rule.dealer_lookup}__in": sorted(technician_at)}) & Q(
            **{rule.technician_lookup: user_id}
        )
    if rule.owner_lookup is not None:
        condition &= Q(**{rule.owner_lookup: user_id})
    result = queryset.filter(condition)
    if isinstance(result, ScopedQuerySet):
        result._scope = "actor"  # a new queryset: marked in place
    return result
