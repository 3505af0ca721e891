"""What every page of the browser application shares: the dealer the user works at now,
the header's navigation, and the one helper that turns service errors into form errors."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest
from django_htmx.middleware import HtmxDetails

from core.exceptions import ApplicationError, NotFound, ValidationFailed
from core.scoping import MANAGER, REGIONAL, WORK_ROLES, access_for
from dealers.models import Dealer
from dealers.selectors import dealer_list
from followups.selectors import manager_queue_counts, unread_count

SESSION_DEALER = "current_dealer_id"
NON_FIELD_KEYS = {"non_field_errors", "__all__", "detail"}


class HtmxHttpRequest(HttpRequest):
    """The type of a request that went through django-htmx's middleware."""

    htmx: HtmxDetails


def user_dealers(request: HttpRequest) -> list[Dealer]:
    """The dealers the signed-in user may look at, cached on the request."""
    cached = getattr(request, "_user_dealers", None)
    if cached is None:
        cached = list(dealer_list(actor=request.user).order_by("code"))
        cast(Any, request)._user_dealers = cached
    return cached


def current_dealer(request: HttpRequest) -> Dealer | None:
    """The dealer chosen in the header (the first one until the user switches)."""
    dealers = user_dealers(request)
    if not dealers:
        return None
    chosen = request.session.get(SESSION_DEALER)
    for dealer in dealers:
        if dealer.pk == chosen:
            return dealer
    return dealers[0]


def require_dealer(request: HttpRequest) -> Dealer:
    dealer = current_dealer(request)
    if dealer is None:
        raise Http404
    return dealer


def is_manager(request: HttpRequest, dealer: Dealer | None) -> bool:
    return dealer is not None and MANAGER in access_for(request.user).roles_at(dealer.pk)


def may_work(request: HttpRequest, dealer: Dealer | None) -> bool:
    """Advisors and managers of the dealer (and superusers) work cases; regional staff read."""
    # Technicians only add notes and evidence to the cases assigned to them.
    return dealer is not None and bool(access_for(request.user).roles_at(dealer.pk) & WORK_ROLES)


def is_regional(request: HttpRequest) -> bool:
    return bool(access_for(request.user).region_ids)


def is_region_home(request: HttpRequest, dealer: Dealer | None) -> bool:
    """Regional staff own no case: their home is the serious and safety-related cases of
    every dealer of their region rather than "my cases"."""
    return not may_work(request, dealer) and is_regional(request)


def role_label(request: HttpRequest, dealer: Dealer | None) -> str:
    from dealers.models import Role

    access = access_for(request.user)
    if access.is_superuser:
        return str(Role.MANAGER.label)
    roles = access.roles_at(dealer.pk if dealer else None)
    if MANAGER in roles:
        return str(Role.MANAGER.label)
    if roles & WORK_ROLES:
        return str(Role.ADVISOR.label)
    if Role.TECHNICIAN in roles:
        return str(Role.TECHNICIAN.label)
    if REGIONAL in roles or access.region_ids:
        return str(Role.REGIONAL.label)
    return ""


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Template context for the header: user, dealer switch, language, notifications."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {"timezone": settings.TIME_ZONE}}
    dealer = current_dealer(request)
    manager = is_manager(request, dealer)
    counts = manager_queue_counts(actor=request.user, dealer=dealer) if manager and dealer else {}
    return {
        "nav": {
            "dealer": dealer,
            "dealers": user_dealers(request),
            "role": role_label(request, dealer),
            "is_manager": manager,
            "counts": counts,
            "may_work": may_work(request, dealer),
            "region_home": is_region_home(request, dealer),
            "sees_overview": is_manager(request, dealer) or is_regional(request),
            "timezone": dealer.timezone if dealer else settings.TIME_ZONE,
            "unread": unread_count(user=request.user),
            "languages": settings.LANGUAGES,
        }
    }


def service_error(request: HttpRequest, error: ApplicationError, form: forms.Form | None = None):
    """The one place where a refusal from a service reaches the user.

    Field errors (of a ValidationFailed, or of any refusal that names its fields, such as a
    VIN that belongs to another customer) go next to their field when the form has it, the
    rest above the form; any other refusal becomes a message. Errors the form already found
    itself are not repeated.
    """
    if isinstance(error, NotFound):
        raise Http404 from error
    if form is not None and (isinstance(error, ValidationFailed) or error.field_errors):
        known = form.errors  # runs the form's own validation once
        for name, texts in error.field_errors.items():
            field = name if name in form.fields and name not in NON_FIELD_KEYS else None
            present = set(known.get(field or "__all__", []))
            for text in texts:
                if text in present:
                    continue
                if field is None and name not in NON_FIELD_KEYS:
                    text = f"{name}: {text}"
                form.add_error(field, text)
        if not error.field_errors:
            form.add_error(None, str(error.message))
        return
    messages.error(request, str(error.message))
