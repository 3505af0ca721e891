"""Forms of the browser application. Transition forms are the payload forms of
`complaints.payloads`; these cover what has no payload: intake, lists, hand-over."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from dealers.models import ContactChannel
from dealers.validators import normalize_vin, validate_vin
from followups.forms import PROMISES, DealerTimeForm, LocalDateTimeField, check_promise_words

from .choices import (
    INTAKE_SERIOUS_REASONS,
    SAFETY_COMPONENTS,
    STEPS,
    Category,
    Channel,
    Component,
    Severity,
)
from .models import SUPPLIER_MAX_LENGTH


class IntakeForm(DealerTimeForm):
    """Step 1 at the reception desk: who complains, about what, in their own words.

    The form only reads the input; which customer and vehicle it names, and what is refused,
    is decided by `complaints.intake.complaint_intake`, as for the API. Times are typed in
    the dealer's time zone."""

    zone_fields = ("promise_due_at",)

    pick = forms.CharField(required=False, widget=forms.HiddenInput)
    # A new customer (and vehicle), created inline when no existing customer is picked.
    new_name = forms.CharField(label=_("Customer name"), max_length=200, required=False)
    new_phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    new_email = forms.EmailField(label=_("E-mail"), required=False)
    new_preferred_channel = forms.ChoiceField(
        label=_("Preferred contact channel"),
        choices=ContactChannel.choices,
        initial=ContactChannel.PHONE,
        required=False,
    )
    new_dms_id = forms.CharField(
        label=_("DMS id"),
        max_length=64,
        required=False,
        help_text=_("The customer's id in the dealer management system, if known."),
    )
    vin = forms.CharField(
        label=_("VIN"),
        max_length=20,
        required=False,
        help_text=_("17 characters; letters I, O and Q are not used."),
    )
    model = forms.CharField(label=_("Model"), max_length=100, required=False)
    plate = forms.CharField(
        label=_("Plate"),
        max_length=20,
        required=False,
        help_text=_(
            "Without a VIN, the plate finds the vehicle, or records it until the VIN is known."
        ),
    )

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    component = forms.ChoiceField(
        label=_("Vehicle component concerned"), choices=Component.choices, initial=Component.NONE
    )
    is_safety_related = forms.BooleanField(
        label=_("Safety-related"),
        required=False,
        help_text=_("Proposed for brakes, steering, airbags, tires and fuel system: confirm it."),
    )
    description = forms.CharField(
        label=_("Description in the customer's words"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
    )
    customer_request = forms.CharField(
        label=_("Customer's request"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )
    # The green channel (绿色通道): a case serious from the first minute alerts the managers
    # and the region at once instead of waiting for step 4.
    serious_reasons = forms.MultipleChoiceField(
        label=_("Serious or urgent: why"),
        required=False,
        choices=[(reason.value, reason.label) for reason in INTAKE_SERIOUS_REASONS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick any that applies: the case is marked serious and the managers and the "
            "region are alerted at once."
        ),
    )
    serious_note = forms.CharField(
        label=_("What makes it serious"),
        required=False,
        max_length=1000,
        help_text=_("Needed for “other”; e.g. the name of the newspaper or authority."),
    )
    promises = forms.MultipleChoiceField(
        label=_("Promises made to the customer"),
        required=False,
        choices=[(key, label) for key, label, _minutes in PROMISES],
        widget=forms.CheckboxSelectMultiple,
    )
    # A promise in the customer's own words and time ("parts arrive Friday 10:00").
    promise_words = forms.CharField(
        label=_("Another promise, in your own words"),
        required=False,
        max_length=5000,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Call back within 30 minutes")}),
    )
    promise_due_at = LocalDateTimeField(label=_("Due by"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["component"].widget.attrs["data-safety-components"] = " ".join(
            sorted(SAFETY_COMPONENTS)
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        check_promise_words(self, "promise_words", "promise_due_at")
        return data

    def clean_pick(self) -> tuple[int | None, int | None]:
        """The picked search result "customer id:vehicle id" as (customer id, vehicle id)."""
        raw = (self.cleaned_data.get("pick") or "").strip()
        if not raw:
            return None, None
        customer_id, _sep, vehicle_id = raw.partition(":")
        try:
            return int(customer_id), int(vehicle_id) if vehicle_id.strip() else None
        except ValueError:
            raise forms.ValidationError(_("Pick the customer again."), code="bad_pick") from None

    def picked_ids(self) -> tuple[int | None, int | None]:
        """(customer id, vehicle id) of the picked search result, None where none."""
        return self.cleaned_data.get("pick") or (None, None)

    def clean_vin(self) -> str:
        vin = (self.cleaned_data.get("vin") or "").strip()
        if not vin:
            return ""
        vin = normalize_vin(vin)
        validate_vin(vin)
        return vin


class CaseFilterForm(forms.Form):
    """Filters of the cases list; every field optional, bad values simply ignored."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "placeholder": _(
                    "Reference, customer, phone, plate, VIN or words of the complaint"
                ),
                "type": "search",
            }
        ),
    )
    step = forms.TypedChoiceField(
        label=_("Step"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All steps")), *STEPS],
    )
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", _("Any severity")), *Severity.choices]
    )
    safety = forms.BooleanField(label=_("Safety-related only"), required=False)
    mine = forms.BooleanField(label=_("Only my cases"), required=False)
    closed = forms.BooleanField(label=_("Include closed cases"), required=False)


class ReassignForm(forms.Form):
    assignee: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("New owner"), queryset=None
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = staff


class SupplierForm(forms.Form):
    """Hand the work to an outside supplier (外包供应商), or take it back."""

    supplier = forms.CharField(
        label=_("Outside supplier"),
        required=False,
        max_length=SUPPLIER_MAX_LENGTH,
        help_text=_(
            "A body shop, a glass or tyre specialist, the maker's engineer… "
            "Leave empty when the work comes back to the dealer."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does the case need a manager?"), widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(forms.Form):
    comment = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))
