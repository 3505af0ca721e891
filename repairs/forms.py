from __future__ import annotations

from datetime import tzinfo
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .choices import AcceptanceMethod
from .services import MAX_PARTS_QUANTITY


class TechnicianForm(forms.Form):
    technician: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Technician"), queryset=None, required=False
    )

    def __init__(self, *args: Any, technicians: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["technician"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type
        field.queryset = technicians


class LeadForm(forms.Form):
    lead: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Technical lead consulted"), queryset=None
    )
    conclusion = forms.CharField(
        label=_("Their conclusion"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, staff: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lead"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type
        field.queryset = staff


class PartsOrderForm(forms.Form):
    part = forms.CharField(label=_("Part"), max_length=200)
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=MAX_PARTS_QUANTITY, initial=1
    )
    order_number = forms.CharField(label=_("Order number"), max_length=64)
    expected_at = forms.DateTimeField(
        label=_("Expected arrival"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, tzinfo: tzinfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tzinfo = tzinfo
        self.fields["expected_at"].help_text = gettext(
            "Date and time in the dealer's time zone (%(zone)s)."
        ) % {"zone": getattr(tzinfo, "key", str(tzinfo))}

    def full_clean(self) -> None:
        # The input carries no zone: staff type the dealer's local time.
        with timezone.override(self.tzinfo):
            super().full_clean()


ACCEPTED_CHOICES = [
    ("", _("Not yet known")),
    ("yes", _("Accepted")),
    ("no", _("Not accepted")),
]


class AgreementForm(forms.Form):
    customer_expectation = forms.CharField(
        label=_("What the customer expected"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Let the customer state their request first."),
    )
    gap = forms.CharField(
        label=_("Gap to our proposal"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    accepted = forms.ChoiceField(
        label=_("Customer accepted"), choices=ACCEPTED_CHOICES, required=False
    )
    acceptance_method = forms.ChoiceField(
        label=_("Accepted how"),
        choices=[("", "—"), *AcceptanceMethod.choices],
        required=False,
    )
    customer_now_asks = forms.CharField(
        label=_("At a reopen: what the customer now asks for"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("“What would you like us to do?”, in the customer's words."),
    )

    def accepted_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("accepted") or "")
