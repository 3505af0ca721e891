"""Template helpers of the browser application: styled form widgets, badges, countdowns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms, template
from django.forms.widgets import Input
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()

_CONTROL = (forms.TextInput, forms.Textarea, forms.NumberInput, forms.EmailInput)


@register.simple_tag
def control(bound_field: forms.BoundField, **attrs: Any) -> str:
    """The field's widget with Bootstrap classes and accessible error wiring."""
    widget = bound_field.field.widget
    classes = []
    if isinstance(widget, forms.CheckboxInput):
        classes.append("form-check-input")
    elif isinstance(widget, forms.Select) and not isinstance(
        widget, forms.RadioSelect | forms.CheckboxSelectMultiple
    ):
        classes.append("form-select")
    elif isinstance(widget, _CONTROL) or (
        isinstance(widget, Input)
        and widget.input_type not in ("checkbox", "radio", "hidden", "file")
    ):
        classes.append("form-control")
    extra: dict[str, str | bool] = {}
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_help")
    if bound_field.errors:
        classes.append("is-invalid")
        extra["aria-invalid"] = "true"
        described.append(f"{bound_field.auto_id}_error")
    if described:
        extra["aria-describedby"] = " ".join(described)
    if attrs.get("class"):
        classes.append(attrs.pop("class"))
    extra["class"] = " ".join(classes)
    extra.update(attrs)
    return bound_field.as_widget(attrs=extra)


@register.filter
def is_choice_list(bound_field: forms.BoundField) -> bool:
    return isinstance(bound_field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)


@register.filter
def is_checkbox(bound_field: forms.BoundField) -> bool:
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


@register.filter
def countdown(due: datetime | None) -> str:
    """ "in 1 h 20 min" or "3 h 5 min overdue", short enough for a table cell."""
    if not due:
        return ""
    seconds = int((due - timezone.now()).total_seconds())
    overdue = seconds < 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    elif hours:
        text = _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    else:
        text = _("%(m)d min") % {"m": minutes}
    if overdue:
        return _("%(time)s overdue") % {"time": text}
    return _("in %(time)s") % {"time": text}


@register.filter
def hours(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 48:
        return _("%(n).1f h") % {"n": value}
    return _("%(n).1f d") % {"n": value / 24}
