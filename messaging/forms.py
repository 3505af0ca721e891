from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import MessageChannel, MessageLanguage, MessagePurpose
from .rendering import FIELDS, MAX_BODY_LENGTH


class MessageForm(forms.Form):
    """A message to the customer from the case page: which one, in which language, how."""

    purpose = forms.ChoiceField(label=_("Message"), choices=MessagePurpose.choices)
    language = forms.ChoiceField(label=_("Language"), choices=MessageLanguage.choices)
    channel = forms.ChoiceField(label=_("Send by"), choices=MessageChannel.choices)


def placeholder_help() -> str:
    return ", ".join(f"{{{name}}} {field.label}" for name, field in FIELDS.items())


class MessageTemplateForm(forms.Form):
    subject = forms.CharField(label=_("E-mail subject"), required=False, max_length=200)
    body = forms.CharField(
        label=_("Text"),
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QuietHoursForm(forms.Form):
    quiet_from = forms.TimeField(
        label=_("Quiet hours from"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_until = forms.TimeField(
        label=_("Quiet hours until"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("In the dealer's time zone; the same time twice means no quiet hours."),
    )
