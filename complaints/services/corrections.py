"""Corrections of what was recorded, as far as the current step allows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.db import transaction
from django.forms import ModelChoiceField, ModelForm, modelform_factory
from django.utils.translation import gettext as _

from core.actors import Actor
from core.exceptions import ValidationFailed
from core.scoping import scoped
from core.text import StorableInputMixin
from dealers.models import Vehicle
from followups.deadlines import deadlines_after_update

from ..choices import EventKind, State
from ..models import Complaint
from ..stored_facts import repeats_after_vehicle_change
from .case import (
    _changed,
    _lock,
    _record,
    _require_worker,
    _save,
    _snapshot,
)

_INTAKE = (
    "channel",
    "category",
    "component",
    "description",
    "customer_request",
    "is_safety_related",
    "vehicle",
)
EDITABLE_FIELDS: dict[str, tuple[str, ...]] = {
    State.RECEIVED: _INTAKE,
    State.LISTENING: _INTAKE,
    State.INVESTIGATING: (*_INTAKE, "fault_finding", "root_cause"),
    State.ASSESSING: (
        "category",
        "component",
        "description",
        "customer_request",
        "is_safety_related",
        "root_cause",
    ),
    State.AWAITING_APPROVAL: ("is_safety_related",),
    State.RESOLVING: ("is_safety_related", "agreed_resolution", "actions_taken"),
    State.FOLLOWING_UP: ("is_safety_related",),
    State.REVIEWING: ("is_safety_related", "review_why", "review_handling", "review_prevention"),
    State.CLOSED: (),
    State.WITHDRAWN: (),
}


class _CorrectionForm(StorableInputMixin, ModelForm):
    pass


def complaint_update(
    *,
    complaint: Complaint,
    actor: Actor,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> Complaint:
    """Correct the fields the current step allows; the original description never changes."""
    if not isinstance(data, Mapping):
        raise ValidationFailed({"non_field_errors": [_("The payload must be an object.")]})
    with transaction.atomic():
        locked = _lock(complaint, actor, expected_version=expected_version)
        _require_worker(locked, actor)
        allowed = EDITABLE_FIELDS[locked.state]
        refused = {
            name: [
                _("Cannot be changed in step “%(state)s”.") % {"state": locked.get_state_display()}
            ]
            for name in data
            if name not in allowed
        }
        if refused:
            raise ValidationFailed(refused)
        if not data:
            return locked
        fields = [name for name in allowed if name in data]
        form_class = modelform_factory(Complaint, form=_CorrectionForm, fields=fields)
        current = {
            name: getattr(locked, "vehicle_id" if name == "vehicle" else name) for name in fields
        }
        form = form_class({**current, **data}, instance=locked)
        if "vehicle" in form.fields:
            vehicle_field = cast(ModelChoiceField, form.fields["vehicle"])
            vehicle_field.queryset = scoped(Vehicle, actor, write=True).filter(
                dealer_id=locked.dealer_id
            )
        before = _snapshot(locked)
        if not form.is_valid():
            raise ValidationFailed({k: list(v) for k, v in form.errors.items()})
        form.save(commit=False)
        changed = _changed(before, locked)
        if not changed:
            return locked
        diff = {name: {"from": before[name], "to": getattr(locked, name)} for name in changed}
        _save(locked, before)
        _record(complaint=locked, actor=actor, kind=EventKind.UPDATE, payload=diff)
        if "vehicle_id" in changed:
            # Another vehicle: whether this case, and the later ones of either vehicle,
            # repeat an earlier case has changed with it.
            repeats_after_vehicle_change(
                complaint=locked, vehicle_ids=[before["vehicle_id"], locked.vehicle_id]
            )
        deadlines_after_update(complaint=locked, changed=set(changed))
    return locked
