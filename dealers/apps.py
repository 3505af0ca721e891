from __future__ import annotations

from collections.abc import Callable

from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DealersConfig(AppConfig):
    name = "dealers"
    verbose_name = _("Dealers")

    def ready(self) -> None:
        from core.audit import register_actions
        from core.scoping import ScopeRule, register, register_memberships

        from .models import Customer, Dealer, Membership, RepairOrder, Vehicle
        from .selectors import user_memberships

        def through_regional_cases(column: str, prefix: str = "") -> Callable[[frozenset[int]], Q]:
            # Regional staff see a customer or vehicle only through a case they may read.
            def rule(regions: frozenset[int]) -> Q:
                from complaints.models import Complaint
                from complaints.selectors import regional_complaint_q

                visible = Complaint.objects.filter(regional_complaint_q(regions))
                return Q(**{f"{prefix}__in": visible.values(column)})

            return rule

        register_memberships(user_memberships)
        register(
            Dealer,
            ScopeRule(
                "id",
                regional=lambda regions: Q(region_id__in=regions),
                # A technician sees the dealer they repair for (their cases are in it).
                technician_lookup="memberships__user_id",
            ),
        )
        register(Membership, ScopeRule("dealer_id"))
        register(
            Customer, ScopeRule("dealer_id", regional=through_regional_cases("customer_id", "id"))
        )
        register(
            Vehicle, ScopeRule("dealer_id", regional=through_regional_cases("vehicle_id", "id"))
        )
        register(
            RepairOrder,
            ScopeRule("dealer_id", regional=through_regional_cases("vehicle_id", "vehicle_id")),
        )
        register_actions(
            {
                "customer.created": _("%(actor)s added the customer %(object)s"),
                "customer.changed": _("%(actor)s changed the customer %(object)s"),
                "customer.exported": _("%(actor)s exported the data of the customer %(object)s"),
                "customer.erased": _(
                    "%(actor)s erased the personal data of the customer %(object)s"
                ),
                "vehicle.created": _("%(actor)s added the vehicle %(object)s"),
                "vehicle.changed": _("%(actor)s changed the vehicle %(object)s"),
                "repair_order.created": _("%(actor)s added the repair order %(object)s"),
                "repair_order.changed": _("%(actor)s changed the repair order %(object)s"),
                "membership.created": _("%(actor)s gave a role to %(object)s"),
                "membership.changed": _("%(actor)s changed the role of %(object)s"),
                "membership.deleted": _("%(actor)s took the role away from %(object)s"),
            }
        )
