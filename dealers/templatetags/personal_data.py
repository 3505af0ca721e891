"""Personal data as lists show it: enough to recognise a customer, not to copy their number.

The case page and the customer's data page show the number whole; every list of cases or
customers shows it through `masked_phone`. (The audit log keeps a keyed digest instead:
`dealers.services.mask`.)
"""

from __future__ import annotations

from django import template

register = template.Library()

# 139****2007: the carrier prefix and the last four digits, as Chinese service desks print.
KEEP_START = 3
KEEP_END = 4


@register.filter
def masked_phone(value: object) -> str:
    phone = "" if value is None else str(value)
    if not phone:
        return ""
    if len(phone) > KEEP_START + KEEP_END:
        hidden = len(phone) - KEEP_START - KEEP_END
        return phone[:KEEP_START] + "*" * hidden + phone[-KEEP_END:]
    # A short number (an extension, a typo) still hides all but its last two characters.
    return "*" * max(len(phone) - 2, 1) + phone[-2:] if len(phone) > 2 else "*" * len(phone)
