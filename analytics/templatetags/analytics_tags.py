from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def cell(value: Any) -> str:
    """A table cell as the page prints it; the exports hold the same number."""
    if value is None or value == "":
        return "—" if value is None else ""
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


@register.filter
def kpi(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "percent":
        return f"{value * 100:.1f} %"
    if unit == "hours":
        return f"{value:.1f} h"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
