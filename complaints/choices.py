"""The vocabulary of a case. Values are stable: the API and the DMS rely on them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    LISTENING = "listening", _("Listening")
    INVESTIGATING = "investigating", _("Investigating")
    ASSESSING = "assessing", _("Assessing")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    RESOLVING = "resolving", _("Resolving")
    FOLLOWING_UP = "following_up", _("Following up")
    REVIEWING = "reviewing", _("Reviewing")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATES = frozenset(State.values) - {State.CLOSED, State.WITHDRAWN}

# Which of the seven steps (投诉应对7步法) each state belongs to, for progress display.
STEP_OF_STATE: dict[str, int | None] = {
    State.RECEIVED: 1,
    State.LISTENING: 2,
    State.INVESTIGATING: 3,
    State.ASSESSING: 4,
    State.AWAITING_APPROVAL: 4,
    State.RESOLVING: 5,
    State.FOLLOWING_UP: 6,
    State.REVIEWING: 7,
    State.CLOSED: 7,
    State.WITHDRAWN: None,
}
STEPS = [
    (1, _("Accept the complaint")),
    (2, _("Listen")),
    (3, _("Find the facts and root cause")),
    (4, _("Reassess and decide")),
    (5, _("Explain, agree, act")),
    (6, _("Follow up")),
    (7, _("Review and prevent")),
]


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Website or app")
    SOCIAL = "social", _("Social media")
    LETTER = "letter", _("Letter")
    OEM_HOTLINE = "oem_hotline", _("Manufacturer hotline")


class Category(models.TextChoices):
    PRODUCT_QUALITY = "product_quality", _("Product quality")
    WORKMANSHIP = "workmanship", _("Repair workmanship")
    ATTITUDE = "attitude", _("Service attitude")
    WAITING_TIME = "waiting_time", _("Waiting time")
    BILLING = "billing", _("Price and billing")
    PARTS = "parts", _("Parts")
    SALES = "sales", _("Sales")
    INSURANCE_CLAIM = "insurance_claim", _("Insurance claim")
    OTHER = "other", _("Other")


class Component(models.TextChoices):
    BRAKES = "brakes", _("Brakes")
    STEERING = "steering", _("Steering")
    SUSPENSION = "suspension", _("Suspension")
    AIRBAGS_RESTRAINTS = "airbags_restraints", _("Airbags and restraints")
    TIRES_WHEELS = "tires_wheels", _("Tires and wheels")
    ENGINE = "engine", _("Engine")
    TRANSMISSION = "transmission", _("Transmission")
    FUEL_SYSTEM = "fuel_system", _("Fuel system")
    ELECTRICAL = "electrical", _("Electrical")
    LIGHTING = "lighting", _("Lighting")
    BODY_PAINT = "body_paint", _("Body and paint")
    HVAC = "hvac", _("Heating and air conditioning")
    INFOTAINMENT = "infotainment", _("Infotainment")
    OTHER = "other", pgettext_lazy("component", "Other")
    NONE = "none", _("No vehicle component")


# Components whose failure touches an important safety function: intake proposes
# `is_safety_related` for them and the advisor confirms (step 4, serious complaint (a)).
SAFETY_COMPONENTS = frozenset(
    {
        Component.BRAKES,
        Component.STEERING,
        Component.AIRBAGS_RESTRAINTS,
        Component.TIRES_WHEELS,
        Component.FUEL_SYSTEM,
    }
)


class Severity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    SERIOUS = "serious", _("Serious")


class SeriousReason(models.TextChoices):
    SAFETY_FUNCTION = "safety_function", _("Quality problem affecting a safety function")
    INJURY_OR_MAJOR_DAMAGE = "injury_or_major_damage", _("Injury or major vehicle damage")
    THIRD_PARTY = "third_party", _("Third party involved (authorities, media, litigation)")


class FaultFinding(models.TextChoices):
    FAULT = "fault", _("A fault exists")
    NO_FAULT = "no_fault", _("No fault")
    UNCLEAR = "unclear", _("Unclear whether there is a fault")


class Responsibility(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    DEALER = "dealer", _("Dealer")
    MANUFACTURER = "manufacturer", _("Manufacturer")
    UNDETERMINED = "undetermined", _("Undetermined")


class ResponsibilityReason(models.TextChoices):
    NO_MAINTENANCE = "no_maintenance", _("No maintenance")
    IMPROPER_USE = "improper_use", _("Improper use")
    MISOPERATION = "misoperation", _("Misoperation")
    INSUFFICIENT_EXPLANATION = (
        "insufficient_explanation",
        _("Insufficient explanation, inspection or diagnosis"),
    )
    MISDIAGNOSIS = "misdiagnosis", _("Misdiagnosis")
    FAULTY_REPAIR = "faulty_repair", _("Faulty maintenance or repair")
    DESIGN = "design", _("Design problem")
    PRODUCT_DEFECT = "product_defect", _("Product defect")
    INSUFFICIENT_INSTRUCTIONS = (
        "insufficient_instructions",
        _("Insufficient instructions or disclosure"),
    )


REASONS_BY_RESPONSIBILITY = {
    Responsibility.CUSTOMER: {
        ResponsibilityReason.NO_MAINTENANCE,
        ResponsibilityReason.IMPROPER_USE,
        ResponsibilityReason.MISOPERATION,
    },
    Responsibility.DEALER: {
        ResponsibilityReason.INSUFFICIENT_EXPLANATION,
        ResponsibilityReason.MISDIAGNOSIS,
        ResponsibilityReason.FAULTY_REPAIR,
    },
    Responsibility.MANUFACTURER: {
        ResponsibilityReason.DESIGN,
        ResponsibilityReason.PRODUCT_DEFECT,
        ResponsibilityReason.INSUFFICIENT_INSTRUCTIONS,
    },
    Responsibility.UNDETERMINED: set(),
}


class FollowUpOutcome(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    UNREACHABLE = "unreachable", _("Unreachable")


class EventKind(models.TextChoices):
    CREATED = "created", _("Case received")
    TRANSITION = "transition", _("Step change")
    UPDATE = "update", _("Fields changed")
    NOTE = "note", _("Note")
    REASSIGNMENT = "reassignment", _("Reassigned")
    ESCALATION = "escalation", _("Escalated")
    CONTACT = "contact", _("Customer contact")
    COMMITMENT = "commitment", _("Promise to the customer")
    DEADLINE = "deadline", _("Deadline")
    LEARNING = "learning", _("Learning from the case")
