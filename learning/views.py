"""The learning pages: open corrective actions and their checks, reflection reports, the
case library with required reading, and lessons. Thin: every rule is in services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaints import selectors as complaint_selectors
from core.exceptions import ApplicationError, NotFound, PermissionDenied
from core.scoping import MANAGER, access_for, scoped
from dealers.models import Dealer, Region
from web.shell import current_dealer, is_manager, require_dealer, service_error

from . import selectors, services
from .forms import (
    AssignForm,
    CheckForm,
    CommentForm,
    LessonForm,
    LibraryAddForm,
    LibraryFilterForm,
    ReflectionForm,
    RootCauseForm,
)
from .masking import mask_text, masked_case, personal_values
from .review_fields import due_from_date


def _case(request: HttpRequest, reference: str) -> Any:
    try:
        return complaint_selectors.complaint_get(actor=request.user, reference=reference)
    except NotFound:
        raise Http404 from None


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = fallback
    return HttpResponseRedirect(target)


# --- corrective actions -----------------------------------------------------------------------


@login_required
@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    """A manager sees every open corrective action of the dealer; everyone sees their own."""
    dealer = require_dealer(request)
    manager = is_manager(request, dealer)
    dealer_actions = (
        list(selectors.corrective_actions_open(actor=request.user, dealer_id=dealer.pk))
        if manager
        else []
    )
    own = list(selectors.corrective_actions_owned(actor=request.user).filter(dealer=dealer))
    return render(
        request,
        "learning/action_list.html",
        {
            "dealer": dealer,
            "is_manager": manager,
            "dealer_actions": dealer_actions,
            "own_actions": own,
            "reflections": selectors.reflections_to_write(actor=request.user),
            "check_form": CheckForm(),
        },
    )


@login_required
@require_POST
def action_check(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        action = selectors.corrective_action_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    form = CheckForm(request.POST)
    fallback = reverse("corrective_actions")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return _back(request, fallback)
    try:
        services.corrective_action_check(
            action=action,
            actor=request.user,
            result=form.cleaned_data["result"],
            note=form.cleaned_data["note"],
            new_due_at=due_from_date(form.cleaned_data["new_due"], action.complaint.dealer.tzinfo),
        )
    except ApplicationError as error:
        if isinstance(error, NotFound):
            raise Http404 from error
        texts = [t for msgs in error.field_errors.values() for t in msgs] or [str(error.message)]
        messages.error(request, " ".join(texts))
        return _back(request, fallback)
    messages.success(request, _("Check recorded."))
    return _back(request, fallback)


# --- the case page's step 7 panel's forms ---------------------------------------------------


@login_required
def reflection_write(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _case(request, reference)
    report = selectors.reflection_get(actor=request.user, complaint=complaint)
    form = ReflectionForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        try:
            services.reflection_submit(
                complaint=complaint, actor=request.user, answers=form.cleaned_data
            )
        except ApplicationError as error:
            service_error(request, error, form)
        else:
            messages.success(request, _("Reflection report submitted."))
            return HttpResponseRedirect(reverse("complaint_detail", args=[reference]))
    return render(
        request,
        "learning/reflection_form.html",
        {"complaint": complaint, "report": report, "form": form},
    )


@login_required
@require_POST
def reflection_comment(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _case(request, reference)
    report = selectors.reflection_get(actor=request.user, complaint=complaint)
    if report is None:
        raise Http404
    form = CommentForm(request.POST)
    fallback = reverse("complaint_detail", args=[reference])
    if form.is_valid():
        try:
            services.reflection_comment(
                report=report, actor=request.user, comment=form.cleaned_data["comment"]
            )
        except ApplicationError as error:
            service_error(request, error)
        else:
            messages.success(request, _("Comment saved."))
    else:
        messages.error(request, _("Write a comment."))
    return _back(request, fallback)


@login_required
@require_POST
def library_add(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _case(request, reference)
    form = LibraryAddForm(request.POST)
    fallback = reverse("complaint_detail", args=[reference])
    if not form.is_valid():
        messages.error(request, _("Give the training case a title."))
        return _back(request, fallback)
    try:
        library_case = services.library_case_add(
            complaint=complaint, actor=request.user, **form.cleaned_data
        )
    except ApplicationError as error:
        service_error(request, error)
        return _back(request, fallback)
    messages.success(request, _("Added to the case library."))
    return HttpResponseRedirect(reverse("library_detail", args=[library_case.pk]))


# --- the case library -----------------------------------------------------------------------


@login_required
@require_GET
def library_list(request: HttpRequest) -> HttpResponse:
    form = LibraryFilterForm(
        request.GET or None, root_causes=selectors.library_root_causes(actor=request.user)
    )
    filters = form.cleaned_data if form.is_valid() else {}
    cases = []
    for library_case in selectors.library_list(actor=request.user, filters=filters)[:200]:
        complaint = library_case.complaint
        known = personal_values(complaint)
        review = getattr(complaint, "review", None)
        cases.append(
            {
                "pk": library_case.pk,
                "title": mask_text(library_case.title, known),
                "summary": mask_text(library_case.summary, known),
                "dealer": library_case.dealer,
                "category": complaint.get_category_display(),
                "component": complaint.get_component_display(),
                "severity": complaint.get_severity_display(),
                "responsibility": complaint.get_responsibility_display(),
                "root_cause": review.root_cause_category.display if review else "",
                "cause_lies_with": review.get_cause_lies_with_display() if review else "",
                "required_for_new_staff": library_case.required_for_new_staff,
            }
        )
    return render(
        request,
        "learning/library_list.html",
        {
            "form": form,
            "cases": cases,
            "readings": selectors.readings_of(actor=request.user),
        },
    )


@login_required
@require_GET
def library_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        library_case = selectors.library_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    complaint = library_case.complaint
    known = personal_values(complaint)
    review = getattr(complaint, "review", None)
    actions = [
        {
            "cause": mask_text(action.cause, known),
            "action": mask_text(action.action, known),
            "state": action.get_state_display(),
            "check_result": action.get_check_result_display(),
        }
        for action in selectors.case_actions(actor=request.user, complaint=complaint)
    ]
    report = selectors.reflection_get(actor=request.user, complaint=complaint)
    reflection = None
    if report is not None and report.submitted_at is not None:
        reflection = [
            (report._meta.get_field(name).verbose_name, mask_text(getattr(report, name), known))
            for name in report.FIELDS
        ]
        reflection_comment_text = mask_text(report.manager_comment, known)
    else:
        reflection_comment_text = ""
    manager = MANAGER in access_for(request.user).roles_at(library_case.dealer_id)
    receipts = (
        list(selectors.readings_of_case(actor=request.user, library_case=library_case))
        if manager
        else []
    )
    staff = [(u.pk, str(u)) for u in selectors.dealer_staff(dealer_id=library_case.dealer_id)]
    my_reading = selectors.readings_of(actor=request.user).filter(library_case=library_case).first()
    return render(
        request,
        "learning/library_detail.html",
        {
            "library_case": library_case,
            "title": mask_text(library_case.title, known),
            "summary": mask_text(library_case.summary, known),
            "case": masked_case(complaint),
            "review": review,
            "review_why": mask_text(review.why, known) if review else "",
            "review_handling": mask_text(review.handling_note, known) if review else "",
            "actions": actions,
            "reflection": reflection,
            "reflection_comment": reflection_comment_text,
            "is_manager": manager,
            "receipts": receipts,
            "unread_count": sum(1 for r in receipts if r.read_at is None),
            "assign_form": AssignForm(staff=staff) if manager else None,
            "my_reading": my_reading,
        },
    )


@login_required
@require_POST
def library_assign(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        library_case = selectors.library_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    staff_users = list(selectors.dealer_staff(dealer_id=library_case.dealer_id))
    form = AssignForm(request.POST, staff=[(u.pk, str(u)) for u in staff_users])
    fallback = reverse("library_detail", args=[pk])
    if not form.is_valid():
        messages.error(request, _("Choose staff of this dealer."))
        return _back(request, fallback)
    chosen = {int(v) for v in form.cleaned_data["users"]}
    try:
        created = services.reading_assign(
            library_case=library_case,
            actor=request.user,
            users=[u for u in staff_users if u.pk in chosen],
        )
    except ApplicationError as error:
        service_error(request, error)
        return _back(request, fallback)
    messages.success(
        request, _("Assigned to %(count)d member(s) of staff.") % {"count": len(created)}
    )
    return _back(request, fallback)


@login_required
@require_POST
def reading_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        reading = selectors.reading_get(actor=request.user, pk=pk)
        services.reading_confirm(reading=reading, actor=request.user)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Thank you: reading confirmed."))
    return _back(request, reverse("library_detail", args=[reading.library_case_id]))


@login_required
@require_GET
def reading_overview(request: HttpRequest) -> HttpResponse:
    """Required reading: one's own, and for a manager who has not read what."""
    dealer = current_dealer(request)
    manager = is_manager(request, dealer)
    return render(
        request,
        "learning/reading_overview.html",
        {
            "readings": selectors.readings_of(actor=request.user),
            "is_manager": manager,
            "unread": list(selectors.unread_by_dealer(actor=request.user)) if manager else [],
        },
    )


# --- lessons --------------------------------------------------------------------------------


def _audiences(request: HttpRequest) -> list[tuple[str, str]]:
    result = [
        (f"dealer:{dealer.pk}", _("All staff of %(dealer)s") % {"dealer": dealer.name})
        for dealer in selectors.managed_dealers(request.user)
    ]
    regions = Region.objects.filter(pk__in=sorted(selectors.regions_of(request.user)))
    result += [
        (f"region:{region.pk}", _("All dealers of region %(region)s") % {"region": region.name})
        for region in regions
    ]
    return result


@login_required
def lesson_list(request: HttpRequest) -> HttpResponse:
    audiences = _audiences(request)
    form = LessonForm(request.POST or None, audiences=audiences) if audiences else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                _publish(request, form.cleaned_data)
            except ApplicationError as error:
                service_error(request, error, form)
            else:
                messages.success(request, _("Lesson published."))
                return HttpResponseRedirect(reverse("lessons"))
    return render(
        request,
        "learning/lesson_list.html",
        {
            "receipts": selectors.lesson_receipts_of(actor=request.user),
            "published": selectors.lessons_published(actor=request.user)[:50] if audiences else [],
            "form": form,
        },
    )


def _publish(request: HttpRequest, data: dict[str, Any]) -> None:
    kind, _sep, number = data["audience"].partition(":")
    references = [r.strip() for r in (data.get("cases") or "").split(",") if r.strip()]
    cases = []
    for reference in references:
        try:
            cases.append(complaint_selectors.complaint_get(actor=request.user, reference=reference))
        except NotFound:
            from core.exceptions import ValidationFailed

            raise ValidationFailed(
                {"cases": [_("No case %(reference)s.") % {"reference": reference}]}
            ) from None
    if kind == "dealer":
        dealer = scoped(Dealer, request.user).filter(pk=int(number)).first()
        if dealer is None:
            raise PermissionDenied()
        services.lesson_publish(
            actor=request.user, title=data["title"], body=data["body"], cases=cases, dealer=dealer
        )
    else:
        services.lesson_publish(
            actor=request.user,
            title=data["title"],
            body=data["body"],
            cases=cases,
            region_id=int(number),
        )


@login_required
@require_GET
def lesson_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        lesson = selectors.lesson_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "learning/lesson_detail.html",
        {
            "lesson": lesson,
            "receipts": selectors.lesson_receipts(actor=request.user, lesson=lesson),
        },
    )


@login_required
@require_POST
def lesson_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        receipt = selectors.lesson_receipt_get(actor=request.user, pk=pk)
        services.lesson_confirm(receipt=receipt, actor=request.user)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Thank you: reading confirmed."))
    return _back(request, reverse("lessons"))


# --- root-cause categories ------------------------------------------------------------------


@login_required
def root_causes(request: HttpRequest) -> HttpResponse:
    dealer = require_dealer(request)
    if not is_manager(request, dealer):
        raise Http404
    form = RootCauseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.root_cause_add(
                dealer=dealer, actor=request.user, label=form.cleaned_data["label"]
            )
        except ApplicationError as error:
            service_error(request, error, form)
        else:
            messages.success(request, _("Category added."))
            return HttpResponseRedirect(reverse("root_causes"))
    services.root_causes_ensure(dealer_id=dealer.pk)
    categories = scoped(dealer.root_cause_categories.all(), request.user)
    return render(
        request,
        "learning/root_causes.html",
        {"dealer": dealer, "categories": categories, "form": form},
    )
