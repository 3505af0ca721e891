"""The building blocks of the demo's case specs: the paths through the method, and the
payloads of its steps."""

from __future__ import annotations

from typing import Any

# Step 6 turns on what the customer said in a logged follow-up contact (its note is the
# spec's `follow_up`, or `reopen_reason` for a customer still dissatisfied).
SATISFIED = ("contact", {"outcome": "satisfied"})
DISSATISFIED = ("contact", {"outcome": "dissatisfied"})

LISTENING = ["start_listening"]
INVESTIGATING = [*LISTENING, "start_investigation"]
ASSESSING = [*INVESTIGATING, "record_findings"]
RESOLVING = [*ASSESSING, "decide"]
FOLLOWING_UP = [*RESOLVING, "complete_action"]
REVIEWING = [*FOLLOWING_UP, SATISFIED, "confirm_resolved"]
CLOSED = [*REVIEWING, "close"]


def approved(path: list[Any]) -> list[Any]:
    """The same path, but the decision goes to a manager for approval first."""
    result: list[Any] = []
    for step in path:
        result.extend(["submit_for_approval", "approve"] if step == "decide" else [step])
    return result


AWAITING_APPROVAL = [*ASSESSING, "submit_for_approval"]


def findings(fault_finding: str, root_cause: str) -> dict[str, str]:
    return {"fault_finding": fault_finding, "root_cause": root_cause}


def decision(
    responsibility: str,
    reason: str,
    options: list[str],
    *,
    chosen: int = 0,
    severity: str = "normal",
    serious: tuple[str, ...] = (),
    amount: str = "0",
    evidence: str = "",
) -> dict[str, Any]:
    return {
        "severity": severity,
        "serious_reasons": list(serious),
        "responsibility": responsibility,
        "responsibility_reason": reason,
        "responsibility_evidence": evidence,
        "resolution_options": options,
        "chosen_resolution": options[chosen],
        "compensation_amount": amount,
    }


def action(agreed_resolution: str, actions_taken: str) -> dict[str, str]:
    return {"agreed_resolution": agreed_resolution, "actions_taken": actions_taken}


def review(why: str, handling: str, prevention: str) -> dict[str, str]:
    return {"review_why": why, "review_handling": handling, "review_prevention": prevention}
