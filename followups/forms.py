"""Forms of the follow-up pages: a contact with the customer, a promise, a promised repair
date, and a dealer's time limits."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaints.choices import FollowUpOutcome
from core.text import MAX_TEXT_LENGTH
from dealers.models import ContactChannel

from .choices import PROMISE_MINUTES, PromiseCode
from .rules import Limit

LIMIT_FIELDS = ("hours", "safety_hours", "remind_before_hours")


class RepairPromiseForm(forms.Form):
    """When the repair will be finished, as promised to the customer."""

    due_at = forms.DateTimeField(
        label=_("Promised repair completion"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(
        self, *args: Any, tzinfo: tzinfo, current: datetime | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.tzinfo = tzinfo
        self.fields["due_at"].help_text = gettext(
            "Date and time in the dealer's time zone (%(zone)s)."
        ) % {"zone": getattr(tzinfo, "key", str(tzinfo))}
        if current is not None and not self.is_bound:
            # Shown as the dealer's wall-clock time, whichever zone the page renders in.
            self.initial["due_at"] = timezone.localtime(current, tzinfo).replace(tzinfo=None)

    def full_clean(self) -> None:
        # The input carries no zone: staff type the dealer's local time, not the server's.
        with timezone.override(self.tzinfo):
            super().full_clean()


class DeadlineRuleForm(forms.Form):
    """A dealer's own limits for one kind of deadline; an empty field means the default."""

    hours = forms.IntegerField(label=_("Hours allowed"), required=False, min_value=1)
    safety_hours = forms.IntegerField(
        label=_("Hours when safety-related"), required=False, min_value=1
    )
    remind_before_hours = forms.IntegerField(
        label=_("Reminder, hours before"), required=False, min_value=1
    )

    def __init__(self, *args: Any, kind: str, default: Limit, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", kind)
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name in LIMIT_FIELDS:
            value = getattr(default, name)
            if value is None:
                del self.fields[name]
            else:
                self.fields[name].widget.attrs["placeholder"] = str(value)

    def limits(self) -> dict[str, int | None]:
        """The cleaned limits, by the names the service takes."""
        return {name: self.cleaned_data.get(name) for name in self.fields}


# One-click promises of step 1: concrete and recorded (程序上多承诺), in minutes; stored as
# their code (followups.choices.PromiseCode).
PROMISES = [(code, label, PROMISE_MINUTES[code]) for code, label in PromiseCode.choices]


class LocalDateTimeField(forms.DateTimeField):
    """A date and time typed as the dealer's wall-clock time (the form says which zone)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DealerTimeForm(forms.Form):
    """A form whose date-time fields are typed in the dealer's time zone, not the server's."""

    zone_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, tzinfo: tzinfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tzinfo = tzinfo
        for name in self.zone_fields:
            self.fields[name].help_text = gettext(
                "Date and time in the dealer's time zone (%(zone)s)."
            ) % {"zone": getattr(tzinfo, "key", str(tzinfo))}

    def full_clean(self) -> None:
        # The input carries no zone: staff type the dealer's local time, not the server's.
        with timezone.override(self.tzinfo):
            super().full_clean()


class ContactForm(forms.Form):
    """A follow-up contact with the customer (step 6) and what they said. The outcome has no
    default: a call logged without thinking must not say the customer is satisfied."""

    channel = forms.ChoiceField(
        label=_("Channel"), choices=ContactChannel.choices, initial=ContactChannel.PHONE
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("— choose what came of it —")), *FollowUpOutcome.choices],
        error_messages={"required": _("Choose what came of the contact.")},
    )
    note = forms.CharField(
        label=_("What the customer said"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )


class PromiseForm(DealerTimeForm):
    """A promise to the customer: a quick one, or the customer's own words and time. The
    fields are named as the service's arguments, so its refusals land next to them."""

    zone_fields = ("due_at",)

    code = forms.ChoiceField(
        label=_("Quick promise"),
        required=False,
        choices=[("", _("— or write your own below —")), *PromiseCode.choices],
    )
    promise = forms.CharField(
        label=_("What was promised, in your own words"),
        required=False,
        max_length=MAX_TEXT_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. The parts arrive Friday at 10:00")}),
    )
    due_at = LocalDateTimeField(label=_("Due by"), required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        if data.get("code"):
            if data.get("promise"):
                self.add_error(
                    "promise", _("Pick a quick promise or write your own words, not both.")
                )
            elif data.get("due_at"):
                self.add_error(
                    "due_at",
                    _(
                        "A quick promise is due when it says: leave the time empty, or write "
                        "your own words."
                    ),
                )
        elif not data.get("promise") and not data.get("due_at"):
            self.add_error(
                "code", _("Pick a quick promise, or write down what was promised and when.")
            )
        else:
            check_promise_words(self, "promise", "due_at")
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """The promise as the service takes it."""
        data = self.cleaned_data
        if data.get("code"):
            return {"code": data["code"]}
        return {"promise": data["promise"], "due_at": data["due_at"]}


def check_promise_words(form: forms.Form, words: str, due_at: str) -> None:
    """Words promised go with the time they are due, and a time with its words: say which
    of the two is missing."""
    data = form.cleaned_data
    if data.get(words) and not data.get(due_at) and due_at not in form.errors:
        form.add_error(due_at, _("Say when it is due."))
    elif data.get(due_at) and not data.get(words) and words not in form.errors:
        form.add_error(words, _("Write down what was promised."))
