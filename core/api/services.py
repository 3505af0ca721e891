"""Writes of the API's own records: webhook endpoints a dealer registers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import PermissionDenied, ValidationFailed
from core.scoping import WORK_ROLES, roles_for, scoped
from dealers.models import Dealer

from .models import WebhookEndpoint


def webhook_endpoint_create(
    *, dealer: Dealer, actor: Any, url: str, events: list[str] | None = None, description: str = ""
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
    endpoint.save()
    return endpoint


def webhook_endpoint_deactivate(*, endpoint: WebhookEndpoint, actor: Any) -> WebhookEndpoint:
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
        if locked.is_active:
            locked.is_active = False
            locked.save(update_fields=["is_active"])
    return locked
