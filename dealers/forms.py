"""Forms of the customer's page: the relationship profile of step 2, a vehicle's VIN and
plate, and a repair order entered by hand. They read input only; dealers.services decides."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .validators import normalize_vin, validate_vin


class CustomerProfileForm(forms.Form):
    occupation = forms.CharField(label=_("Occupation"), max_length=200, required=False)
    family = forms.CharField(
        label=_("Family"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    interests = forms.CharField(
        label=_("Interests"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    other_vehicles = forms.CharField(
        label=_("Other vehicles owned"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    insurance = forms.CharField(
        label=_("Insurance"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    usage_and_storage = forms.CharField(
        label=_("Vehicle usage and storage"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class VehicleForm(forms.Form):
    """A vehicle's identity: the VIN added to a vehicle registered by its plate alone, or a
    typo corrected."""

    vin = forms.CharField(
        label=_("VIN"),
        max_length=20,
        required=False,
        help_text=_("17 characters; letters I, O and Q are not used."),
    )
    plate = forms.CharField(label=_("Plate"), max_length=20, required=False)
    model = forms.CharField(label=_("Model"), max_length=100, required=False)
    mileage = forms.IntegerField(
        label=_("Mileage (km)"), required=False, min_value=0, max_value=2_147_483_647
    )

    def clean_vin(self) -> str:
        vin = normalize_vin(self.cleaned_data.get("vin") or "")
        if vin:
            validate_vin(vin)
        return vin


class RepairOrderForm(forms.Form):
    vehicle = forms.TypedChoiceField(label=_("Vehicle"), coerce=int, choices=())
    number = forms.CharField(label=_("Repair order number"), max_length=64)
    opened_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    mileage = forms.IntegerField(
        label=_("Mileage (km)"), required=False, min_value=0, max_value=2_147_483_647
    )
    work_summary = forms.CharField(
        label=_("Work done"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, vehicles: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["vehicle"])
        field.choices = [
            (
                vehicle.pk,
                " · ".join(str(v) for v in (vehicle.plate, vehicle.model, vehicle.vin) if v),
            )
            for vehicle in vehicles
        ]
