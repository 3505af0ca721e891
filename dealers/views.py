"""The customer look-up of the intake form, answered as an htmx fragment."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from web.shell import require_dealer

from . import selectors

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
