from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def rule_kind_label(entry: Any) -> str:
    """A deadline rule is named by its kind, in the reader's language."""
    from .choices import DeadlineKind

    kind = entry.data.get("kind")
    return str(DeadlineKind(kind).label) if kind in DeadlineKind.values else entry.object_label


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = _("Follow-up and deadlines")

    def ready(self) -> None:
        from django.db.models import Q

        from complaints.choices import EventKind
        from complaints.selectors import regional_complaint_q
        from complaints.timeline import register_event_text
        from core.audit import register_actions
        from core.metrics import metrics_register_gauges
        from core.outbox import outbox_register
        from core.scoping import ScopeRule, register

        from . import timeline
        from .emails import OUTBOX_NAME, notification_email_send
        from .models import ContactAttempt, Deadline, DeadlineRule, Notification
        from .sweep import sweep_lag_gauges

        # Deadlines and contacts carry their case's dealer; what regional staff may read of
        # them is decided by the case.
        of_case = ScopeRule(
            "dealer_id",
            regional=lambda regions: regional_complaint_q(regions, prefix="complaint__"),
        )
        register(Deadline, of_case)
        register(ContactAttempt, of_case)
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
            channel="email",
        )
        metrics_register_gauges("deadlines", sweep_lag_gauges)
        register_event_text(EventKind.DEADLINE, timeline.deadline_event_text)
        register_event_text(EventKind.COMMITMENT, timeline.commitment_event_text, with_comment=True)
        register_actions(
            {
                "deadline_rule.changed": _("%(actor)s changed the deadline rule “%(object)s”"),
                "deadline_rule.deleted": _(
                    "%(actor)s removed the deadline rule “%(object)s”: the defaults apply"
                ),
            },
            describe=rule_kind_label,
        )
