"""The customer look-up of the intake form, and a customer's personal data for managers:
their export (page and JSON download) and their erasure."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import ApplicationError
from web.shell import is_manager, require_dealer, service_error

from . import selectors, services
from .models import Customer, RepairOrder, Vehicle

MIN_TERM_LENGTH = 2


@login_required
@require_GET
def customer_search(request: HttpRequest) -> HttpResponse:
    """Customers of the current dealer by name, phone, plate or VIN, as pickable choices."""
    dealer = require_dealer(request)
    term = request.GET.get("q", "").strip()[:100]
    picked = request.GET.get("pick", "")
    customers = []
    if len(term) >= MIN_TERM_LENGTH:
        customers = list(
            selectors.customer_search(actor=request.user, term=term, dealer=dealer, limit=10)
        )
    choices = selectors.customer_choices(actor=request.user, customers=customers)
    return render(
        request,
        "dealers/customer_choices.html",
        {"choices": choices, "term": term, "picked": picked, "min_length": MIN_TERM_LENGTH},
    )


def _managed_customer(request: HttpRequest, pk: int) -> Customer:
    # 404, not 403, for everyone but a manager of the customer's dealer: an advisor or
    # another dealer learns nothing, not even that the customer exists.
    customer = selectors.customer_get(actor=request.user, pk=pk)
    if customer is None or not is_manager(request, customer.dealer):
        raise Http404
    return customer


def _rows(model: type[models.Model], record: dict[str, Any]) -> list[tuple[str, Any]]:
    """A record's values labelled with their fields' names in the reader's language."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    rows = []
    for name, value in record.items():
        if isinstance(value, list):
            continue
        field = fields.get(name)
        if value is None or value == "":
            text = "—"
        elif isinstance(value, bool):
            text = _("yes") if value else _("no")
        elif field is not None and field.choices:
            text = str(dict(field.flatchoices).get(value, value))
        else:
            text = value
        rows.append((str(field.verbose_name) if field is not None else name, text))
    return rows


@login_required
@require_GET
def customer_data(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything held about one customer, readable; `?format=json` downloads it."""
    from complaints.models import CaseEvent, Complaint
    from followups.models import ContactAttempt, Deadline

    customer = _managed_customer(request, pk)
    export = services.customer_export(customer=customer, actor=request.user)
    if request.GET.get("format") == "json":
        response = HttpResponse(
            json.dumps(export, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.json"'
        return response
    parts = {"events": CaseEvent, "contacts": ContactAttempt, "deadlines": Deadline}
    titles = {
        "events": _("Timeline"),
        "contacts": _("Contacts with the customer"),
        "deadlines": _("Deadlines and promises"),
    }
    vehicles = [
        {
            "rows": _rows(Vehicle, vehicle),
            "repair_orders": [_rows(RepairOrder, order) for order in vehicle["repair_orders"]],
        }
        for vehicle in export["vehicles"]
    ]
    cases = [
        {
            "reference": case["reference"],
            "rows": _rows(Complaint, case),
            "parts": [
                (titles[name], [_rows(model, item) for item in case[name]])
                for name, model in parts.items()
            ],
        }
        for case in export["cases"]
    ]
    return render(
        request,
        "dealers/customer_data.html",
        {
            "customer": customer,
            "customer_rows": _rows(Customer, export["customer"]),
            "vehicles": vehicles,
            "cases": cases,
        },
    )


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("The customer's request"),
        max_length=500,
        help_text=gettext_lazy("When and how the customer asked, e.g. a letter's date."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that the personal data cannot be restored."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager erases a customer's personal data after confirming it."""
    customer = _managed_customer(request, pk)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_erase(
                customer=customer, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            service_error(request, error, form)
        else:
            messages.success(request, _("The customer's personal data was erased."))
            return redirect("customer_data", pk=customer.pk)
    return render(request, "dealers/customer_erase.html", {"customer": customer, "form": form})
