from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API for dealer management systems: keys, idempotency, webhooks."""

    name = "integrations"
    # The label the app had when it lived in core/: its tables and migration history keep it.
    label = "api"
    verbose_name = _("Integrations (API)")

    def ready(self) -> None:
        from core.audit import register_actions
        from core.outbox import outbox_register
        from core.scoping import ScopeRule, register

        from . import receivers, schema  # noqa: F401  (signal receivers, schema extensions)
        from .models import DealerApiKey, IdempotencyRecord, WebhookDelivery, WebhookEndpoint
        from .webhooks import OUTBOX_NAME, webhook_send

        register(DealerApiKey, ScopeRule("dealer_id"))
        register(WebhookEndpoint, ScopeRule("dealer_id"))
        register(WebhookDelivery, ScopeRule("endpoint__dealer_id"))
        # Records of browser sessions have no dealer: only superusers reach them.
        register(IdempotencyRecord, ScopeRule("dealer_id"))
        outbox_register(
            name=OUTBOX_NAME,
            label="Webhooks",
            model=WebhookDelivery,
            send=webhook_send,
            related=("endpoint",),
        )
        register_actions(
            {
                "webhook.created": _("%(actor)s registered the webhook endpoint %(object)s"),
                "webhook.changed": _("%(actor)s changed the webhook endpoint %(object)s"),
                "webhook.deactivated": _("%(actor)s deactivated the webhook endpoint %(object)s"),
                "api_key.created": _("%(actor)s created the API key %(object)s"),
                "api_key.changed": _("%(actor)s changed the API key %(object)s"),
                "api_key.revoked": _("%(actor)s revoked the API key %(object)s"),
            }
        )
