"""The audit log's vocabulary for step 7 and learning (core.audit)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    # Step 7's entries on the case timeline (EventKind.LEARNING), as the managers' log reads them.
    "case.learning": _("%(actor)s recorded what was learned from case %(object)s"),
    "case_review.written": _("%(actor)s wrote the review of case %(object)s"),
    "corrective_action.checked": _("%(actor)s checked the corrective action %(object)s"),
    "corrective_action.reopened": _(
        "%(actor)s reopened the corrective action %(object)s with a new due date"
    ),
    "root_cause.added": _("%(actor)s added the root-cause category “%(object)s”"),
    "reflection.required": _("%(actor)s required a reflection report on case %(object)s"),
    "reflection.submitted": _("%(actor)s submitted the reflection report on case %(object)s"),
    "reflection.commented": _("%(actor)s commented on the reflection report on case %(object)s"),
    "library.case_added": _("%(actor)s added case %(object)s to the case library"),
    "library.reading_assigned": _("%(actor)s assigned required reading: %(object)s"),
    "library.reading_confirmed": _("%(actor)s confirmed reading %(object)s"),
    "lesson.published": _("%(actor)s published the lesson “%(object)s”"),
    "lesson.read": _("%(actor)s confirmed reading the lesson “%(object)s”"),
}


def register() -> None:
    from core.audit import register_actions

    register_actions(ACTIONS)
