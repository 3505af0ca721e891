"""The period figures are computed for: whole days in the dealer's time zone."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ValidationFailed

DEFAULT_DAYS = 30
MAX_DAYS = 731
GRANULARITIES = ("week", "month")


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included, as the dealer's calendar reads them."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one (for comparison)."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def bounds(self, tz: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
        """The instants [from, until) the period covers in a time zone: local midnights."""
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )


def default_period(tz: zoneinfo.ZoneInfo) -> Period:
    today = timezone.localdate(timezone=tz)
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)


def parse_period(params: Mapping[str, Any], tz: zoneinfo.ZoneInfo) -> tuple[Period, str]:
    """The period and trend granularity asked for (`start`, `end`, `by`), or a
    ValidationFailed naming the bad field."""
    fallback = default_period(tz)
    errors: dict[str, list[str]] = {}
    start = _date(params.get("start"), fallback.start, "start", errors)
    end = _date(params.get("end"), fallback.end, "end", errors)
    by = params.get("by") or ""
    if by and by not in GRANULARITIES:
        errors["by"] = [_("Choose week or month.")]
    if not errors and start > end:
        errors["end"] = [_("The end of the period lies before its start.")]
    if not errors and (end - start).days + 1 > MAX_DAYS:
        errors["end"] = [_("A period covers at most two years.")]
    if errors:
        raise ValidationFailed(errors)
    period = Period(start, end)
    if not by:
        by = "week" if period.days <= 92 else "month"
    return period, by


def _date(value: Any, fallback: date, name: str, errors: dict[str, list[str]]) -> date:
    if value in (None, ""):
        return fallback
    text = str(value)
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = [_("Enter a date as YYYY-MM-DD.")]
        return fallback
