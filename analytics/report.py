"""One request's analytics: the dealer chosen, its period, its figures and tables.

Shared by the page, the exports and the API, so that all three show the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.actors import Actor
from core.exceptions import NotFound
from core.scoping import access_for
from dealers.models import Dealer

from .access import analysable_dealers, sees_advisors
from .period import Period, parse_period
from .selectors import case_summaries, dealer_figures
from .tables import Table, dealer_tables, dealers_table


@dataclass
class Report:
    dealer: Dealer
    dealers: list[Dealer]
    period: Period
    by: str
    figures: dict[str, Any]
    side_by_side: list[tuple[Dealer, dict[str, Any]]]

    def tables(self) -> list[Table]:
        tables = dealer_tables(self.figures)
        if self.side_by_side:
            tables.insert(1, dealers_table(self.side_by_side))
        return tables


def choose_dealer(
    *, actor: Actor, code: str | None, preferred: Dealer | None = None
) -> tuple[Dealer, list[Dealer]]:
    """The dealer asked for by code (NotFound when the actor may not analyse it), else the
    preferred one, else the first the actor may analyse."""
    dealers = list(analysable_dealers(actor=actor))
    if not dealers:
        raise NotFound()
    if code:
        for dealer in dealers:
            if dealer.code == code:
                return dealer, dealers
        raise NotFound()
    if preferred is not None and any(d.pk == preferred.pk for d in dealers):
        return preferred, dealers
    return dealers[0], dealers


def build_report(
    *, actor: Actor, params: Mapping[str, Any], preferred: Dealer | None = None
) -> Report:
    """The figures the actor asked for; ValidationFailed for a bad period, NotFound for a
    dealer they may not analyse."""
    dealer, dealers = choose_dealer(actor=actor, code=params.get("dealer"), preferred=preferred)
    period, by = parse_period(params, dealer.tzinfo)
    figures = dealer_figures(
        dealer=dealer, period=period, by=by, with_advisors=sees_advisors(actor=actor, dealer=dealer)
    )
    side_by_side: list[tuple[Dealer, dict[str, Any]]] = []
    if access_for(actor).region_ids and len(dealers) > 1:
        # The chosen dealer's summary is already among its figures; the others' are read
        # together, grouped by dealer.
        others = [d for d in dealers if d.pk != dealer.pk]
        summaries = case_summaries(dealers=others, period=period)
        summaries[dealer.pk] = figures["summary"]
        side_by_side = [(d, summaries[d.pk]) for d in dealers]
    return Report(dealer, dealers, period, by, figures, side_by_side)
