from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from core.scoping import ScopeRule, register

        from . import audit
        from .choices import EventKind
        from .intake import intake_event_text
        from .models import CaseEvent, Complaint
        from .selectors import regional_complaint_q
        from .timeline import register_event_text

        register(Complaint, ScopeRule("dealer_id", regional=regional_complaint_q))
        register(
            CaseEvent,
            ScopeRule(
                "complaint__dealer_id",
                regional=lambda regions: regional_complaint_q(regions, prefix="complaint__"),
            ),
        )
        audit.register()
        register_event_text(EventKind.CREATED, intake_event_text)
