"""The audit log: who changed what, when, with the fields before and after.

Every service that changes something a user can change calls `audit_log` inside its own
transaction, so the entry exists exactly when the change does. The entry keeps facts only
(an action code, the object, the changed values); its sentence is rendered when it is read,
in the reader's language, from the template each app registers for its action codes
(`register_actions`). Cases keep their own timeline (complaints.CaseEvent); the managers'
page shows both together.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .actors import Actor
from .models import AuditEntry
from .scoping import MANAGER, access_for, scoped


@dataclass(frozen=True)
class Action:
    """How an action code reads: a template with %(actor)s and %(object)s, and optionally
    a function that names the object from the entry (in the reader's language) instead of
    the label stored with it."""

    code: str
    template: Promise | str
    describe: Callable[[AuditEntry], str] | None = None


_ACTIONS: dict[str, Action] = {}

# Admin writes with no service of their own are logged as admin.<model>.<what>.
_ADMIN_TEMPLATES: dict[str, Promise] = {
    "created": gettext_lazy("%(actor)s created %(object)s in the admin"),
    "changed": gettext_lazy("%(actor)s changed %(object)s in the admin"),
    "deleted": gettext_lazy("%(actor)s deleted %(object)s in the admin"),
}
_ADMIN_ACTION = gettext_lazy("%(actor)s ran an admin action on %(object)s")


def register_actions(
    templates: Mapping[str, Promise | str],
    *,
    describe: Callable[[AuditEntry], str] | None = None,
) -> None:
    """Register action codes with their templates; each app does it in its `ready()`."""
    for code, template in templates.items():
        _ACTIONS[code] = Action(code, template, describe)


def action_for(code: str) -> Action | None:
    found = _ACTIONS.get(code)
    if found is not None:
        return found
    if code.startswith("admin.") and code.count(".") >= 2:
        return Action(code, _ADMIN_TEMPLATES.get(code.rsplit(".", 1)[1], _ADMIN_ACTION))
    return None


def registered_actions() -> tuple[str, ...]:
    return tuple(sorted(_ACTIONS))


# --- writing ----------------------------------------------------------------------------


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values as JSON will store them (dates as text, objects as their keys), so that
    "changed" compares what is stored, not what Python happened to hold."""
    result = {}
    for name, value in values.items():
        result[name] = value.pk if isinstance(value, models.Model) else value
    return json.loads(json.dumps(result, cls=DjangoJSONEncoder))


def snapshot(instance: models.Model, fields: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """The named fields of a model instance (foreign keys by id), for `before`/`after`."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        values[name] = getattr(instance, getattr(field, "attname", name))
    return _plain(values)


def audit_log(
    *,
    actor: Actor | None,
    action: str,
    target: models.Model | None,
    dealer_id: int | None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
) -> AuditEntry | None:
    """Record one change. Call it inside the service's transaction.

    Invariant: only registered action codes are written; with both `before` and `after`
    only the fields whose value changed are kept, and a change that changed nothing writes
    no entry and returns None. `data` is context (what the object is), not the change.
    """
    if action_for(action) is None:
        raise ValueError(f"{action!r} is not a registered audit action.")
    old, new = _plain(before or {}), _plain(after or {})
    if before is not None and after is not None:
        changed = sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))
        if not changed:
            return None
        old = {name: old.get(name) for name in changed}
        new = {name: new.get(name) for name in changed}
    payload = _plain(data or {})
    if old:
        payload["before"] = old
    if new:
        payload["after"] = new
    api_key = getattr(actor, "api_key", None)
    return AuditEntry.objects.create(
        actor=actor if isinstance(actor, get_user_model()) else None,
        api_key_id=getattr(api_key, "pk", None),
        api_key_label=_key_label(api_key),
        dealer_id=dealer_id,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None and target.pk is not None else "",
        object_label=_label(target),
        data=payload,
    )


def _label(target: models.Model | None) -> str:
    if target is None:
        return ""
    return str(getattr(target, "audit_label", None) or target)[:200]


def _key_label(api_key: Any) -> str:
    if api_key is None:
        return ""
    # Name and prefix are facts, not sentences: the prefix is unique and not secret.
    return f"{api_key.name} ({api_key.prefix})"[:200]


# --- reading ----------------------------------------------------------------------------


def actor_text(entry: AuditEntry) -> str:
    if entry.actor_id is not None:
        return str(entry.actor)
    if entry.api_key_id is not None:
        return _("API key %(key)s") % {"key": entry.api_key_label}
    return _("System")


def render(entry: AuditEntry) -> str:
    """The entry's sentence in the active language."""
    action = action_for(entry.action)
    if action is None:  # a code that is no longer registered still reads as something
        return f"{actor_text(entry)}: {entry.action} {entry.object_label}".strip()
    target = action.describe(entry) if action.describe is not None else entry.object_label
    return str(action.template) % {"actor": actor_text(entry), "object": target}


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def _field(entry: AuditEntry, name: str) -> models.Field | None:
    if not entry.object_type:
        return None
    try:
        model = apps.get_model(entry.object_type)
        field = model._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None
    return field if isinstance(field, models.Field) else None


def _value_text(field: models.Field | None, value: Any, names: dict[Any, str]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and field.is_relation and field.related_model is not None:
        # Named as it is now (a renamed customer reads under the new name); gone: its id.
        key = (field.related_model, value)
        if key not in names:
            related = _related(field.related_model, value)
            names[key] = str(related) if related is not None else f"#{value}"
        return names[key]
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def changes(entry: AuditEntry, names: dict[Any, str] | None = None) -> list[Change]:
    """The changed fields with their labels and values, in the active language. `names`
    remembers related objects' names across the entries of one page."""
    names = {} if names is None else names
    before = entry.data.get("before") or {}
    after = entry.data.get("after") or {}
    rows = []
    for name in sorted(before.keys() | after.keys()):
        field = _field(entry, name)
        label = str(field.verbose_name) if field is not None else name
        rows.append(
            Change(
                label,
                _value_text(field, before.get(name), names),
                _value_text(field, after.get(name), names),
            )
        )
    return rows


def audit_entry_list(*, actor: Actor, dealer_id: int | None = None) -> QuerySet[AuditEntry]:
    """The entries the actor may read, newest first: superusers all of them (or one
    dealer's), managers their dealer's, everybody else none."""
    access = access_for(actor)
    queryset = scoped(AuditEntry, actor).select_related("actor")
    if access.is_superuser:
        return queryset if dealer_id is None else queryset.filter(dealer_id=dealer_id)
    # Advisors work at the dealer but do not read its log: managers only.
    managed = {d for d, roles in access.dealer_roles.items() if MANAGER in roles}
    if dealer_id is not None:
        managed &= {dealer_id}
    return queryset.filter(dealer_id__in=sorted(managed))


def _related(model: Any, pk: Any) -> Any:
    # The entry was read through the reader's scope; the objects it names are shown by name.
    manager = model._default_manager
    if hasattr(manager, "unscoped"):
        return manager.unscoped(reason="instance").filter(pk=pk).first()
    return manager.filter(pk=pk).first()
