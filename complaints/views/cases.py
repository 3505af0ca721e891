"""The cases list: the advisor's home."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.replica import tolerates_lag
from followups.web import next_deadlines
from web.shell import (
    HtmxHttpRequest,
    current_dealer,
    is_manager,
    is_region_home,
    may_work,
)

from .. import selectors
from ..choices import STEP_OF_STATE
from ..forms import CaseFilterForm
from .common import PAGE_SIZE

# --- the cases list -----------------------------------------------------------------


@login_required
@require_GET
@tolerates_lag()
def home(request: HtmxHttpRequest) -> HttpResponse:
    """My cases: open cases of the current dealer, most urgent first. Regional staff own no
    case: their home is the serious and safety-related cases of every dealer of their
    region (seed 004: the region watches the serious complaints)."""
    dealer = current_dealer(request)
    if dealer is None:
        return render(request, "complaints/no_dealer.html", status=403)
    region_home = is_region_home(request, dealer)
    data = request.GET.copy()
    if "filtered" not in data and may_work(request, dealer) and not is_manager(request, dealer):
        data["mine"] = "on"  # an advisor starts from the cases they own
    form = CaseFilterForm(data)
    filters: dict[str, Any] = {"open": True}
    if form.is_valid():
        cleaned = form.cleaned_data
        filters.update(
            q=cleaned["q"],
            step=cleaned["step"],
            severity=cleaned["severity"],
            safety=cleaned["safety"],
        )
        if cleaned["closed"]:
            filters["open"] = False
        if cleaned["mine"] and not region_home:
            filters["assignee"] = request.user.pk
    worklist = selectors.complaint_worklist_pages(
        actor=request.user, dealer=None if region_home else dealer, filters=filters
    )
    page = Paginator(worklist, PAGE_SIZE).get_page(request.GET.get("page"))
    cases = _with_deadlines(request, list(page.object_list))
    context = {
        "form": form,
        "page": page,
        "cases": cases,
        "dealer": dealer,
        "region_home": region_home,
    }
    if request.htmx and request.htmx.target == "case-results":
        return render(request, "complaints/case_list.html#results", context)
    return render(request, "complaints/case_list.html", context)


def _with_deadlines(request: HttpRequest, cases: list[Any]) -> list[Any]:
    """Attach each case's step and next open deadline."""
    upcoming = next_deadlines(request, cases)
    for complaint in cases:
        complaint.step = STEP_OF_STATE.get(complaint.state)
        complaint.next_deadline = upcoming.get(complaint.pk)
    return cases
