"""The case library shows cases without the customer: names, phones, e-mails, plates and
VINs are masked in every field and every free text (dealers.services.mask)."""

from __future__ import annotations

import re
from typing import Any

from dealers.services import mask

# What personal data looks like in free text, whoever it belongs to: a mainland mobile or
# landline number, an e-mail address, a VIN (17 characters, no I, O or Q) and a Chinese
# plate (province character, letter, five or six letters and digits).
_PATTERNS = (
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),
    re.compile(r"(?<![A-Za-z0-9])[A-HJ-NPR-Z0-9]{17}(?![A-Za-z0-9])", re.IGNORECASE),
    re.compile(r"[\u4e00-\u9fff][A-Z][·\s-]?[A-Z0-9]{5,6}"),
    re.compile(r"(?<!\d)(\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)"),
    re.compile(r"(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)"),
)


def personal_values(complaint: Any) -> list[str]:
    """The case's own customer's and vehicle's personal values, longest first."""
    values: list[str] = []
    customer = complaint.customer
    for name in ("name", "phone", "email", "dms_id"):
        value = getattr(customer, name, "") or ""
        if value:
            values.append(str(value))
    vehicle = complaint.vehicle
    if vehicle is not None:
        values += [str(v) for v in (vehicle.vin, vehicle.plate) if v]
    return sorted(set(values), key=len, reverse=True)


def mask_text(text: str, known: list[str]) -> str:
    """Free text with the known personal values, and anything that looks personal, masked."""
    if not text:
        return text
    for value in known:
        text = re.sub(re.escape(value), str(mask(value)), text, flags=re.IGNORECASE)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: str(mask(m.group(0))), text)
    return text


def masked_case(complaint: Any) -> dict[str, Any]:
    """What the library shows of a case: its facts, and every text masked."""
    known = personal_values(complaint)
    texts = {
        name: mask_text(getattr(complaint, name) or "", known)
        for name in (
            "description",
            "customer_request",
            "root_cause",
            "responsibility_evidence",
            "chosen_resolution",
            "agreed_resolution",
            "actions_taken",
            "review_why",
            "review_handling",
            "review_prevention",
        )
    }
    vehicle = complaint.vehicle
    return {
        **texts,
        "reference": complaint.reference,
        "customer": mask(complaint.customer.name),
        "vehicle_model": vehicle.model if vehicle is not None else "",
        "vin": mask(vehicle.vin) if vehicle is not None else "",
        "plate": mask(vehicle.plate) if vehicle is not None else "",
        "category": complaint.get_category_display(),
        "component": complaint.get_component_display(),
        "severity": complaint.get_severity_display(),
        "responsibility": complaint.get_responsibility_display(),
        "channel": complaint.get_channel_display(),
        "is_safety_related": complaint.is_safety_related,
        "created_at": complaint.created_at,
        "closed_at": complaint.closed_at,
    }
