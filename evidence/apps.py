from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Evidence")

    def ready(self) -> None:
        from complaints.selectors import regional_complaint_q
        from core.audit import register_actions
        from core.scoping import ScopeRule, register

        from . import timeline
        from .models import Attachment, Citation

        register(
            Attachment,
            ScopeRule(
                "complaint__dealer_id",
                regional=lambda regions: regional_complaint_q(regions, prefix="complaint__"),
                technician_lookup="complaint__technician_id",
            ),
        )
        register(
            Citation,
            ScopeRule(
                "event__complaint__dealer_id",
                regional=lambda regions: regional_complaint_q(regions, prefix="event__complaint__"),
                technician_lookup="event__complaint__technician_id",
            ),
        )
        register_actions(
            {
                "attachment.downloaded": _("%(actor)s downloaded the evidence file %(object)s"),
                "case.evidence_added": _("%(actor)s added evidence to case %(object)s"),
            }
        )
        timeline.register()
