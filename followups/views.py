"""Pages of deadlines, contacts, promises, notifications and each dealer's time limits.

The case page shows deadlines through followups.web; the forms posted from it land here and
come back to it, with their errors, through complaints.views.render_case.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaints.views import case_form_action, case_or_404, case_url, render_case
from core.exceptions import ApplicationError, NotFound
from core.replica import tolerates_lag
from dealers.models import Dealer
from web.shell import HtmxHttpRequest, is_manager, require_dealer, service_error

from . import selectors, services
from .choices import DeadlineKind
from .forms import (
    LIMIT_FIELDS,
    ContactForm,
    DeadlineRuleForm,
    PromiseForm,
    RepairPromiseForm,
)
from .models import Deadline, DeadlineRule
from .rules import DEFAULT_LIMITS, FIRM_KINDS, Limit
from .web import mark_overdue, repair_promise_offered

# Deadlines due within this time show on the overdue board as at risk.
AT_RISK_WITHIN = timedelta(hours=2)


def _deadline(request: HttpRequest, pk: int) -> Deadline:
    try:
        return selectors.deadline_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


@login_required
@require_POST
def contact_create(request: HttpRequest, reference: str) -> HttpResponse:
    """Log a contact with the customer; a satisfied one lets the case leave step 6."""
    complaint = case_or_404(request, reference)
    form = ContactForm(request.POST, prefix="contact")
    return case_form_action(
        request,
        complaint,
        form,
        run=lambda data: services.contact_record(
            complaint=complaint,
            actor=request.user,
            channel=data["channel"],
            outcome=data["outcome"],
            note=data["note"],
        ),
        success=_("The contact has been recorded."),
        form_name="contact_form",
        open_form="contact",
    )


@login_required
@require_POST
def promise_create(request: HttpRequest, reference: str) -> HttpResponse:
    """A further promise to the customer: a quick one, due from now, or the customer's own
    words with the time they were promised, in the dealer's time zone."""
    complaint = case_or_404(request, reference)
    form = PromiseForm(request.POST, prefix="promise", tzinfo=complaint.dealer.tzinfo)
    return case_form_action(
        request,
        complaint,
        form,
        run=lambda _data: services.commitment_create(
            complaint=complaint, actor=request.user, **form.service_kwargs()
        ),
        success=_("The promise has been recorded with its deadline."),
        form_name="promise_form",
        open_form="promise",
    )


@login_required
@require_POST
def promise_keep(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = _deadline(request, pk)
    try:
        services.commitment_keep(
            deadline=deadline, actor=request.user, note=request.POST.get("note", "")
        )
    except ApplicationError as error:
        service_error(request, error)
    else:
        messages.success(request, _("The promise is marked as kept."))
    return HttpResponseRedirect(case_url(deadline.complaint))


@login_required
@require_POST
def repair_promise_set(request: HttpRequest, reference: str) -> HttpResponse:
    """The date and time the repair will be finished, as promised to the customer."""
    complaint = case_or_404(request, reference)
    form = RepairPromiseForm(request.POST, prefix="repair", tzinfo=complaint.dealer.tzinfo)
    if form.is_valid():
        try:
            services.repair_promise_set(
                complaint=complaint, actor=request.user, due_at=form.cleaned_data["due_at"]
            )
        except ApplicationError as error:
            service_error(request, error, form)
            if not form.errors:
                return HttpResponseRedirect(case_url(complaint))
        else:
            messages.success(
                request, _("The promised repair completion is recorded with its deadline.")
            )
            return HttpResponseRedirect(case_url(complaint))
    if not repair_promise_offered(complaint):
        # Nowhere to show the form again: the refusal above said why.
        return HttpResponseRedirect(case_url(complaint))
    return render_case(request, complaint, repair_form=form, open_form="repair")


@login_required
@require_POST
def transfer_check_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The previous owner confirms the customer was told who handles the case now."""
    deadline = _deadline(request, pk)
    if deadline.kind != DeadlineKind.TRANSFER_CHECK:
        raise Http404
    try:
        services.transfer_check_confirm(
            deadline=deadline, actor=request.user, note=request.POST.get("note", "")
        )
    except ApplicationError as error:
        service_error(request, error)
    else:
        messages.success(request, _("The hand-over is confirmed: the customer was informed."))
    return HttpResponseRedirect(case_url(deadline.complaint))


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    items = list(selectors.notification_list(user=request.user)[:100])
    return render(request, "followups/notifications.html", {"notifications": items})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    services.notification_mark_all_read(user=request.user)
    return HttpResponseRedirect(reverse("notifications"))


@login_required
@require_GET
@tolerates_lag()
def overdue_board(request: HtmxHttpRequest) -> HttpResponse:
    """Missed and soon-due deadlines of the dealer, most urgent first; htmx refreshes it."""
    dealer = require_dealer(request)
    if not is_manager(request, dealer):
        raise Http404
    now = timezone.now()
    deadlines = [
        mark_overdue(d, now)
        for d in selectors.overdue_deadlines(
            actor=request.user, dealer=dealer, at_risk_within=AT_RISK_WITHIN
        )[:200]
    ]
    context = {"dealer": dealer, "deadlines": deadlines, "refreshed_at": timezone.now()}
    if request.htmx:
        return render(request, "followups/overdue_board.html#board", context)
    return render(request, "followups/overdue_board.html", context)


# --- the dealer's time limits -------------------------------------------------------------

# Kinds whose time comes from a rule (a promise's time is the one promised).
RULE_KINDS = [
    kind
    for kind in DeadlineKind
    if any(getattr(DEFAULT_LIMITS[kind], name) is not None for name in LIMIT_FIELDS)
]


def _rules_dealer(request: HttpRequest) -> Dealer:
    dealer = require_dealer(request)
    if not is_manager(request, dealer):
        raise Http404
    return dealer


def _rule_rows(
    request: HttpRequest, dealer: Dealer, bound: DeadlineRuleForm | None = None
) -> list[dict[str, Any]]:
    overrides: dict[str, DeadlineRule] = {
        rule.kind: rule for rule in selectors.deadline_rule_list(actor=request.user, dealer=dealer)
    }
    rows = []
    for kind in RULE_KINDS:
        default: Limit = DEFAULT_LIMITS[kind]
        override = overrides.get(kind)
        if override is not None and all(getattr(override, n) is None for n in LIMIT_FIELDS):
            override = None  # saved empty: the defaults apply
        if bound is not None and bound.kind == kind:
            form = bound
        else:
            initial = {name: getattr(override, name) for name in LIMIT_FIELDS} if override else {}
            form = DeadlineRuleForm(kind=kind, default=default, initial=initial)
        rows.append(
            {
                "kind": kind,
                "label": DeadlineKind(kind).label,
                "default": default,
                "override": override,
                "firm": kind in FIRM_KINDS,
                "form": form,
            }
        )
    return rows


@login_required
@require_GET
def deadline_rules(request: HttpRequest) -> HttpResponse:
    """The dealer's time limits beside the defaults, for its managers to tighten or relax."""
    dealer = _rules_dealer(request)
    return render(
        request,
        "followups/deadline_rules.html",
        {"dealer": dealer, "rows": _rule_rows(request, dealer)},
    )


@login_required
@require_POST
def deadline_rule_save(request: HttpRequest, kind: str) -> HttpResponse:
    dealer = _rules_dealer(request)
    if kind not in RULE_KINDS:
        raise Http404
    form = DeadlineRuleForm(request.POST, kind=kind, default=DEFAULT_LIMITS[kind])
    if form.is_valid():
        try:
            services.deadline_rule_update(
                dealer=dealer, actor=request.user, kind=kind, **form.limits()
            )
        except ApplicationError as error:
            service_error(request, error, form)
            if not form.errors:
                return HttpResponseRedirect(reverse("deadline_rules"))
        else:
            messages.success(
                request,
                _(
                    "The time limits for “%(kind)s” are saved; they apply to deadlines "
                    "started from now on."
                )
                % {"kind": DeadlineKind(kind).label},
            )
            return HttpResponseRedirect(reverse("deadline_rules"))
    messages.error(request, _("Please correct the marked fields."))
    context = {"dealer": dealer, "rows": _rule_rows(request, dealer, bound=form), "open": kind}
    return render(request, "followups/deadline_rules.html", context, status=422)
