"""The case page's evidence: upload, and every download through a view that checks the
reader's scope (files are never served from a public address)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaints.views.case_page import render_case
from complaints.views.common import case_or_404, case_url
from core.actors import Actor
from core.exceptions import ApplicationError, NotFound
from web.shell import service_error

from . import selectors, services
from .forms import AttachmentForm
from .models import Attachment


@login_required
@require_POST
def attachment_upload(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = case_or_404(request, reference)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.attachment_add(
                complaint=complaint,
                actor=request.user,
                file=upload,
                name=upload.name,
                size=upload.size,
                caption=form.cleaned_data["caption"],
            )
        except ApplicationError as error:
            service_error(request, error, form)
            if not form.errors:
                return HttpResponseRedirect(case_url(complaint))
        else:
            messages.success(request, _("The evidence has been attached to the case."))
            return HttpResponseRedirect(case_url(complaint))
    return render_case(request, complaint, open_form="attachment", attachment_form=form)


def serve_attachment(attachment: Attachment, *, actor: Actor, thumbnail: bool) -> FileResponse:
    """The file as a download, never a page: `Content-Disposition: attachment`, the type
    sniffed at upload, `nosniff`, and a sandbox in case a browser renders it anyway."""
    stored = attachment.thumbnail if thumbnail else attachment.file
    if not stored:
        raise Http404
    services.attachment_downloaded(attachment=attachment, actor=actor, thumbnail=thumbnail)
    name = attachment.original_name
    if thumbnail:
        name = f"thumbnail-{attachment.pk}.jpg"
    response = FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=name,
        content_type="image/jpeg" if thumbnail else attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _download(request: HttpRequest, reference: str, pk: int, *, thumbnail: bool) -> FileResponse:
    try:
        attachment = selectors.attachment_get(
            actor=request.user, reference=reference, attachment_id=pk
        )
    except NotFound:
        raise Http404 from None
    return serve_attachment(attachment, actor=request.user, thumbnail=thumbnail)


@login_required
@require_GET
def attachment_download(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    return _download(request, reference, pk, thumbnail=False)


@login_required
@require_GET
def attachment_thumbnail(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    return _download(request, reference, pk, thumbnail=True)
