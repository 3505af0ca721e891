"""The case page and its forms: every step of the method, each a thin call of a service."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import (
    ApplicationError,
    Conflict,
    PermissionDenied,
    ValidationFailed,
)
from dealers import selectors as dealer_selectors
from dealers.models import Role
from followups import selectors as followup_selectors
from followups.web import case_followups
from messaging.web import case_messaging
from web.shell import (
    is_manager,
    is_regional,
    may_work,
    service_error,
)

from .. import selectors, services
from ..choices import STEP_OF_STATE, STEPS, State
from ..forms import (
    EscalateForm,
    NoteForm,
    ReassignForm,
    SupplierForm,
)
from ..payloads import PAYLOADS
from .common import DECISION_TRANSITIONS, MAIN_TRANSITIONS, _expected_version, case_or_404, case_url

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


# What the desk reads after each step, as a sentence rather than "“Approve” done".
DONE = {
    "start_listening": gettext_lazy("%(reference)s: now listening to the customer (step 2)."),
    "start_investigation": gettext_lazy("%(reference)s: investigation started (step 3)."),
    "record_findings": gettext_lazy("%(reference)s: findings and root cause recorded."),
    "decide": gettext_lazy("%(reference)s: decision recorded; explain it to the customer."),
    "submit_for_approval": gettext_lazy(
        "%(reference)s: submitted for approval; the dealer's managers have been told."
    ),
    "approve": gettext_lazy("%(reference)s: decision approved; the case owner has been told."),
    "reject": gettext_lazy(
        "%(reference)s: decision rejected and sent back for a new assessment; the case owner "
        "has been told."
    ),
    "complete_action": gettext_lazy("%(reference)s: actions recorded; follow-up begins."),
    "confirm_resolved": gettext_lazy("%(reference)s: the customer confirmed the resolution."),
    "reopen": gettext_lazy("%(reference)s: case reopened."),
    "close": gettext_lazy("%(reference)s: case closed."),
    "withdraw": gettext_lazy("%(reference)s: case withdrawn."),
}


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
        "manages_customer": is_manager(request, complaint.dealer),
        "vehicles": vehicles,
        "repair_orders": list(
            dealer_selectors.repair_order_list(actor=actor, vehicles=vehicles)[:20]
        ),
        "related": related,
        "is_repeat": bool(related),
        "works": works,
        # The customer's phone and e-mail are for the desk and the region; a technician
        # works on the car and reads them masked.
        "contact_details": may_work(request, complaint.dealer) or is_regional(request),
        "reassign_form": ReassignForm(staff=staff, initial={"assignee": complaint.assignee_id}),
        "supplier_form": SupplierForm(initial={"supplier": complaint.supplier}),
        "escalate_form": EscalateForm(),
        "note_form": NoteForm(),
    }
    message_form = extra.pop("message_form", None)
    # Evidence and step 5's repair, from their own apps (imported here: they use this module).
    from evidence.web import case_evidence
    from repairs.web import case_repair

    context.update(case_evidence(request, complaint, context["events"]))
    context["repair"] = case_repair(request, complaint)
    if "followups" not in extra:
        context["followups"] = case_followups(request, complaint)
    context.update(extra)
    context["messaging"] = case_messaging(
        request, complaint, contacts=context["followups"]["contacts"], form=message_form
    )
    if works:
        _offer_people(request, complaint, context)
    return context


STAFF = (Role.ADVISOR, Role.MANAGER)
# Who each colleague drop-down offers: as dealer_staff, dealer_technicians and
# repairs.web.lead_candidates (staff and technicians) choose them.
PEOPLE_FIELDS = (
    ("reassign_form", "assignee", STAFF),
    ("technician_form", "technician", (Role.TECHNICIAN,)),
    ("lead_form", "lead", (*STAFF, Role.TECHNICIAN)),
)


def _offer_people(request: HttpRequest, complaint: Any, context: dict[str, Any]) -> None:
    # The drop-downs of colleagues (shown to whoever works the case) list the dealer's people
    # read once, instead of one query per drop-down while the page renders. What each form
    # accepts when posted is still decided by its own queryset.
    people = dealer_selectors.dealer_people(actor=request.user, dealer=complaint.dealer)
    for form_name, field_name, roles in PEOPLE_FIELDS:
        form = context.get(form_name) or context["repair"].get(form_name)
        if form is None:
            continue
        field = form.fields[field_name]
        offered: dict[int, Any] = {}
        for role, user in people:
            if role in roles:
                offered.setdefault(user.pk, user)
        choices: list[tuple[Any, str]] = (
            [] if field.empty_label is None else [("", str(field.empty_label))]
        )
        choices += [(pk, field.label_from_instance(user)) for pk, user in offered.items()]
        field.widget.choices = choices


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
    messages.success(request, str(DONE[name]) % {"reference": reference})
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
