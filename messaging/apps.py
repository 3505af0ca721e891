from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messages to customers")

    def ready(self) -> None:
        from complaints.choices import EventKind
        from complaints.selectors import regional_complaint_q
        from complaints.timeline import register_event_text
        from core.audit import register_actions
        from core.outbox import outbox_register
        from core.scoping import ScopeRule, register

        from .choices import MessageChannel
        from .models import CustomerMessage, MessageTemplate, MessagingSettings
        from .sending import OUTBOX_NAME, customer_message_send
        from .timeline import message_event_text

        register(MessageTemplate, ScopeRule("dealer_id"))
        register(MessagingSettings, ScopeRule("dealer_id"))
        register(
            CustomerMessage,
            ScopeRule(
                "complaint__dealer_id",
                regional=lambda regions: regional_complaint_q(regions, prefix="complaint__"),
            ),
        )
        outbox_register(
            name=OUTBOX_NAME,
            label="Messages to customers",
            model=CustomerMessage,
            send=customer_message_send,
            related=("complaint__dealer",),
            channel_field="channel",
            channels=MessageChannel.values,
        )
        register_event_text(EventKind.CONTACT, message_event_text)
        register_actions(
            {
                "message_template.changed": _(
                    "%(actor)s changed the message template “%(object)s”"
                ),
                "message_template.reset": _(
                    "%(actor)s reset the message template “%(object)s” to the default"
                ),
                "messaging_settings.changed": _("%(actor)s changed the quiet hours of %(object)s"),
            }
        )
