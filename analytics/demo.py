"""Six months of past cases per demo dealer, so that analytics shows real shapes.

The story cases of `complaints.demo` are recorded through the services today, so all their
times are minutes apart. The history written here is what those services would have left
behind over the last six months: each case with its timeline events, its deadlines (first
response, follow-up; some missed), its follow-up contacts, a decision, goodwill where the
dealer was at fault, reopened and repeat cases, and for closed cases a review with a
root-cause category and corrective actions checked at their due date; plus the repair
orders the DMS sent. It is written in bulk, with the times it would have had.

Deterministic (a fixed random seed) and idempotent: a dealer that has history keeps it.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from complaints.choices import (
    SAFETY_COMPONENTS,
    Category,
    Channel,
    Component,
    EventKind,
    FaultFinding,
    Responsibility,
    Severity,
    State,
)
from complaints.models import CaseEvent, Complaint
from complaints.stored_facts import fill_stored_facts
from core.demo import SeedContext
from core.scoping import unscoped
from dealers.demo.seed import demo_vin
from dealers.models import Customer, Dealer, RepairOrder, Vehicle
from followups.choices import DeadlineKind
from followups.models import ContactAttempt, Deadline
from learning.choices import ActionState, CauseLiesWith, CheckResult, DefaultRootCause
from learning.models import CaseReview, CorrectiveAction, RootCauseCategory
from learning.services import root_causes_ensure

HISTORY_DAYS = 182
CASES_PER_DEALER = {"SH01": 260, "GZ02": 190}
DEFAULT_CASES = 150
# Complaints per repair order: about 2 %, a realistic figure for a busy service hall.
REPAIR_ORDERS_PER_CASE = 50
REFERENCE = "{code}-H-{n:05d}"

CHANNELS = [
    (Channel.PHONE, 34),
    (Channel.WALK_IN, 26),
    (Channel.OEM_HOTLINE, 12),
    (Channel.WEB, 10),
    (Channel.EMAIL, 8),
    (Channel.SOCIAL, 8),
    (Channel.LETTER, 2),
]
CATEGORIES = [
    (Category.WORKMANSHIP, 26),
    (Category.WAITING_TIME, 17),
    (Category.PRODUCT_QUALITY, 15),
    (Category.BILLING, 12),
    (Category.ATTITUDE, 10),
    (Category.PARTS, 9),
    (Category.INSURANCE_CLAIM, 5),
    (Category.SALES, 3),
    (Category.OTHER, 3),
]
COMPONENTS = [
    (Component.BRAKES, 14),
    (Component.ENGINE, 12),
    (Component.ELECTRICAL, 11),
    (Component.BODY_PAINT, 10),
    (Component.HVAC, 8),
    (Component.TRANSMISSION, 7),
    (Component.SUSPENSION, 6),
    (Component.TIRES_WHEELS, 6),
    (Component.INFOTAINMENT, 6),
    (Component.LIGHTING, 4),
    (Component.STEERING, 3),
    (Component.AIRBAGS_RESTRAINTS, 1),
]
AFTER_FOLLOW_UP = (State.FOLLOWING_UP, State.REVIEWING, State.CLOSED)
VEHICLE_CATEGORIES = {Category.WORKMANSHIP, Category.PRODUCT_QUALITY, Category.PARTS}
RESPONSIBILITIES = [
    (Responsibility.DEALER, 45),
    (Responsibility.MANUFACTURER, 25),
    (Responsibility.CUSTOMER, 20),
    (Responsibility.UNDETERMINED, 10),
]
ROOT_CAUSES: dict[str, list[tuple[str, int]]] = {
    Responsibility.DEALER: [
        (DefaultRootCause.WORKMANSHIP, 40),
        (DefaultRootCause.DIAGNOSIS, 25),
        (DefaultRootCause.COMMUNICATION, 20),
        (DefaultRootCause.PROCESS, 15),
    ],
    Responsibility.MANUFACTURER: [
        (DefaultRootCause.PRODUCT_DEFECT, 75),
        (DefaultRootCause.PARTS_SUPPLY, 25),
    ],
    Responsibility.CUSTOMER: [
        (DefaultRootCause.CUSTOMER_USE, 80),
        (DefaultRootCause.COMMUNICATION, 20),
    ],
    Responsibility.UNDETERMINED: [(DefaultRootCause.OTHER, 60), (DefaultRootCause.PROCESS, 40)],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "霞",
    "平",
    "刚",
]
MODELS = ["卡罗拉", "凯美瑞", "RAV4荣放", "汉兰达", "雷凌", "亚洲龙", "威兰达"]


@unscoped("demo")
def seed_history(ctx: SeedContext) -> None:
    """The step of `seed_demo`: six months of history for each demo dealer."""
    dealers: dict[str, Dealer] = getattr(ctx, "dealers", {})
    staff: dict[str, dict[str, Any]] = getattr(ctx, "staff", {})
    for code, dealer in sorted(dealers.items()):
        if Complaint.objects.filter(dealer=dealer, reference__startswith=f"{code}-H-").exists():
            continue
        count = CASES_PER_DEALER.get(code, DEFAULT_CASES)
        with transaction.atomic():
            History(dealer, staff[code], random.Random(f"history-{code}")).write(count)  # noqa: S311 - demo data, not security
        ctx.created[gettext_noop("history cases")] += count


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _lognormal_hours(rng: random.Random, median: float, spread: float) -> float:
    return median * math.exp(rng.gauss(0, spread))


class History:
    def __init__(self, dealer: Dealer, staff: dict[str, Any], rng: random.Random) -> None:
        self.dealer = dealer
        self.staff = staff
        self.rng = rng
        self.now = timezone.now()
        self.events: list[CaseEvent] = []
        self.deadlines: list[Deadline] = []
        self.contacts: list[ContactAttempt] = []
        self.created: list[tuple[int, datetime]] = []

    # --- people and vehicles ----------------------------------------------------------
    def _customers(self, count: int) -> list[tuple[Customer, Vehicle]]:
        code = self.dealer.code
        customers = Customer.objects.bulk_create(
            [
                Customer(
                    dealer=self.dealer,
                    dms_id=f"H-{code}-{n:04d}",
                    name=self.rng.choice(SURNAMES) + "".join(self.rng.sample(GIVEN, 2)),
                    phone=f"139{self.rng.randrange(10**8):08d}",
                    preferred_channel="phone",
                )
                for n in range(count)
            ]
        )
        vehicles = Vehicle.objects.bulk_create(
            [
                Vehicle(
                    dealer=self.dealer,
                    owner=customer,
                    vin=demo_vin("LHSTRYAB", f"{code[:2]}{n:06d}"),
                    model=self.rng.choice(MODELS),
                    mileage=self.rng.randint(3_000, 150_000),
                )
                for n, customer in enumerate(customers)
            ]
        )
        return list(zip(customers, vehicles, strict=True))

    # --- the cases --------------------------------------------------------------------
    def write(self, count: int) -> None:
        people = self._customers(int(count * 0.9))
        received = sorted(
            self.now - timedelta(days=HISTORY_DAYS * self.rng.random() ** 0.9)
            for _n in range(count)
        )
        recent: list[tuple[datetime, Customer, Vehicle]] = []
        complaints: list[tuple[Complaint, dict[str, Any]]] = []
        for n, at in enumerate(received):
            repeats = [r for r in recent if at - r[0] <= timedelta(days=90)]
            if repeats and self.rng.random() < 0.12:
                _at, customer, vehicle = self.rng.choice(repeats)
            else:
                customer, vehicle = people[n % len(people)]
            recent.append((at, customer, vehicle))
            complaints.append(self._case(n, at, customer, vehicle))
        Complaint.objects.bulk_create([complaint for complaint, _plan in complaints])
        for complaint, plan in complaints:
            self.created.append((complaint.pk, plan["received"]))
            self._timeline(complaint, plan)
        self._backdate()
        CaseEvent.objects.bulk_create(self.events, batch_size=1000)
        # The history was written in bulk: its facts on the cases, from that timeline.
        fill_stored_facts()
        Deadline.objects.bulk_create(self.deadlines, batch_size=1000)
        ContactAttempt.objects.bulk_create(self.contacts, batch_size=1000)
        self._reviews([(c, p) for c, p in complaints if p["state"] == State.CLOSED])
        self._repair_orders(count * REPAIR_ORDERS_PER_CASE, [v for _c, v in people])

    def _case(
        self, n: int, at: datetime, customer: Customer, vehicle: Vehicle
    ) -> tuple[Complaint, dict[str, Any]]:
        rng = self.rng
        category = _pick(rng, CATEGORIES)
        component = _pick(rng, COMPONENTS) if category in VEHICLE_CATEGORIES else Component.NONE
        safety = component in SAFETY_COMPONENTS and rng.random() < 0.7
        serious = rng.random() < (0.3 if safety else 0.04)
        age_days = (self.now - at).total_seconds() / 86400
        plan: dict[str, Any] = {"received": at, "safety": safety}
        # First contact within hours; now and then the next morning (a missed deadline).
        first = _lognormal_hours(rng, 1.5 if safety else 2.5, 0.9)
        if rng.random() < 0.06:
            first += rng.uniform(20, 40)
        resolve = _lognormal_hours(rng, 96 if not serious else 168, 0.6)
        plan["first_response"] = at + timedelta(hours=first)
        plan["following_up"] = at + timedelta(hours=resolve * 0.8)
        plan["reopened"] = rng.random() < 0.08
        if plan["reopened"]:
            resolve += rng.uniform(48, 120)
        plan["resolved"] = at + timedelta(hours=resolve)
        plan["closed"] = plan["resolved"] + timedelta(hours=_lognormal_hours(rng, 30, 0.5))
        state = self._state(plan, age_days)
        plan["state"] = state
        # Only a case that reached follow-up can have been reopened.
        plan["reopened"] = plan["reopened"] and state in AFTER_FOLLOW_UP
        closed = state == State.CLOSED
        responsibility = _pick(rng, RESPONSIBILITIES)
        decided = state not in (State.RECEIVED, State.LISTENING, State.INVESTIGATING)
        decided = decided and state != State.WITHDRAWN
        goodwill = Decimal("0")
        if decided and responsibility == Responsibility.DEALER and rng.random() < 0.35:
            goodwill = Decimal(rng.randrange(200, 3000, 50))
        description = "历史投诉：维修后问题复发，客户要求尽快处理。"
        assignee = _pick(rng, [("advisor", 70), ("manager2", 20), ("manager", 10)])
        complaint = Complaint(
            reference=REFERENCE.format(code=self.dealer.code, n=n + 1),
            state=state,
            dealer=self.dealer,
            customer=customer,
            vehicle=vehicle if category in VEHICLE_CATEGORIES or rng.random() < 0.5 else None,
            channel=_pick(rng, CHANNELS),
            category=category,
            component=component,
            description=description,
            original_description=description,
            is_safety_related=safety,
            severity=Severity.SERIOUS if serious else Severity.NORMAL,
            fault_finding=FaultFinding.FAULT if decided else "",
            root_cause="见检查记录" if decided else "",
            responsibility=responsibility if decided else "",
            compensation_amount=goodwill,
            agreed_resolution="按方案处理" if decided else "",
            assignee=self.staff.get(assignee, self.staff["manager"]),
            created_by=self.staff["advisor"],
            escalated=plan["reopened"],
            co_owner=self.staff["manager"] if plan["reopened"] else None,
            review_why="承诺的时间没有兑现" if closed else "",
            review_handling="处理及时，客户满意" if closed else "",
            review_prevention="交车前复检并按时回访" if closed else "",
            first_response_at=plan["first_response"] if plan["first_response"] < self.now else None,
            closed_at=plan["closed"]
            if state == State.CLOSED
            else (plan["withdrawn"] if state == State.WITHDRAWN else None),
        )
        return complaint, plan

    def _state(self, plan: dict[str, Any], age_days: float) -> str:
        if self.rng.random() < 0.04 and age_days > 3:
            plan["withdrawn"] = plan["received"] + timedelta(days=self.rng.uniform(1, 3))
            return State.WITHDRAWN
        now = self.now
        if plan["closed"] < now and self.rng.random() < 0.93:
            return State.CLOSED
        if plan["resolved"] < now:
            return State.REVIEWING
        if plan["following_up"] < now:
            return State.FOLLOWING_UP
        if plan["first_response"] < now:
            return self.rng.choice([State.INVESTIGATING, State.ASSESSING, State.RESOLVING])
        return State.RECEIVED

    def _backdate(self) -> None:
        # `created_at` is set on insert; the history's cases were received in the past.
        with connection.cursor() as cursor:
            for start in range(0, len(self.created), 500):
                chunk = self.created[start : start + 500]
                values = ", ".join(["(%s, %s::timestamptz)"] * len(chunk))
                params = [value for pair in chunk for value in pair]
                cursor.execute(
                    f"UPDATE {Complaint._meta.db_table} AS c SET created_at = v.at, "  # noqa: S608 - table name from the model
                    f"updated_at = v.at FROM (VALUES {values}) AS v(id, at) WHERE c.id = v.id",
                    params,
                )

    # --- what each case left behind ----------------------------------------------------
    def _event(
        self,
        complaint: Complaint,
        at: datetime,
        name: str,
        source: str,
        target: str,
        comment: str = "",
    ) -> None:
        actor = self.staff["manager" if name in ("close", "withdraw") else "advisor"]
        self.events.append(
            CaseEvent(
                complaint=complaint,
                kind=EventKind.TRANSITION,
                transition=name,
                from_state=source,
                to_state=target,
                actor=actor,
                actor_label=actor.get_full_name() or actor.get_username(),
                comment=comment,
                created_at=at,
            )
        )

    def _timeline(self, complaint: Complaint, plan: dict[str, Any]) -> None:
        at, state, now = plan["received"], plan["state"], self.now
        actor = self.staff["advisor"]
        self.events.append(
            CaseEvent(
                complaint=complaint,
                kind=EventKind.CREATED,
                to_state=State.RECEIVED,
                actor=actor,
                actor_label=actor.get_full_name() or actor.get_username(),
                created_at=at,
            )
        )
        first_due = at + timedelta(hours=4 if plan["safety"] else 24)
        first = plan["first_response"]
        if state == State.WITHDRAWN:
            self._event(
                complaint,
                plan["withdrawn"],
                "withdraw",
                State.RECEIVED,
                State.WITHDRAWN,
                comment="客户来电表示问题已自行解决，撤回投诉。",
            )
            return
        if first < now:
            self._event(complaint, first, "start_listening", State.RECEIVED, State.LISTENING)
        self.deadlines.append(
            Deadline(
                complaint=complaint,
                dealer_id=complaint.dealer_id,
                kind=DeadlineKind.FIRST_RESPONSE,
                started_at=at,
                due_at=first_due,
                satisfied_at=first if first < now else None,
                breached_at=first_due if first > first_due and first_due < now else None,
                cancelled_at=None if first < now else now,
                escalation_level=1 if first > first_due and first_due < now else 0,
                rule="first_response",
            )
        )
        if state not in (State.FOLLOWING_UP, State.REVIEWING, State.CLOSED):
            return
        following = plan["following_up"]
        self._event(complaint, following, "complete_action", State.RESOLVING, State.FOLLOWING_UP)
        self._follow_up(complaint, plan, following, reopened=plan["reopened"])
        if state == State.FOLLOWING_UP:
            return
        self._event(
            complaint, plan["resolved"], "confirm_resolved", State.FOLLOWING_UP, State.REVIEWING
        )
        if state == State.CLOSED:
            self._event(complaint, plan["closed"], "close", State.REVIEWING, State.CLOSED)

    def _follow_up(
        self, complaint: Complaint, plan: dict[str, Any], since: datetime, *, reopened: bool
    ) -> None:
        due = since + timedelta(hours=24 if plan["safety"] else 72)
        contact = since + timedelta(hours=_lognormal_hours(self.rng, 16, 0.6))
        if self.rng.random() < 0.1:
            self.contacts.append(self._contact(complaint, contact, "unreachable"))
            contact += timedelta(hours=self.rng.uniform(4, 30))
        if reopened:
            self.contacts.append(self._contact(complaint, contact, "dissatisfied"))
            self._event(complaint, contact, "reopen", State.FOLLOWING_UP, State.RESOLVING)
            again = plan["resolved"] - timedelta(hours=self.rng.uniform(12, 40))
            self._event(complaint, again, "complete_action", State.RESOLVING, State.FOLLOWING_UP)
            contact = plan["resolved"] - timedelta(hours=1)
        if plan["state"] != State.FOLLOWING_UP:
            self.contacts.append(self._contact(complaint, contact, "satisfied"))
        done = contact if plan["state"] != State.FOLLOWING_UP else None
        late = contact > due and due < self.now
        self.deadlines.append(
            Deadline(
                complaint=complaint,
                dealer_id=complaint.dealer_id,
                kind=DeadlineKind.FOLLOW_UP,
                started_at=since,
                due_at=due,
                satisfied_at=done if done and done < self.now else None,
                breached_at=due if late else None,
                escalation_level=1 if late else 0,
                rule="follow_up",
            )
        )

    def _contact(self, complaint: Complaint, at: datetime, outcome: str) -> ContactAttempt:
        actor = self.staff["advisor"]
        return ContactAttempt(
            complaint=complaint,
            dealer_id=complaint.dealer_id,
            channel="phone",
            outcome=outcome,
            contacted_at=min(at, self.now),
            actor=actor,
            actor_label=actor.get_full_name() or actor.get_username(),
        )

    def _reviews(self, closed: list[tuple[Complaint, dict[str, Any]]]) -> None:
        root_causes_ensure(dealer_id=self.dealer.pk)
        categories = {
            category.code: category
            for category in RootCauseCategory.objects.filter(dealer=self.dealer)
        }
        reviews = CaseReview.objects.bulk_create(
            [
                CaseReview(
                    complaint=complaint,
                    dealer=self.dealer,
                    why="承诺的时间没有兑现，客户反复来电。",
                    handled_well=self.rng.random() < 0.7,
                    root_cause_category=categories[
                        _pick(self.rng, ROOT_CAUSES[complaint.responsibility])
                    ],
                    cause_lies_with=CauseLiesWith.SYSTEM
                    if self.rng.random() < 0.6
                    else CauseLiesWith.PERSON,
                    created_by=self.staff["manager"],
                    created_at=plan["closed"],
                )
                for complaint, plan in closed
            ]
        )
        actions = []
        # Every review names at least one cause with its action, as the close form requires.
        for review, (complaint, plan) in zip(reviews, closed, strict=True):
            due = plan["closed"] + timedelta(days=self.rng.randint(7, 28))
            checked = due + timedelta(hours=self.rng.uniform(-48, 24))
            result = ""
            if checked < self.now:
                result = _pick(
                    self.rng,
                    [
                        (CheckResult.WORKED, 72),
                        (CheckResult.NOT_DONE, 14),
                        (CheckResult.DID_NOT_WORK, 14),
                    ],
                )
            checks = 1 if result else 0
            if result and result != CheckResult.WORKED and checked + timedelta(days=14) < self.now:
                # A failed check reopened the action; the second round, two weeks on, worked.
                checked, result, checks = checked + timedelta(days=14), CheckResult.WORKED, 2
            worked = result == CheckResult.WORKED
            actions.append(
                CorrectiveAction(
                    review=review,
                    complaint=complaint,
                    dealer=self.dealer,
                    cause="交车前未复检",
                    action="在交车检查表中增加复检一项",
                    owner=self.staff.get(
                        self.rng.choice(["advisor", "manager2"]), self.staff["manager"]
                    ),
                    # A failed check reopens the action with a new due date (PDCA's Act).
                    due_at=due
                    if checks < 2 and (worked or not result)
                    else due + timedelta(days=14),
                    state=ActionState.DONE if worked else ActionState.OPEN,
                    check_result=result,
                    checked_at=checked if result else None,
                    checked_by=self.staff["manager"] if result else None,
                    checks=checks,
                    created_at=plan["closed"],
                )
            )
        CorrectiveAction.objects.bulk_create(actions)

    def _repair_orders(self, count: int, vehicles: list[Vehicle]) -> None:
        today = timezone.localdate(timezone=self.dealer.tzinfo)
        RepairOrder.objects.bulk_create(
            [
                RepairOrder(
                    dealer=self.dealer,
                    vehicle=vehicles[n % len(vehicles)],
                    number=f"H{self.dealer.code}{n:07d}",
                    opened_on=today - timedelta(days=int(HISTORY_DAYS * self.rng.random())),
                    work_summary="定期保养",
                )
                for n in range(count)
            ],
            batch_size=2000,
        )
