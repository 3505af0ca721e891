"""Step 5's forms on the case page: each a thin call of its service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaints.views.case_page import case_form_action
from complaints.views.common import case_or_404, case_url
from core.exceptions import ApplicationError
from dealers.selectors import dealer_technicians
from web.shell import service_error

from . import services
from .forms import AgreementForm, LeadForm, PartsOrderForm, TechnicianForm
from .web import lead_candidates


@login_required
@require_POST
def technician_assign(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = case_or_404(request, reference)
    form = TechnicianForm(
        request.POST, technicians=dealer_technicians(actor=request.user, dealer=complaint.dealer)
    )
    return case_form_action(
        request,
        complaint,
        form,
        run=lambda data: services.repair_assign_technician(
            complaint=complaint, actor=request.user, technician=data["technician"]
        ),
        success=_("The repair's technician is recorded."),
        form_name="technician_form",
        open_form="technician",
    )


@login_required
@require_POST
def lead_consult(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = case_or_404(request, reference)
    form = LeadForm(request.POST, staff=lead_candidates(request, complaint))
    return case_form_action(
        request,
        complaint,
        form,
        run=lambda data: services.repair_consult_lead(
            complaint=complaint,
            actor=request.user,
            lead=data["lead"],
            conclusion=data["conclusion"],
        ),
        success=_("The technical lead's conclusion is recorded."),
        form_name="lead_form",
        open_form="lead",
    )


@login_required
@require_POST
def parts_order_create(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = case_or_404(request, reference)
    form = PartsOrderForm(request.POST, prefix="parts", tzinfo=complaint.dealer.tzinfo)
    return case_form_action(
        request,
        complaint,
        form,
        run=lambda data: services.parts_order_place(
            complaint=complaint,
            actor=request.user,
            part=data["part"],
            quantity=data["quantity"],
            order_number=data["order_number"],
            expected_at=data["expected_at"],
        ),
        success=_("The emergency parts order is recorded; its arrival is a deadline now."),
        form_name="parts_form",
        open_form="parts",
    )


@login_required
@require_POST
def parts_order_arrived(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    complaint = case_or_404(request, reference)
    try:
        services.parts_order_arrived(complaint=complaint, actor=request.user, order_id=pk)
    except ApplicationError as error:
        service_error(request, error)
    else:
        messages.success(request, _("The parts have arrived."))
    return HttpResponseRedirect(case_url(complaint))


@login_required
@require_POST
def agreement_create(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = case_or_404(request, reference)
    form = AgreementForm(request.POST, prefix="agreement")
    return case_form_action(
        request,
        complaint,
        form,
        run=lambda data: services.agreement_record(
            complaint=complaint,
            actor=request.user,
            customer_expectation=data["customer_expectation"],
            gap=data["gap"],
            accepted=form.accepted_value(),
            acceptance_method=data["acceptance_method"],
            customer_now_asks=data["customer_now_asks"],
        ),
        success=_("The agreement with the customer is recorded."),
        form_name="agreement_form",
        open_form="agreement",
    )
