"""Quiet hours: a message is not sent to a customer at night (by default 21:00–08:00 in
the dealer's time zone); one written then waits until they end."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def quiet_hours_end(
    *, at: datetime, tzinfo: ZoneInfo, quiet_from: time, quiet_until: time
) -> datetime | None:
    """When the quiet hours that `at` falls in end; None when `at` is outside them."""
    if quiet_from == quiet_until:
        return None
    local = at.astimezone(tzinfo)
    now = local.time()
    if quiet_from < quiet_until:
        quiet = quiet_from <= now < quiet_until
    else:
        # Over midnight, the usual case: 21:00 until 08:00 the next morning.
        quiet = now >= quiet_from or now < quiet_until
    if not quiet:
        return None
    day = local.date() if now < quiet_until else local.date() + timedelta(days=1)
    return datetime.combine(day, quiet_until, tzinfo=tzinfo)
