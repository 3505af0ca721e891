"""Who owns the case and who must hear of it: hand-overs to a colleague or an outside
supplier, escalation to the managers, notes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.actors import Actor
from core.exceptions import (
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from core.scoping import MANAGER, roles_for
from core.text import MAX_TEXT_LENGTH, require_storable
from followups import notify
from followups.deadlines import deadlines_after_hand_over

from ..choices import EventKind
from ..models import (
    SUPPLIER_MAX_LENGTH,
    CaseEvent,
    Complaint,
    actor_user_id,
)
from .case import (
    _is_worker,
    _lock,
    _record,
    _require_contributor,
    _require_worker,
    _save,
    _snapshot,
)


def _require_hand_over_right(complaint: Complaint, actor: Actor) -> None:
    """A case is handed over (to a colleague or a supplier) by its owner or a manager, and
    only while it is open; a case nobody owns yet may be handed over by anyone working it."""
    _require_worker(complaint, actor)
    is_owner = complaint.assignee_id is not None and complaint.assignee_id == actor_user_id(actor)
    if (
        MANAGER not in roles_for(actor, complaint.dealer_id)
        and not is_owner
        and complaint.assignee_id is not None
    ):
        raise PermissionDenied(_("Only the case's owner or a manager may hand it over."))
    if not complaint.is_open:
        raise TransitionNotAllowed(_("A closed case cannot be handed over."))


def complaint_reassign(
    *, complaint: Complaint, actor: Actor, assignee: Any, reason: str = ""
) -> Complaint:
    """Hand a case over explicitly: its owner or a manager names the next owner."""
    require_storable({"reason": reason}, max_length=MAX_TEXT_LENGTH)
    with transaction.atomic():
        locked = _lock(complaint, actor)
        _require_hand_over_right(locked, actor)
        if assignee is None or not _is_worker(assignee, locked.dealer_id):
            raise ValidationFailed(
                {"assignee": [_("The assignee must be an advisor or manager of this dealer.")]}
            )
        if assignee.pk == locked.assignee_id:
            return locked
        before = _snapshot(locked)
        previous = locked.assignee
        locked.assignee = assignee
        _save(locked, before)
        _record(
            complaint=locked,
            actor=actor,
            kind=EventKind.REASSIGNMENT,
            comment=reason,
            payload={"from": getattr(previous, "pk", None), "to": assignee.pk},
        )
        deadlines_after_hand_over(complaint=locked, actor=actor, previous_owner=previous)
    return locked


def complaint_hand_to_supplier(
    *, complaint: Complaint, actor: Actor, supplier: str, reason: str = ""
) -> Complaint:
    """Hand the work on a case to an outside supplier (外包供应商), or take it back with an
    empty `supplier`. The case keeps its owner, who stays answerable to the customer; a
    hand-over to a supplier opens a hand-over check for them."""
    require_storable({"supplier": supplier, "reason": reason}, max_length=MAX_TEXT_LENGTH)
    supplier = " ".join(supplier.split())
    require_storable({"supplier": supplier}, max_length=SUPPLIER_MAX_LENGTH)
    with transaction.atomic():
        locked = _lock(complaint, actor)
        _require_hand_over_right(locked, actor)
        if supplier == locked.supplier:
            if not supplier:
                raise ValidationFailed(
                    {"supplier": [_("Name the outside supplier the work goes to.")]}
                )
            return locked
        before = _snapshot(locked)
        previous = locked.supplier
        locked.supplier = supplier
        _save(locked, before)
        if supplier:
            summary = _("Handed to the outside supplier %(supplier)s.") % {"supplier": supplier}
        else:
            summary = _("Work taken back from the outside supplier %(supplier)s.") % {
                "supplier": previous
            }
        _record(
            complaint=locked,
            actor=actor,
            kind=EventKind.REASSIGNMENT,
            comment=f"{summary}\n{reason}".strip(),
            payload={"supplier": supplier, "previous_supplier": previous},
        )
        deadlines_after_hand_over(complaint=locked, actor=actor, supplier=supplier)
    return locked


def complaint_escalate(*, complaint: Complaint, actor: Actor, reason: str) -> Complaint:
    """Bring a case to the managers' attention; anyone working the case may do it."""
    if not str(reason).strip():
        raise ValidationFailed({"reason": [_("Say why the case needs a manager.")]})
    require_storable({"reason": str(reason)}, max_length=MAX_TEXT_LENGTH)
    with transaction.atomic():
        locked = _lock(complaint, actor)
        _require_worker(locked, actor)
        if not locked.is_open:
            raise TransitionNotAllowed(_("A closed case cannot be escalated."))
        before = _snapshot(locked)
        locked.escalated = True
        _save(locked, before)
        event = _record(complaint=locked, actor=actor, kind=EventKind.ESCALATION, comment=reason)
        notify.case_escalated(
            complaint=locked, actor=actor, who=event.actor_label, reason=event.comment
        )
    return locked


def complaint_add_note(*, complaint: Complaint, actor: Actor, comment: str) -> CaseEvent:
    if not str(comment).strip():
        raise ValidationFailed({"comment": [_("Write something.")]})
    require_storable({"comment": str(comment)}, max_length=MAX_TEXT_LENGTH)
    with transaction.atomic():
        locked = _lock(complaint, actor)
        # The repair's technician adds notes too (and nothing else).
        _require_contributor(locked, actor)
        return _record(complaint=locked, actor=actor, kind=EventKind.NOTE, comment=comment)
