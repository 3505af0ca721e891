from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairsConfig(AppConfig):
    name = "repairs"
    verbose_name = _("Repairs")

    def ready(self) -> None:
        from complaints.selectors import regional_complaint_q
        from core.audit import register_actions
        from core.scoping import ScopeRule, register

        from . import timeline
        from .models import Agreement, PartsOrder

        for model in (PartsOrder, Agreement):
            register(
                model,
                ScopeRule(
                    "complaint__dealer_id",
                    regional=lambda regions: regional_complaint_q(regions, prefix="complaint__"),
                    # The case's technician reads the parts orders of the repair they do.
                    technician_lookup="complaint__technician_id" if model is PartsOrder else None,
                ),
            )
        register_actions(
            {
                "case.technician_assigned": _("%(actor)s assigned the repair of case %(object)s"),
                "case.lead_consulted": _(
                    "%(actor)s recorded the technical lead's conclusion on case %(object)s"
                ),
                "case.parts_ordered": _("%(actor)s ordered emergency parts for case %(object)s"),
                "case.parts_arrived": _("%(actor)s recorded parts arrived for case %(object)s"),
                "case.agreement_recorded": _(
                    "%(actor)s recorded the agreement with the customer of case %(object)s"
                ),
            }
        )
        timeline.register()
