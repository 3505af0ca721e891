"""Dealer scoping: the one place that decides which rows an actor may see or change.

Every selector starts from `scoped(Model, actor)`. Advisors and managers work on the
cases, customers and vehicles of the dealers they belong to; regional staff read the
serious and safety-related cases of their region's dealers and nothing else; an API
client acts for exactly one dealer. Each model registers how it reaches its dealer, and a
test walks every model to prove none is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet

ADVISOR = "advisor"
MANAGER = "manager"
REGIONAL = "regional"
WORK_ROLES = frozenset({ADVISOR, MANAGER})


@dataclass(frozen=True)
class Access:
    """What one actor may reach: roles per dealer, regions read, and superuser status."""

    dealer_roles: dict[int, frozenset[str]] = field(default_factory=dict)
    region_ids: frozenset[int] = frozenset()
    is_superuser: bool = False

    @property
    def worked_dealer_ids(self) -> frozenset[int]:
        return frozenset(d for d, roles in self.dealer_roles.items() if roles & WORK_ROLES)

    def roles_at(self, dealer_id: int | None) -> frozenset[str]:
        if self.is_superuser:
            return WORK_ROLES
        if dealer_id is None:
            return frozenset()
        return self.dealer_roles.get(dealer_id, frozenset())


NO_ACCESS = Access()


def access_for(actor: Any) -> Access:
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
    actor._scoping_access = access
    return access


def forget_access(actor: Any) -> None:
    """Drop the cached access, after the actor's memberships changed."""
    actor.__dict__.pop("_scoping_access", None)


def _user_access(user: Any) -> Access:
    from dealers.models import Membership

    dealer_roles: dict[int, set[str]] = {}
    regions: set[int] = set()
    for role, dealer_id, region_id in Membership.objects.filter(user=user).values_list(
        "role", "dealer_id", "region_id"
    ):
        if role == REGIONAL:
            regions.add(region_id)
        else:
            dealer_roles.setdefault(dealer_id, set()).add(role)
    return Access(
        dealer_roles={d: frozenset(r) for d, r in dealer_roles.items()},
        region_ids=frozenset(regions),
        is_superuser=bool(getattr(user, "is_superuser", False)),
    )


def roles_for(actor: Any, dealer_id: int | None) -> frozenset[str]:
    return access_for(actor).roles_at(dealer_id)


@dataclass(frozen=True)
class ScopeRule:
    """How a model reaches its dealer, and what of it regional staff may read."""

    dealer_lookup: str
    regional: Callable[[frozenset[int]], Q] | None = None
    # Rows that belong to one person (their notifications): only that person reads them.
    owner_lookup: str | None = None


_RULES: dict[type[models.Model], ScopeRule] = {}


def register(model: type[models.Model], rule: ScopeRule) -> None:
    _RULES[model] = rule


def registered_models() -> Iterable[type[models.Model]]:
    return tuple(_RULES)


def rule_for(model: type[models.Model]) -> ScopeRule:
    return _RULES[model]


def scoped[M: models.Model](
    model_or_queryset: type[M] | QuerySet[M], actor: Any, *, write: bool = False
) -> QuerySet[M]:
    """Rows of the model the actor may read (or, with write=True, change)."""
    if isinstance(model_or_queryset, QuerySet):
        queryset = model_or_queryset
    else:
        queryset = model_or_queryset._default_manager.all()
    rule = _RULES.get(queryset.model)
    if rule is None:
        raise LookupError(f"{queryset.model.__name__} has no dealer scope registered.")
    access = access_for(actor)
    if access.is_superuser:
        return queryset
    condition = Q(**{f"{rule.dealer_lookup}__in": sorted(access.worked_dealer_ids)})
    if not write and access.region_ids and rule.regional is not None:
        condition |= rule.regional(access.region_ids)
    if rule.owner_lookup is not None:
        from django.contrib.auth import get_user_model

        # Only a signed-in person owns rows; an API client's id is not a user id.
        user_id = actor.pk if isinstance(actor, get_user_model()) else None
        condition &= Q(**{rule.owner_lookup: user_id})
    return queryset.filter(condition)
