"""Accepting a complaint at the desk (step 1): the intake form over complaints.intake."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from dealers import selectors as dealer_selectors
from web.shell import (
    may_work,
    require_dealer,
    service_error,
)

from ..forms import IntakeForm
from ..intake import CustomerInput, PromiseInput, VehicleInput, complaint_intake
from .common import case_url

# --- intake -------------------------------------------------------------------------


@login_required
def complaint_new(request: HttpRequest) -> HttpResponse:
    """Step 1: log a complaint while the customer talks, creating the customer if new."""
    dealer = require_dealer(request)
    if not may_work(request, dealer):
        raise Http404
    form = IntakeForm(request.POST or None, tzinfo=dealer.tzinfo)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = _intake(request, dealer, form)
        except ApplicationError as error:
            service_error(request, _renamed_for_intake(error), form)
        else:
            # With the customer still at the desk: the receipt to print for them.
            messages.success(
                request,
                format_html(
                    '{} <a href="{}" class="alert-link" data-action="receipt">{}</a>',
                    _("Case %(reference)s has been logged.") % {"reference": complaint.reference},
                    reverse("complaint_receipt", args=[complaint.reference]),
                    _("Print the complaint receipt for the customer"),
                ),
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
    "promises.code": "promises",
    "promises.promise": "promise_words",
    "promises.due_at": "promise_due_at",
    "serious_reasons": "serious_reasons",
    "serious_note": "serious_note",
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
    promises = [PromiseInput(code=code) for code in data.get("promises") or []]
    if data["promise_words"]:
        promises.append(PromiseInput(promise=data["promise_words"], due_at=data["promise_due_at"]))
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
        serious_reasons=data.get("serious_reasons") or [],
        serious_note=data.get("serious_note") or "",
        promises=promises,
    )
