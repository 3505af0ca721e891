"""Who may read which dealer's figures.

Managers read their own dealers' figures, with the per-advisor table; regional staff read
every dealer of their regions side by side (the figures are counts, times and sums, so they
see all of a dealer's cases counted, though they open only the serious and safety-related
ones); an API key reads its own dealer's figures, without names; advisors read none: the
figures are the managers' instrument for steering, training and incentives (004), and an
advisor's own cases are on the work list.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from core.actors import Actor
from core.scoping import MANAGER, access_for
from dealers.models import Dealer


def is_api_client(actor: Actor) -> bool:
    return getattr(actor, "api_key", None) is not None


def analysable_dealers(*, actor: Actor) -> QuerySet[Dealer]:
    """The dealers whose figures the actor may read, by code."""
    access = access_for(actor)
    dealers = Dealer.objects.unscoped(reason="analytics").select_related("region")
    if access.is_superuser:
        return dealers.order_by("code")
    managed = [d for d, roles in access.dealer_roles.items() if MANAGER in roles]
    condition = Q(pk__in=sorted(managed)) | Q(region_id__in=sorted(access.region_ids))
    if is_api_client(actor):
        condition = Q(pk__in=sorted(access.dealer_roles))
    return dealers.filter(condition).order_by("code")


def sees_advisors(*, actor: Actor, dealer: Any) -> bool:
    """Per-advisor figures are for the dealer's managers (and superusers) only."""
    return MANAGER in access_for(actor).roles_at(dealer.pk) and not is_api_client(actor)
