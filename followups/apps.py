from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = _("Follow-up and deadlines")

    def ready(self) -> None:
        from django.db.models import Q

        from complaints.choices import EventKind
        from complaints.selectors import regional_complaint_q
        from complaints.timeline import register_event_text
        from core.outbox import outbox_register
        from core.scoping import ScopeRule, register

        from . import timeline
        from .emails import OUTBOX_NAME, notification_email_send
        from .models import ContactAttempt, Deadline, DeadlineRule, Notification

        def through_case(prefix: str) -> ScopeRule:
            return ScopeRule(
                f"{prefix}dealer_id",
                regional=lambda regions: regional_complaint_q(regions, prefix=prefix),
            )

        register(Deadline, through_case("complaint__"))
        register(ContactAttempt, through_case("complaint__"))
        register(DeadlineRule, ScopeRule("dealer_id"))
        # A notification is its recipient's alone; regional staff get those of their
        # region's cases, including the level-2 escalations of ordinary cases.
        register(
            Notification,
            ScopeRule(
                "complaint__dealer_id",
                regional=lambda regions: Q(complaint__dealer__region_id__in=sorted(regions)),
                owner_lookup="recipient_id",
            ),
        )
        outbox_register(
            name=OUTBOX_NAME,
            label="E-mails",
            model=Notification,
            send=notification_email_send,
            related=("recipient", "complaint__dealer"),
        )
        register_event_text(EventKind.DEADLINE, timeline.deadline_event_text)
