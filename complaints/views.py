"""HTML pages of the case work: thin views over complaints.services and selectors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import (
    ApplicationError,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from core.services import user_set_language
from dealers import selectors as dealer_selectors
from followups import selectors as followup_selectors
from followups.forms import PROMISE_MINUTES, PROMISES
from followups.web import case_followups, next_deadlines
from web.shell import (
    SESSION_DEALER,
    HtmxHttpRequest,
    current_dealer,
    is_manager,
    is_regional,
    may_work,
    require_dealer,
    service_error,
    user_dealers,
)

from . import selectors, services
from .choices import STEP_OF_STATE, STEPS, Category, State
from .forms import (
    CaseFilterForm,
    EscalateForm,
    IntakeForm,
    NoteForm,
    ReassignForm,
    SupplierForm,
)
from .intake import CustomerInput, PromiseInput, VehicleInput, complaint_intake
from .payloads import PAYLOADS

PAGE_SIZE = 25
# Transitions that move the case on, shown as the step's main form; the others (rejecting,
# reopening, withdrawing) are offered beside it.
MAIN_TRANSITIONS = (
    "start_listening",
    "start_investigation",
    "record_findings",
    "decide",
    "submit_for_approval",
    "approve",
    "complete_action",
    "confirm_resolved",
    "close",
)
DECISION_TRANSITIONS = ("decide", "submit_for_approval")


def case_or_404(request: HttpRequest, reference: str) -> Any:
    """The case if the user may see it; another dealer's case does not exist for them."""
    try:
        return selectors.complaint_get(actor=request.user, reference=reference)
    except NotFound:
        raise Http404 from None


def _expected_version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def case_url(complaint: Any) -> str:
    return reverse("complaint_detail", args=[complaint.reference])


# --- the cases list -----------------------------------------------------------------


@login_required
@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    """My cases: open cases of the current dealer, most urgent first."""
    dealer = current_dealer(request)
    if dealer is None:
        return render(request, "complaints/no_dealer.html", status=403)
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
        if cleaned["mine"]:
            filters["assignee"] = request.user.pk
    queryset = selectors.complaint_worklist(actor=request.user, dealer=dealer, filters=filters)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    cases = _with_deadlines(request, list(page.object_list))
    context = {"form": form, "page": page, "cases": cases, "dealer": dealer}
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


# --- intake -------------------------------------------------------------------------


@login_required
def complaint_new(request: HttpRequest) -> HttpResponse:
    """Step 1: log a complaint while the customer talks, creating the customer if new."""
    dealer = require_dealer(request)
    if not may_work(request, dealer):
        raise Http404
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = _intake(request, dealer, form)
        except ApplicationError as error:
            service_error(request, _renamed_for_intake(error), form)
        else:
            messages.success(
                request,
                _("Case %(reference)s has been logged.") % {"reference": complaint.reference},
            )
            return redirect(case_url(complaint))
    term = request.POST.get("q", "") if request.method == "POST" else ""
    picked = request.POST.get("pick", "") if request.method == "POST" else ""
    choices = []
    if term.strip():
        customers = list(
            dealer_selectors.customer_search(actor=request.user, term=term, dealer=dealer, limit=10)
        )
        choices = dealer_selectors.customer_choices(actor=request.user, customers=customers)
    return render(
        request,
        "complaints/complaint_new.html",
        {
            "form": form,
            "dealer": dealer,
            "term": term,
            "picked": picked,
            "choices": choices,
            "min_length": 2,
        },
    )


# The intake service names the fields of its input; the form's fields are called otherwise.
_INTAKE_FIELD_NAMES = {
    "customer": "pick",
    "customer.dms_id": "new_dms_id",
    "customer.name": "new_name",
    "customer.phone": "new_phone",
    "customer.email": "new_email",
    "customer.preferred_channel": "new_preferred_channel",
    "vehicle": "pick",
    "vehicle.vin": "vin",
    "vehicle.model": "model",
    "vehicle.plate": "plate",
    "promises.promise": "promises",
    "promises.due_at": "promises",
}


def _renamed_for_intake(error: ApplicationError) -> ApplicationError:
    renamed: dict[str, list[str]] = {}
    for name, texts in error.field_errors.items():
        renamed.setdefault(_INTAKE_FIELD_NAMES.get(name, name), []).extend(texts)
    error.field_errors = renamed
    return error


def _intake(request: HttpRequest, dealer: Any, form: IntakeForm) -> Any:
    """The form's input as the intake service's plain data; the service decides the rest."""
    data = form.cleaned_data
    customer_id, vehicle_id = form.picked_ids()
    if customer_id is not None:
        customer = CustomerInput(pk=customer_id)
    else:
        customer = CustomerInput(
            dms_id=data["new_dms_id"],
            name=data["new_name"],
            phone=data["new_phone"],
            email=data["new_email"],
            preferred_channel=data["new_preferred_channel"],
        )
    vehicle = None
    if data["vin"] or data["plate"] or data["model"]:
        vehicle = VehicleInput(vin=data["vin"], plate=data["plate"], model=data["model"])
    elif vehicle_id is not None:
        vehicle = VehicleInput(pk=vehicle_id)
    labels = {key: str(label) for key, label, _minutes in PROMISES}
    now = timezone.now()
    return complaint_intake(
        dealer=dealer,
        actor=request.user,
        customer=customer,
        vehicle=vehicle,
        channel=data["channel"],
        category=data["category"],
        component=data["component"],
        description=data["description"],
        customer_request=data["customer_request"],
        is_safety_related=data["is_safety_related"],
        promises=[
            PromiseInput(promise=labels[key], due_at=now + timedelta(minutes=PROMISE_MINUTES[key]))
            for key in data.get("promises") or []
        ],
    )


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


# --- the case page ------------------------------------------------------------------


def _steps(complaint: Any) -> list[dict[str, Any]]:
    current = STEP_OF_STATE.get(complaint.state)
    closed = complaint.state == State.CLOSED
    result = []
    for number, label in STEPS:
        if current is None:
            status = "todo"
        elif number < current or (closed and number == current):
            status = "done"
        elif number == current:
            status = "current"
        else:
            status = "todo"
        result.append({"number": number, "label": label, "status": status})
    return result


def _transition_forms(
    request: HttpRequest, complaint: Any, bound: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The forms for what the user may do next: main ones, and the side ones."""
    available = services.available_transitions(complaint=complaint, actor=request.user)
    bound = bound or {}
    main: list[dict[str, Any]] = []
    side: list[dict[str, Any]] = []
    handled: set[str] = set()
    for name in available:
        if name in handled:
            continue
        names = [name]
        if name in DECISION_TRANSITIONS:
            names = [n for n in DECISION_TRANSITIONS if n in available]
        handled.update(names)
        form = bound.get(name) or PAYLOADS[name](complaint=complaint, actor=request.user)
        for other in names:
            form = bound.get(other) or form
        _offer_contacts(request, complaint, form)
        _blank_first(form)
        entry = {
            "names": names,
            "form": form,
            "buttons": [
                {
                    "name": n,
                    "label": _transition_label(complaint, n),
                    "url": reverse("complaint_transition", args=[complaint.reference, n]),
                }
                for n in names
            ],
            "approval_required": _approval_hint(complaint, names),
        }
        (main if name in MAIN_TRANSITIONS else side).append(entry)
    return main, side


def _offer_contacts(request: HttpRequest, complaint: Any, form: Any) -> None:
    # Step 6's transitions refer to a logged contact by id; people pick it from a list.
    field = form.fields.get("contact")
    if field is None:
        return
    contacts = list(followup_selectors.contact_list(actor=request.user, complaint=complaint))
    outcome = getattr(form, "required_outcome", "")
    choices: list[tuple[int | str, str]] = [("", _("The latest matching contact"))]
    for contact in contacts:
        if outcome and contact.outcome != outcome:
            continue
        when = timezone.localtime(contact.contacted_at, complaint.dealer.tzinfo)
        choices.append(
            (
                contact.pk,
                f"{when:%Y-%m-%d %H:%M} · {contact.get_channel_display()} · "
                f"{contact.get_outcome_display()}",
            )
        )
    field.widget = forms.Select(choices=choices)
    field.help_text = ""


def _blank_first(form: Any) -> None:
    # A required drop-down starts empty, so nobody holds the customer responsible by default.
    for field in form.fields.values():
        if (
            type(field) is forms.ChoiceField
            and type(field.widget) is forms.Select
            and field.required
            and all(value != "" for value, _label in _choices(field))
        ):
            field.choices = [("", "—"), *_choices(field)]


def _choices(field: forms.Field) -> list[tuple[Any, Any]]:
    # django-stubs types the `choices` getter as everything its setter accepts; once set,
    # Django has normalised them to (value, label) pairs.
    return list(cast(Iterable[tuple[Any, Any]], getattr(field, "choices", ())))


def _transition_label(complaint: Any, name: str) -> str:
    for transition in complaint.get_all_state_transitions():
        if transition.name == name and transition.custom.get("label"):
            return str(transition.custom["label"])
    return name


def _approval_hint(complaint: Any, names: list[str]) -> str:
    if "submit_for_approval" not in names:
        return ""
    return _(
        "Serious complaints and compensation above %(limit)s %(currency)s need a manager's "
        "approval: submit them for approval."
    ) % {"limit": complaint.dealer.approval_limit, "currency": complaint.dealer.currency}


def _case_context(
    request: HttpRequest, complaint: Any, bound: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    actor = request.user
    main, side = _transition_forms(request, complaint, bound)
    customer = complaint.customer
    vehicles = list(dealer_selectors.vehicle_list(actor=actor, customer=customer))
    if complaint.vehicle and complaint.vehicle not in vehicles:
        vehicles.insert(0, complaint.vehicle)
    related = list(selectors.related_complaints(actor=actor, complaint=complaint)[:20])
    works = may_work(request, complaint.dealer) and complaint.is_open
    staff = dealer_selectors.dealer_staff(actor=actor, dealer=complaint.dealer)
    context = {
        "complaint": complaint,
        "page_timezone": complaint.dealer.timezone,
        "steps": _steps(complaint),
        "main_forms": main,
        "side_forms": side,
        "events": list(selectors.complaint_events(actor=actor, complaint=complaint)),
        "customer": customer,
        "vehicles": vehicles,
        "repair_orders": list(
            dealer_selectors.repair_order_list(actor=actor, vehicles=vehicles)[:20]
        ),
        "related": related,
        "is_repeat": bool(related),
        "works": works,
        "reassign_form": ReassignForm(staff=staff, initial={"assignee": complaint.assignee_id}),
        "supplier_form": SupplierForm(initial={"supplier": complaint.supplier}),
        "escalate_form": EscalateForm(),
        "note_form": NoteForm(),
    }
    if "followups" not in extra:
        context["followups"] = case_followups(request, complaint)
    context.update(extra)
    return context


def render_case(
    request: HttpRequest, complaint: Any, *, status: int = 422, **extra: Any
) -> HttpResponse:
    """The case page again, with the form that was refused kept as typed."""
    messages.error(request, _("Please correct the marked fields."))
    followups = case_followups(request, complaint)
    for name in ("contact_form", "promise_form", "repair_form"):
        if name in extra:
            followups[name] = extra.pop(name)
    context = _case_context(request, complaint, followups=followups, **extra)
    return render(request, "complaints/complaint_detail.html", context, status=status)


def case_form_action(
    request: HttpRequest,
    complaint: Any,
    form: Any,
    *,
    run: Callable[[dict[str, Any]], object],
    success: Callable[[dict[str, Any]], str] | str,
    form_name: str,
    open_form: str,
) -> HttpResponse:
    """Run a case-page form through its service.

    Done: a message and back to the case. Refused with field errors: the case page again
    with the form open and kept as typed. Refused otherwise: the service's message and back.
    """
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except ApplicationError as error:
            service_error(request, error, form)
            if not form.errors:
                return HttpResponseRedirect(case_url(complaint))
        else:
            messages.success(request, success(form.cleaned_data) if callable(success) else success)
            return HttpResponseRedirect(case_url(complaint))
    return render_case(request, complaint, open_form=open_form, **{form_name: form})


@login_required
@require_GET
def complaint_detail(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = case_or_404(request, reference)
    return render(request, "complaints/complaint_detail.html", _case_context(request, complaint))


def _back(request: HttpRequest, complaint: Any) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(case_url(complaint))


@login_required
@require_POST
def complaint_transition(request: HttpRequest, reference: str, name: str) -> HttpResponse:
    """Run one transition with the posted payload; refusals come back next to the fields."""
    complaint = case_or_404(request, reference)
    if name not in PAYLOADS:
        raise Http404
    data = request.POST.copy()
    for key in ("next", "version"):
        data.pop(key, None)
    try:
        services.complaint_transition(
            complaint=complaint,
            name=name,
            actor=request.user,
            data=data,
            expected_version=_expected_version(request),
        )
    except Conflict as error:
        messages.warning(
            request,
            _("Someone else moved this case first; here it is as it is now. %(detail)s")
            % {"detail": error.message},
        )
        return HttpResponseRedirect(case_url(complaint))
    except ValidationFailed as error:
        fresh = case_or_404(request, reference)
        form = PAYLOADS[name](data, complaint=fresh, actor=request.user)
        service_error(request, error, form)
        return render_case(request, fresh, bound={name: form}, open_form=name)
    except (PermissionDenied, ApplicationError) as error:
        service_error(request, error)
        return HttpResponseRedirect(case_url(complaint))
    label = _transition_label(complaint, name)
    messages.success(
        request,
        _("%(reference)s: “%(action)s” done.") % {"reference": reference, "action": label},
    )
    return _back(request, complaint)


@login_required
@require_POST
def complaint_escalate(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = case_or_404(request, reference)
    form = EscalateForm(request.POST)
    return case_form_action(
        request,
        complaint,
        form,
        run=lambda data: services.complaint_escalate(
            complaint=complaint, actor=request.user, reason=data["reason"]
        ),
        success=_("The case has been escalated to the managers."),
        form_name="escalate_form",
        open_form="escalate",
    )


@login_required
@require_POST
def complaint_reassign(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = case_or_404(request, reference)
    staff = dealer_selectors.dealer_staff(actor=request.user, dealer=complaint.dealer)
    form = ReassignForm(request.POST, staff=staff)
    return case_form_action(
        request,
        complaint,
        form,
        run=lambda data: services.complaint_reassign(
            complaint=complaint,
            actor=request.user,
            assignee=data["assignee"],
            reason=data["reason"],
        ),
        success=lambda data: _("The case now belongs to %(name)s.") % {"name": data["assignee"]},
        form_name="reassign_form",
        open_form="reassign",
    )


@login_required
@require_POST
def complaint_supplier(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = case_or_404(request, reference)
    form = SupplierForm(request.POST)

    def done(data: dict[str, Any]) -> str:
        if data["supplier"]:
            return _("The work is now with %(supplier)s. Tell the customer.") % {
                "supplier": data["supplier"]
            }
        return _("The work is back with the dealer.")

    return case_form_action(
        request,
        complaint,
        form,
        run=lambda data: services.complaint_hand_to_supplier(
            complaint=complaint,
            actor=request.user,
            supplier=data["supplier"],
            reason=data["reason"],
        ),
        success=done,
        form_name="supplier_form",
        open_form="supplier",
    )


@login_required
@require_POST
def complaint_note(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = case_or_404(request, reference)
    form = NoteForm(request.POST)
    return case_form_action(
        request,
        complaint,
        form,
        run=lambda data: services.complaint_add_note(
            complaint=complaint, actor=request.user, comment=data["comment"]
        ),
        success=_("The note has been added to the timeline."),
        form_name="note_form",
        open_form="note",
    )


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
def dealer_overview(request: HttpRequest) -> HttpResponse:
    """Managers' and regional staff's view of one dealer: where cases are and how fast."""
    dealer = require_dealer(request)
    if not (is_manager(request, dealer) or is_regional(request)):
        raise Http404
    stats = selectors.dealer_overview(actor=request.user, dealer=dealer)
    overdue = followup_selectors.overdue_deadlines(actor=request.user, dealer=dealer).count()
    labels = dict(Category.choices)
    chart = {
        "steps": {
            "labels": [f"{n}. {label}" for n, label in STEPS],
            "values": [stats["per_step"][n] for n, _label in STEPS],
            "title": _("Open cases per step"),
        },
        "categories": {
            "labels": [str(labels.get(k, k)) for k in stats["per_category"]],
            "values": list(stats["per_category"].values()),
            "title": _("Open cases per category"),
        },
    }
    context = {"dealer": dealer, "stats": stats, "overdue": overdue, "chart": chart}
    return render(request, "complaints/dealer_overview.html", context)


# --- header actions -----------------------------------------------------------------


@login_required
@require_POST
def switch_dealer(request: HttpRequest) -> HttpResponse:
    wanted = _int(request.POST.get("dealer", ""))
    if not any(d.pk == wanted for d in user_dealers(request)):
        raise Http404
    request.session[SESSION_DEALER] = wanted
    return redirect("home")


@login_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Save the interface language on the user, so it follows them to every device."""
    try:
        user_set_language(user=request.user, language=request.POST.get("language", ""))
    except ApplicationError as error:
        service_error(request, error)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("home")
    response = HttpResponseRedirect(target)
    language = getattr(request.user, "language", "")
    if language:
        # The login page, before anyone signs in, speaks the last language chosen here.
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
        )
    return response


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Everything that changed at the dealer, newest first: case timelines and the audit
    log together. Managers read their dealer's; superusers read every dealer's."""
    from django.utils.dateparse import parse_datetime

    from .audit import audit_trail

    dealer = require_dealer(request)
    if not is_manager(request, dealer):
        raise Http404
    everything = request.user.is_superuser
    before = None
    try:
        before = parse_datetime(request.GET.get("before", ""))
    except ValueError:
        pass
    if before is not None and timezone.is_naive(before):
        before = None
    lines = audit_trail(
        actor=request.user,
        dealer_id=None if everything else dealer.pk,
        before=before,
        limit=AUDIT_PAGE,
    )
    older = lines[-1].at.isoformat() if len(lines) == AUDIT_PAGE else None
    return render(
        request,
        "complaints/audit_log.html",
        {"dealer": dealer, "lines": lines, "older": older, "everything": everything},
    )


AUDIT_PAGE = 100
