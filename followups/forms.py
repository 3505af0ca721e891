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
from dealers.models import ContactChannel

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


# One-click promises of step 1: concrete and recorded (程序上多承诺), in minutes.
PROMISES = [
    ("callback_20m", _("Call back within 20 minutes"), 20),
    ("callback_2h", _("Call back within 2 hours"), 120),
    ("feedback_24h", _("Feedback within 24 hours"), 24 * 60),
    ("feedback_2d", _("Feedback within 2 days"), 2 * 24 * 60),
]
PROMISE_MINUTES = {key: minutes for key, _label, minutes in PROMISES}


class ContactForm(forms.Form):
    """A follow-up contact with the customer (step 6) and what they said."""

    channel = forms.ChoiceField(
        label=_("Channel"), choices=ContactChannel.choices, initial=ContactChannel.PHONE
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUpOutcome.choices)
    note = forms.CharField(
        label=_("What the customer said"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )


class PromiseForm(forms.Form):
    promise = forms.ChoiceField(
        label=_("Promise"), choices=[(key, label) for key, label, _minutes in PROMISES]
    )
