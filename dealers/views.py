"""The customer look-up of the intake form; the customer's page for the desk (the profile of
step 2, vehicles, repair orders entered by hand); and a customer's personal data for
managers: their export (page and JSON download) and their erasure."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import ApplicationError
from web.shell import is_manager, may_work, require_dealer, service_error

from . import selectors, services
from .forms import CustomerProfileForm, RepairOrderForm, VehicleForm
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


# --- the customer's page: profile of step 2, vehicles, repair orders by hand ------------


def _worked_customer(request: HttpRequest, pk: int) -> Customer:
    # Advisors and managers of the customer's dealer; everyone else (regional staff, other
    # dealers) gets a 404, as for a case they may not work.
    customer = selectors.customer_get(actor=request.user, pk=pk)
    if customer is None or not may_work(request, customer.dealer):
        raise Http404
    return customer


def _back_to(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _customer_page(
    request: HttpRequest, customer: Customer, *, status: int = 200, **forms_given: Any
) -> HttpResponse:
    vehicles = list(selectors.vehicle_list(actor=request.user, customer=customer).order_by("pk"))
    profile = {name: getattr(customer, name) for name in services.PROFILE_FIELDS}
    vehicle_forms = forms_given.pop("vehicle_forms", {})
    return render(
        request,
        "dealers/customer_page.html",
        {
            "customer": customer,
            "next": _back_to(request),
            "profile_form": forms_given.get("profile_form") or CustomerProfileForm(initial=profile),
            "vehicles": [
                {
                    "vehicle": vehicle,
                    "form": vehicle_forms.get(vehicle.pk)
                    or VehicleForm(
                        initial={
                            "vin": vehicle.vin or "",
                            "plate": vehicle.plate,
                            "model": vehicle.model,
                            "mileage": vehicle.mileage,
                        },
                        prefix=f"vehicle-{vehicle.pk}",
                    ),
                }
                for vehicle in vehicles
            ],
            "repair_orders": list(
                selectors.repair_order_list(actor=request.user, vehicles=vehicles)[:50]
            ),
            "repair_order_form": forms_given.get("repair_order_form")
            or RepairOrderForm(vehicles=vehicles),
            "manages_customer": is_manager(request, customer.dealer),
        },
        status=status,
    )


def _saved(request: HttpRequest, customer: Customer, text: str) -> HttpResponse:
    messages.success(request, text)
    target = reverse("customer_page", args=[customer.pk])
    back = _back_to(request)
    return redirect(f"{target}?{urlencode({'next': back})}" if back else target)


@login_required
@require_GET
def customer_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer as the desk knows them: profile, vehicles, repair orders."""
    return _customer_page(request, _worked_customer(request, pk))


@login_required
@require_POST
def customer_profile(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _worked_customer(request, pk)
    form = CustomerProfileForm(request.POST)
    if form.is_valid():
        try:
            services.customer_profile_update(
                customer=customer, actor=request.user, fields=form.cleaned_data
            )
        except ApplicationError as error:
            service_error(request, error, form)
        else:
            return _saved(request, customer, _("The customer's profile was saved."))
    return _customer_page(request, customer, status=422, profile_form=form)


@login_required
@require_POST
def customer_vehicle(request: HttpRequest, pk: int, vehicle_pk: int) -> HttpResponse:
    customer = _worked_customer(request, pk)
    vehicle = selectors.vehicle_get(actor=request.user, pk=vehicle_pk)
    if vehicle is None or vehicle.owner_id != customer.pk:
        raise Http404
    form = VehicleForm(request.POST, prefix=f"vehicle-{vehicle.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.vehicle_update(
                vehicle=vehicle,
                actor=request.user,
                owner=customer,
                fields={
                    "vin": data["vin"] or None,
                    "plate": data["plate"],
                    "model": data["model"],
                    "mileage": data["mileage"],
                },
            )
        except ApplicationError as error:
            service_error(request, error, form)
        else:
            return _saved(request, customer, _("The vehicle was saved."))
    return _customer_page(request, customer, status=422, vehicle_forms={vehicle.pk: form})


@login_required
@require_POST
def customer_repair_order(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _worked_customer(request, pk)
    vehicles = list(selectors.vehicle_list(actor=request.user, customer=customer))
    form = RepairOrderForm(request.POST, vehicles=vehicles)
    if form.is_valid():
        data = dict(form.cleaned_data)
        vehicle = next(v for v in vehicles if v.pk == data.pop("vehicle"))
        try:
            services.repair_order_upsert(
                vehicle=vehicle,
                actor=request.user,
                number=data.pop("number"),
                fields=data,
                only_new=True,
            )
        except ApplicationError as error:
            service_error(request, error, form)
        else:
            return _saved(request, customer, _("The repair order was recorded."))
    return _customer_page(request, customer, status=422, repair_order_form=form)
