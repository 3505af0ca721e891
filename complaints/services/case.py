"""The case row as every service of the case handles it: locked, changed, saved once with
its version, and recorded on the timeline."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from core.actors import Actor
from core.exceptions import (
    Conflict,
    NotFound,
    PermissionDenied,
)
from core.scoping import WORK_ROLES, roles_for, scoped

from ..models import (
    CaseEvent,
    Complaint,
    actor_user_id,
    can_contribute,
)
from ..signals import case_changed


def actor_label(actor: Actor) -> str:
    if actor is None:
        return _("System")
    label = getattr(actor, "actor_label", None)
    if label:
        return str(label)
    return str(actor)


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, models.Model):
            value = value.pk
        result[key] = value
    return result


def _snapshot(complaint: Complaint) -> dict[str, Any]:
    return {f.attname: getattr(complaint, f.attname) for f in complaint._meta.concrete_fields}


def _changed(before: Mapping[str, Any], complaint: Complaint) -> list[str]:
    after = _snapshot(complaint)
    return [name for name, value in after.items() if before[name] != value]


def _save(complaint: Complaint, before: Mapping[str, Any]) -> list[str]:
    # The row is locked by _lock, so a plain increment cannot race.
    changed = _changed(before, complaint)
    complaint.version += 1
    complaint.save(update_fields=[*changed, "version", "updated_at"])
    return changed


def _record(
    *,
    complaint: Complaint,
    actor: Actor,
    kind: str,
    comment: str = "",
    payload: Mapping[str, Any] | None = None,
    transition: str = "",
    from_state: str = "",
    to_state: str = "",
    at: datetime | None = None,
) -> CaseEvent:
    event = CaseEvent.objects.create(
        **({} if at is None else {"created_at": at}),
        complaint=complaint,
        kind=kind,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        actor_id=actor_user_id(actor),
        api_key_id=getattr(getattr(actor, "api_key", None), "pk", None),
        actor_label=actor_label(actor),
        comment=comment,
        payload=_jsonable(payload or {}),
    )
    case_changed.send(
        sender=Complaint,
        complaint=complaint,
        event=event,
        actor=actor,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
    )
    return event


def _lock(complaint: Complaint, actor: Actor, *, expected_version: int | None = None) -> Complaint:
    """Lock the case row for this transaction; refuse when the caller saw an old version."""
    try:
        locked = (
            scoped(Complaint, actor)
            .select_for_update(of=("self",))
            .select_related("dealer")
            .get(pk=complaint.pk)
        )
    except Complaint.DoesNotExist:
        raise NotFound(_("No such case.")) from None
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Someone else changed case %(reference)s in the meantime. Here it is as it is now.")
            % {"reference": locked.reference},
            code="stale_version",
            extra={"version": locked.version, "state": locked.state},
        )
    return locked


def _require_worker(complaint: Complaint, actor: Actor) -> None:
    if not roles_for(actor, complaint.dealer_id) & WORK_ROLES:
        raise PermissionDenied(_("Only advisors and managers of this dealer may change a case."))


def _require_contributor(complaint: Complaint, actor: Actor) -> None:
    if not can_contribute(complaint, actor):
        raise PermissionDenied(
            _("Only advisors and managers of this dealer, or the case's technician, may add to it.")
        )


def _is_worker(user: Any, dealer_id: int) -> bool:
    return bool(getattr(user, "is_active", False) and roles_for(user, dealer_id) & WORK_ROLES)
