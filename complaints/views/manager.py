"""The managers' pages: approvals waiting, the overview and the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from analytics.period import default_period
from analytics.selectors import case_summary
from analytics.selectors import trend as analytics_trend
from core.replica import tolerates_lag
from followups import selectors as followup_selectors
from web.shell import (
    is_manager,
    is_regional,
    require_dealer,
)

from .. import selectors, services
from ..choices import STEPS, State

# --- manager pages ------------------------------------------------------------------


@login_required
@require_GET
def approval_queue(request: HttpRequest) -> HttpResponse:
    """Decisions awaiting a manager; approve only where the four-eyes rule allows it."""
    dealer = require_dealer(request)
    if not is_manager(request, dealer):
        raise Http404
    cases = list(
        selectors.complaint_worklist(
            actor=request.user, dealer=dealer, filters={"state": State.AWAITING_APPROVAL}
        ).select_related("submitted_by")
    )
    for complaint in cases:
        allowed = services.available_transitions(complaint=complaint, actor=request.user)
        row: Any = complaint  # the queue's template reads these three extra attributes
        row.may_approve = "approve" in allowed
        row.may_reject = "reject" in allowed
        row.needs_approval_because = _why_approval(complaint)
    return render(request, "complaints/approval_queue.html", {"cases": cases, "dealer": dealer})


def _why_approval(complaint: Any) -> list[str]:
    reasons = []
    if complaint.severity == "serious":
        reasons.append(_("Serious complaint"))
    if complaint.compensation_amount > complaint.dealer.approval_limit:
        reasons.append(
            _("Compensation above %(limit)s %(currency)s")
            % {"limit": complaint.dealer.approval_limit, "currency": complaint.dealer.currency}
        )
    return reasons


@login_required
@require_GET
@tolerates_lag()
def dealer_overview(request: HttpRequest) -> HttpResponse:
    """Managers' and regional staff's view of one dealer: where cases are and how fast."""
    dealer = require_dealer(request)
    if not (is_manager(request, dealer) or is_regional(request)):
        raise Http404
    stats = selectors.dealer_overview(actor=request.user, dealer=dealer)
    overdue = followup_selectors.overdue_deadlines(actor=request.user, dealer=dealer).count()
    # How fast cases move comes from the one analytics path: its last 30 days.
    period = default_period(dealer.tzinfo)
    recent = case_summary(dealer=dealer, period=period)
    weeks = analytics_trend(dealer=dealer, period=period, by="week")
    chart = {
        "steps": {
            "labels": [f"{n}. {label}" for n, label in STEPS],
            "values": [stats["per_step"][n] for n, _label in STEPS],
            "title": _("Open cases per step"),
        },
        "trend": {
            "labels": [week["start"].isoformat() for week in weeks],
            "values": [week["cases"] for week in weeks],
            "title": _("Cases received per week, last 30 days"),
        },
    }
    context = {
        "dealer": dealer,
        "stats": stats,
        "overdue": overdue,
        "chart": chart,
        "recent": recent,
        "period": period,
    }
    return render(request, "complaints/dealer_overview.html", context)


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Everything that changed at the dealer, newest first: case timelines and the audit
    log together. Managers read their dealer's; superusers read every dealer's."""
    from ..audit import Cursor, audit_trail

    dealer = require_dealer(request)
    if not is_manager(request, dealer):
        raise Http404
    everything = request.user.is_superuser
    before = Cursor.parse(request.GET.get("before", ""))
    lines = audit_trail(
        actor=request.user,
        dealer_id=None if everything else dealer.pk,
        before=before,
        limit=AUDIT_PAGE,
    )
    older = str(lines[-1].cursor) if len(lines) == AUDIT_PAGE else None
    return render(
        request,
        "complaints/audit_log.html",
        {"dealer": dealer, "lines": lines, "older": older, "everything": everything},
    )


AUDIT_PAGE = 100
