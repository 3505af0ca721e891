"""What the header does: switch dealer, switch language."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.services import user_set_language
from web.shell import (
    SESSION_DEALER,
    service_error,
    user_dealers,
)

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


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None
