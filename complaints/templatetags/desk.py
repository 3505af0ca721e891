"""Template helpers of the browser application: styled form widgets, badges, countdowns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms, template
from django.forms.widgets import Input
from django.utils import timezone
from django.utils.html import format_html
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


def countdown_text(seconds: int) -> str:
    """ "in 1 h 20 min" or "3 h 5 min overdue", short enough for a table cell. The page's
    script (static/js/countdown.js) says the same with the same words as the time passes."""
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
def countdown(due: datetime | None) -> str:
    """The remaining time to `due` as an element that keeps ticking in the browser: it
    carries the due time and the server's clock, machine-readable, for the page's script."""
    if not due:
        return ""
    now = timezone.now()
    return format_html(
        '<span class="countdown{}" data-due="{}" data-now="{}">{}</span>',
        " is-breached" if due <= now else "",
        due.isoformat(timespec="milliseconds"),
        now.isoformat(timespec="milliseconds"),
        countdown_text(int((due - now).total_seconds())),
    )


@register.filter
def hours(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 48:
        return _("%(n).1f h") % {"n": value}
    return _("%(n).1f d") % {"n": value / 24}
