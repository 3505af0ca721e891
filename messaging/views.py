"""The messaging pages: sending a message from the case page (with its preview), each
dealer's templates and quiet hours, and the SMS provider's delivery receipts."""

from __future__ import annotations

import hmac
import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from complaints.views import case_or_404, case_url, render_case
from core.exceptions import ApplicationError
from dealers.models import Dealer
from web.shell import is_manager, require_dealer, service_error

from . import selectors, services
from .choices import MessageChannel, MessageLanguage, MessagePurpose
from .forms import MessageForm, MessageTemplateForm, QuietHoursForm, placeholder_help
from .rendering import Rendered


@login_required
@require_POST
def message_preview(request: HttpRequest, reference: str) -> HttpResponse:
    """The message as it would go out now (htmx swaps it into the send form)."""
    complaint = case_or_404(request, reference)
    form = MessageForm(request.POST, prefix="message")
    rendered: Rendered | None = None
    if form.is_valid():
        try:
            rendered = services.message_compose(
                complaint=complaint,
                actor=request.user,
                purpose=form.cleaned_data["purpose"],
                language=form.cleaned_data["language"],
            )
        except ApplicationError as error:
            service_error(request, error, form)
    return render(
        request,
        "messaging/includes/preview.html",
        {"rendered": rendered, "form": form, "channel": form.data.get("message-channel", "")},
    )


@login_required
@require_POST
def message_send(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = case_or_404(request, reference)
    form = MessageForm(request.POST, prefix="message")
    if form.is_valid():
        try:
            message = services.message_send(
                complaint=complaint, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as error:
            service_error(request, error, form)
            if not form.errors:
                return HttpResponseRedirect(case_url(complaint))
        else:
            due = message.outbox_due_at
            if due is not None and due > timezone.now():
                local = timezone.localtime(due, complaint.dealer.tzinfo)
                messages.success(
                    request,
                    _("It is quiet hours for the customer: the message goes out at %(time)s.")
                    % {"time": f"{local:%Y-%m-%d %H:%M}"},
                )
            else:
                messages.success(request, _("The message is on its way to the customer."))
            return HttpResponseRedirect(case_url(complaint) + "#messages-heading")
    return render_case(request, complaint, message_form=form, open_form="message")


# --- the SMS provider's receipts -----------------------------------------------------------


@csrf_exempt
@require_POST
def sms_receipt(request: HttpRequest) -> HttpResponse:
    """A delivery receipt: `{"id": <the provider's id>, "status": "delivered" | "failed" |
    …, "error": "…"}` (JSON or a form), with `Authorization: Bearer SMS_RECEIPT_TOKEN`."""
    token = settings.SMS_RECEIPT_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        return JsonResponse({"detail": "Not allowed."}, status=403)
    data: Any
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"null")
        except ValueError:
            data = None
    else:
        data = request.POST.dict()
    if not isinstance(data, dict) or not all(
        isinstance(data.get(name, ""), str) for name in ("id", "status", "error")
    ):
        return JsonResponse({"detail": "Send an object with id and status."}, status=400)
    if not data.get("id") or not data.get("status"):
        return JsonResponse({"detail": "Send an object with id and status."}, status=400)
    message = services.message_receipt(
        channel=MessageChannel.SMS,
        provider_id=data["id"][:100],
        status=data["status"][:50],
        error=data.get("error", "")[:200],
    )
    if message is None:
        return JsonResponse({"detail": "No such message."}, status=404)
    return HttpResponse(status=204)


# --- the dealer's templates and quiet hours ------------------------------------------------


def _manager_dealer(request: HttpRequest) -> Dealer:
    dealer = require_dealer(request)
    if not is_manager(request, dealer):
        raise Http404
    return dealer


def _template_rows(
    request: HttpRequest, dealer: Dealer, bound: tuple[str, str, MessageTemplateForm] | None
) -> list[dict[str, Any]]:
    rows = []
    for template in selectors.message_templates(actor=request.user, dealer=dealer):
        if bound is not None and bound[:2] == (template.purpose, template.language):
            form = bound[2]
        else:
            form = MessageTemplateForm(
                prefix=f"{template.purpose}-{template.language}",
                initial={"subject": template.subject, "body": template.body},
            )
        rows.append(
            {
                "template": template,
                "label": MessagePurpose(template.purpose).label,
                "language": MessageLanguage(template.language).label,
                "form": form,
            }
        )
    return rows


def _templates_page(
    request: HttpRequest,
    dealer: Dealer,
    *,
    bound: tuple[str, str, MessageTemplateForm] | None = None,
    quiet_form: QuietHoursForm | None = None,
    status: int = 200,
) -> HttpResponse:
    quiet = selectors.messaging_settings(actor=request.user, dealer=dealer)
    context = {
        "dealer": dealer,
        "rows": _template_rows(request, dealer, bound),
        "placeholders": placeholder_help(),
        "quiet_form": quiet_form
        or QuietHoursForm(
            initial={"quiet_from": quiet.quiet_from, "quiet_until": quiet.quiet_until}
        ),
    }
    return render(request, "messaging/templates.html", context, status=status)


@login_required
@require_GET
def message_templates(request: HttpRequest) -> HttpResponse:
    return _templates_page(request, _manager_dealer(request))


@login_required
@require_POST
def message_template_save(request: HttpRequest, purpose: str, language: str) -> HttpResponse:
    dealer = _manager_dealer(request)
    if purpose not in MessagePurpose.values or language not in MessageLanguage.values:
        raise Http404
    form = MessageTemplateForm(request.POST, prefix=f"{purpose}-{language}")
    if "reset" in request.POST:
        try:
            services.message_template_reset(
                dealer=dealer, actor=request.user, purpose=purpose, language=language
            )
        except ApplicationError as error:
            service_error(request, error)
        else:
            messages.success(request, _("The default text applies again."))
        return HttpResponseRedirect(reverse("message_templates"))
    if form.is_valid():
        try:
            services.message_template_update(
                dealer=dealer,
                actor=request.user,
                purpose=purpose,
                language=language,
                **form.cleaned_data,
            )
        except ApplicationError as error:
            service_error(request, error, form)
        else:
            messages.success(request, _("The message template is saved."))
            return HttpResponseRedirect(reverse("message_templates"))
    messages.error(request, _("Please correct the marked fields."))
    return _templates_page(request, dealer, bound=(purpose, language, form), status=422)


@login_required
@require_POST
def quiet_hours_save(request: HttpRequest) -> HttpResponse:
    dealer = _manager_dealer(request)
    form = QuietHoursForm(request.POST)
    if form.is_valid():
        try:
            services.messaging_settings_update(
                dealer=dealer, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as error:
            service_error(request, error, form)
        else:
            messages.success(request, _("The quiet hours are saved."))
            return HttpResponseRedirect(reverse("message_templates"))
    messages.error(request, _("Please correct the marked fields."))
    return _templates_page(request, dealer, quiet_form=form, status=422)
