"""Pages of deadlines, contacts, promises and notifications.

The case page and the cases list show deadlines through the helpers here; when the
follow-up app's selectors and services are not installed they show none, and the pages of
this module answer 404.
"""

from __future__ import annotations

import importlib
from datetime import timedelta
from types import ModuleType
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import ApplicationError

# Deadlines due within this time show on the overdue board as at risk.
AT_RISK_WITHIN = timedelta(hours=2)


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"followups.{name}")
    except ImportError:
        return None


def followup_api(name: str) -> Any:
    """A function of followups.selectors or followups.services, or None when absent."""
    module_name, _sep, function = name.rpartition(".")
    module = _module(module_name)
    return getattr(module, function, None) if module else None


def _required(name: str) -> Any:
    function = followup_api(name)
    if function is None:
        raise Http404
    return function


def _mark(deadline: Any, now: Any) -> Any:
    deadline.is_overdue = deadline.is_open and (deadline.breached_at or deadline.due_at <= now)
    return deadline


def unread_notifications(request: HttpRequest) -> int | None:
    unread_count = followup_api("selectors.unread_count")
    if unread_count is None:
        return None
    return unread_count(user=request.user)


def next_deadlines(request: HttpRequest, complaints: list[Any]) -> dict[int, Any]:
    """The earliest open deadline of each case, by case id."""
    deadline_list = followup_api("selectors.deadline_list")
    if deadline_list is None or not complaints:
        return {}
    now = timezone.now()
    result: dict[int, Any] = {}
    for deadline in deadline_list(actor=request.user, open_only=True).filter(
        complaint__in=complaints
    ):
        result.setdefault(deadline.complaint_id, _mark(deadline, now))
    return result


def case_followups(request: HttpRequest, complaint: Any) -> dict[str, Any] | None:
    """Deadlines, promises and contacts of one case, for its page."""
    deadline_list = followup_api("selectors.deadline_list")
    contact_list = followup_api("selectors.contact_list")
    if deadline_list is None or contact_list is None:
        return None
    from complaints.forms import ContactForm, PromiseForm

    now = timezone.now()
    deadlines = [_mark(d, now) for d in deadline_list(actor=request.user, complaint=complaint)]
    return {
        "open_deadlines": [d for d in deadlines if d.is_open],
        "closed_deadlines": [d for d in deadlines if not d.is_open],
        "contacts": list(contact_list(actor=request.user, complaint=complaint)),
        "contact_form": ContactForm(prefix="contact"),
        "promise_form": PromiseForm(prefix="promise"),
    }


def _case(request: HttpRequest, reference: str) -> Any:
    from complaints import selectors
    from core.exceptions import NotFound

    try:
        return selectors.complaint_get(actor=request.user, reference=reference)
    except NotFound:
        raise Http404 from None


def _case_url(complaint: Any) -> str:
    return reverse("complaint_detail", args=[complaint.reference])


@login_required
@require_POST
def contact_create(request: HttpRequest, reference: str) -> HttpResponse:
    """Log a contact with the customer; a satisfied one lets the case leave step 6."""
    from complaints.forms import ContactForm
    from complaints.views import render_case
    from complaints.web import service_error

    contact_record = _required("services.contact_record")
    complaint = _case(request, reference)
    form = ContactForm(request.POST, prefix="contact")
    if form.is_valid():
        try:
            contact_record(
                complaint=complaint,
                actor=request.user,
                channel=form.cleaned_data["channel"],
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            service_error(request, error, form)
            if not form.errors:
                return HttpResponseRedirect(_case_url(complaint))
        else:
            messages.success(request, _("The contact has been recorded."))
            return HttpResponseRedirect(_case_url(complaint))
    return render_case(request, complaint, contact_form=form, open_form="contact")


@login_required
@require_POST
def promise_create(request: HttpRequest, reference: str) -> HttpResponse:
    """A further one-click promise to the customer, due from now."""
    from complaints.forms import PROMISE_MINUTES, PROMISES, PromiseForm
    from complaints.views import render_case
    from complaints.web import service_error

    commitment_create = _required("services.commitment_create")
    complaint = _case(request, reference)
    form = PromiseForm(request.POST, prefix="promise")
    if form.is_valid():
        key = form.cleaned_data["promise"]
        label = next(str(text) for k, text, _minutes in PROMISES if k == key)
        try:
            commitment_create(
                complaint=complaint,
                actor=request.user,
                promise=label,
                due_at=timezone.now() + timedelta(minutes=PROMISE_MINUTES[key]),
            )
        except ApplicationError as error:
            service_error(request, error, form)
            if not form.errors:
                return HttpResponseRedirect(_case_url(complaint))
        else:
            messages.success(request, _("The promise has been recorded with its deadline."))
            return HttpResponseRedirect(_case_url(complaint))
    return render_case(request, complaint, promise_form=form, open_form="promise")


@login_required
@require_POST
def promise_keep(request: HttpRequest, pk: int) -> HttpResponse:
    from complaints.web import service_error

    deadline_get = _required("selectors.deadline_get")
    commitment_keep = _required("services.commitment_keep")
    try:
        deadline = deadline_get(actor=request.user, pk=pk)
    except ApplicationError:
        raise Http404 from None
    try:
        commitment_keep(deadline=deadline, actor=request.user, note=request.POST.get("note", ""))
    except ApplicationError as error:
        service_error(request, error)
    else:
        messages.success(request, _("The promise is marked as kept."))
    return HttpResponseRedirect(_case_url(deadline.complaint))


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    notification_list = _required("selectors.notification_list")
    items = list(notification_list(user=request.user)[:100])
    return render(request, "followups/notifications.html", {"notifications": items})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    mark_all_read = _required("services.notification_mark_all_read")
    mark_all_read(user=request.user)
    return HttpResponseRedirect(reverse("notifications"))


@login_required
@require_GET
def overdue_board(request: HttpRequest) -> HttpResponse:
    """Missed and soon-due deadlines of the dealer, most urgent first; htmx refreshes it."""
    from complaints.web import is_manager, require_dealer

    dealer = require_dealer(request)
    if not is_manager(request, dealer):
        raise Http404
    overdue_deadlines = followup_api("selectors.overdue_deadlines")
    deadlines = None
    if overdue_deadlines is not None:
        now = timezone.now()
        deadlines = [
            _mark(d, now)
            for d in overdue_deadlines(
                actor=request.user, dealer=dealer, at_risk_within=AT_RISK_WITHIN
            )[:200]
        ]
    context = {"dealer": dealer, "deadlines": deadlines, "refreshed_at": timezone.now()}
    if request.htmx:
        return render(request, "followups/overdue_board.html#board", context)
    return render(request, "followups/overdue_board.html", context)
