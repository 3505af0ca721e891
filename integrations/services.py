"""Writes of the API's own records: the dealer's API keys and webhook endpoints."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.actors import Actor
from core.audit import audit_log, snapshot
from core.exceptions import PermissionDenied, ValidationFailed
from core.scoping import MANAGER, WORK_ROLES, roles_for, scoped
from core.text import require_storable
from dealers.models import Dealer

from .models import DealerApiKey, WebhookEndpoint

# What the log keeps of an endpoint: never its signing secret.
WEBHOOK_FIELDS = ("url", "events", "description", "is_active")
# What the log keeps of a key: never its hash.
API_KEY_FIELDS = ("name", "prefix", "expiry_date", "revoked")
API_KEY_NAME_MAX_LENGTH = 50


def webhook_endpoint_create(
    *,
    dealer: Dealer,
    actor: Actor,
    url: str,
    events: list[str] | None = None,
    description: str = "",
) -> WebhookEndpoint:
    """Register an endpoint for the dealer's case events.

    Invariant: only someone working at the dealer registers it, the URL is HTTPS (plain
    loopback HTTP only in development and tests) and every event type is a known one; the
    signing secret is generated here, never chosen by the caller.
    """
    if not roles_for(actor, dealer.pk) & WORK_ROLES:
        raise PermissionDenied(_("Only advisors and managers of this dealer may do this."))
    endpoint = WebhookEndpoint(
        dealer=dealer, url=url, events=list(events or []), description=description
    )
    try:
        endpoint.full_clean(exclude=["dealer", "secret"])
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict) from None
    with transaction.atomic():
        endpoint.save()
        audit_log(
            actor=actor,
            action="webhook.created",
            target=endpoint,
            dealer_id=dealer.pk,
            before={},
            after=snapshot(endpoint, WEBHOOK_FIELDS),
        )
    return endpoint


def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, actor: Actor, fields: Mapping[str, Any]
) -> WebhookEndpoint:
    """Change an endpoint's URL, events, description or whether it is active.

    Invariant: the same checks as at registration; the secret and the dealer never change.
    """
    unknown = set(fields) - set(WEBHOOK_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("Unknown field.")] for name in sorted(unknown)})
    with transaction.atomic():
        locked = (
            scoped(WebhookEndpoint, actor, write=True)
            .select_for_update()
            .filter(pk=endpoint.pk)
            .first()
        )
        if locked is None:
            raise PermissionDenied(_("Only advisors and managers of this dealer may do this."))
        before = snapshot(locked, WEBHOOK_FIELDS)
        for name, value in fields.items():
            setattr(locked, name, value)
        try:
            locked.full_clean(exclude=["dealer", "secret"])
        except ValidationError as exc:
            raise ValidationFailed(exc.message_dict) from None
        locked.save(update_fields=list(fields) or None)
        audit_log(
            actor=actor,
            action="webhook.changed",
            target=locked,
            dealer_id=locked.dealer_id,
            before=before,
            after=snapshot(locked, WEBHOOK_FIELDS),
        )
    return locked


def webhook_endpoint_deactivate(*, endpoint: WebhookEndpoint, actor: Actor) -> WebhookEndpoint:
    """Stop sending to an endpoint; its delivery log stays. Invariant: the dealer's staff only."""
    with transaction.atomic():
        locked = (
            scoped(WebhookEndpoint, actor, write=True)
            .select_for_update()
            .filter(pk=endpoint.pk)
            .first()
        )
        if locked is None:
            raise PermissionDenied(_("Only advisors and managers of this dealer may do this."))
        _switch(locked, "is_active", False, actor=actor, action="webhook.deactivated")
    return locked


# --- API keys ---------------------------------------------------------------------------


def _require_key_manager(actor: Actor | None, dealer_id: int) -> None:
    # None is the operator at the server's command line (manage.py createapikey).
    if actor is not None and MANAGER not in roles_for(actor, dealer_id):
        raise PermissionDenied(_("Only a manager of this dealer may manage its API keys."))


def _key_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name or len(name) > API_KEY_NAME_MAX_LENGTH:
        raise ValidationFailed(
            {
                "name": [
                    _("The name must have 1 to %(most)d characters.")
                    % {"most": API_KEY_NAME_MAX_LENGTH}
                ]
            }
        )
    require_storable({"name": name})
    return name


def api_key_create(
    *, dealer: Dealer, actor: Actor | None, name: str, expiry_date: datetime | None = None
) -> tuple[DealerApiKey, str]:
    """Create a key for one DMS connection; returns the key row and the key itself, which
    is shown once and stored only hashed.

    Invariant: a manager of the dealer (or the operator, `actor=None`) creates it, and the
    log names the key by its prefix, never by the key.
    """
    _require_key_manager(actor, dealer.pk)
    name = _key_name(name)
    with transaction.atomic():
        created, key = DealerApiKey.objects.create_key(
            dealer=dealer, name=name, expiry_date=expiry_date
        )
        api_key = cast(DealerApiKey, created)
        audit_log(
            actor=actor,
            action="api_key.created",
            target=api_key,
            dealer_id=dealer.pk,
            before={},
            after=snapshot(api_key, API_KEY_FIELDS),
        )
    return api_key, key


def api_key_update(
    *, api_key: DealerApiKey, actor: Actor | None, name: str, expiry_date: datetime | None
) -> DealerApiKey:
    """Rename a key or change when it expires. Invariant: a revoked key stays as it is."""
    _require_key_manager(actor, api_key.dealer_id)
    name = _key_name(name)
    with transaction.atomic():
        locked = (
            DealerApiKey.objects.unscoped(reason="instance").select_for_update().get(pk=api_key.pk)
        )
        if locked.revoked:
            raise ValidationFailed({"revoked": [_("A revoked key cannot be changed.")]})
        before = snapshot(locked, API_KEY_FIELDS)
        locked.name, locked.expiry_date = name, expiry_date
        locked.save(update_fields=["name", "expiry_date"])
        audit_log(
            actor=actor,
            action="api_key.changed",
            target=locked,
            dealer_id=locked.dealer_id,
            before=before,
            after=snapshot(locked, API_KEY_FIELDS),
        )
    return locked


def api_key_revoke(*, api_key: DealerApiKey, actor: Actor | None) -> DealerApiKey:
    """Revoke a key: the DMS can no longer use it. Invariant: for good, and logged once."""
    _require_key_manager(actor, api_key.dealer_id)
    with transaction.atomic():
        locked = (
            DealerApiKey.objects.unscoped(reason="instance").select_for_update().get(pk=api_key.pk)
        )
        _switch(locked, "revoked", True, actor=actor, action="api_key.revoked")
    return locked


def _switch(
    locked: WebhookEndpoint | DealerApiKey,
    field: str,
    value: bool,
    *,
    actor: Actor | None,
    action: str,
) -> None:
    """Set a locked row's on/off field once: saved and logged only when it changes."""
    if getattr(locked, field) == value:
        return
    setattr(locked, field, value)
    locked.save(update_fields=[field])
    audit_log(
        actor=actor,
        action=action,
        target=locked,
        dealer_id=locked.dealer_id,
        before={field: not value},
        after={field: value},
    )
