"""The learning panels other apps' pages show: step 7 on the case page, and the unread
lessons and required reading on the home screen."""

from __future__ import annotations

from typing import Any

from django import template

from complaints.choices import State
from core.scoping import MANAGER, WORK_ROLES, access_for

from .. import selectors
from ..choices import ActionState
from ..forms import CheckForm, CommentForm, LibraryAddForm

register = template.Library()


@register.inclusion_tag("learning/case_panel.html", takes_context=True)
def learning_case_panel(context: dict[str, Any], complaint: Any) -> dict[str, Any]:
    request = context["request"]
    if complaint.state != State.CLOSED:
        # Step 7's rows are written at the close (the review with its actions, by the close
        # itself; a reflection report and a library entry only for a closed case): an open
        # case has none to read, and its page reads none.
        return {"complaint": complaint}
    user = request.user
    roles = access_for(user).roles_at(complaint.dealer_id)
    review = selectors.review_get(actor=user, complaint=complaint)
    # Corrective actions are written with the case's review: without one there are none.
    actions = list(selectors.case_actions(actor=user, complaint=complaint)) if review else []
    for action in actions:
        action.may_check = action.state == ActionState.OPEN and (
            MANAGER in roles or (bool(roles & WORK_ROLES) and action.owner_id == user.pk)
        )
    report = selectors.reflection_get(actor=user, complaint=complaint)
    library_case = selectors.library_case_of(actor=user, complaint=complaint)
    return {
        "request": request,
        "complaint": complaint,
        "review": review,
        "actions": actions,
        "report": report,
        "report_fields": [
            (report._meta.get_field(name).verbose_name, getattr(report, name))
            for name in report.FIELDS
        ]
        if report is not None and report.submitted_at
        else [],
        "may_write_report": complaint.state == "closed"
        and bool(roles & WORK_ROLES)
        and (report.author_id if report else complaint.assignee_id) == user.pk
        and (report is None or report.state != "commented"),
        "may_comment": MANAGER in roles and report is not None and report.submitted_at,
        "is_manager": MANAGER in roles,
        "library_case": library_case,
        "check_form": CheckForm(),
        "comment_form": CommentForm(),
        "library_form": LibraryAddForm(initial={"title": complaint.get_category_display()}),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("learning/home_panel.html", takes_context=True)
def learning_inbox(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    return {
        "request": request,
        "lessons": list(selectors.lessons_unread(actor=user)[:5]),
        "readings": list(selectors.readings_of(actor=user).filter(read_at=None)[:5]),
        "actions_due": selectors.corrective_actions_owned(actor=user).count(),
        "reflections": list(selectors.reflections_to_write(actor=user)[:5]),
        "csrf_token": context.get("csrf_token"),
    }
