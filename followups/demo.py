"""Follow-up data for the demo: promises, contacts and promised repair dates on the demo
cases, some of them already missed, made through the services. Called by `seed_demo`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from complaints.choices import State
from complaints.models import Complaint
from core.scoping import unscoped
from dealers.demo.seed import DealerSeedContext

from . import services
from .choices import DeadlineKind
from .models import Deadline
from .sweep import deadline_sweep

CALL_BACK = "我们会在20分钟内给您回电，告诉您车辆什么时候能修好。"
RESULT_IN_TWO_DAYS = "两天内告诉您检查结果。"
PARTS_BY_FRIDAY = "配件周五到店，到店后当天为您安装。"


def _overdue(deadline: Deadline, *, hours_late: float) -> None:
    # The demo's stories began days before the demo opens: move this deadline's clock back
    # so that it is already missed, as it would be in a dealership that used the system.
    shift = deadline.due_at - timezone.now() + timedelta(hours=hours_late)
    Deadline.objects.filter(pk=deadline.pk).update(
        started_at=F("started_at") - shift, due_at=F("due_at") - shift, remind_at=None
    )


@unscoped("demo")
def seed_followups(ctx: DealerSeedContext) -> None:
    """Give the demo cases realistic deadlines, contacts and promises; some are overdue and
    swept, so the overdue board and the notifications have something to show. Idempotent:
    a demo that already has promises is left as it is."""
    codes = sorted(ctx.staff)
    if Deadline.objects.filter(
        complaint__dealer__code__in=codes, kind=DeadlineKind.COMMITMENT
    ).exists():
        return
    now = timezone.now()
    for code in codes:
        advisor = ctx.staff[code]["advisor"]
        cases = Complaint.objects.filter(dealer__code=code).order_by("created_at", "id")

        def in_state(state: str, cases: Any = cases) -> list[Complaint]:
            return list(cases.filter(state=state)[:3])

        for index, complaint in enumerate(in_state(State.RECEIVED)):
            promise = services.commitment_create(
                complaint=complaint,
                actor=advisor,
                promise=CALL_BACK,
                due_at=now + timedelta(minutes=20),
            )
            if index == 0:  # the insurance-repair story: the call back never came
                _overdue(promise, hours_late=3)
            ctx.count(gettext_noop("promises"), created=True)
        for complaint in in_state(State.INVESTIGATING) + in_state(State.LISTENING):
            services.contact_record(
                complaint=complaint, actor=advisor, channel="phone", outcome="unreachable"
            )
            services.commitment_create(
                complaint=complaint,
                actor=advisor,
                promise=RESULT_IN_TWO_DAYS,
                due_at=now + timedelta(days=2),
            )
            ctx.count(gettext_noop("contacts"), created=True)
            ctx.count(gettext_noop("promises"), created=True)
        for index, complaint in enumerate(in_state(State.RESOLVING)):
            promised = services.repair_promise_set(
                complaint=complaint,
                actor=advisor,
                due_at=now + timedelta(hours=(3, 30, 96)[index % 3]),
            )
            if index == 1:
                _overdue(promised, hours_late=5)
            services.commitment_create(
                complaint=complaint,
                actor=advisor,
                promise=PARTS_BY_FRIDAY,
                due_at=now + timedelta(days=3),
            )
            ctx.count(gettext_noop("promises"), created=True)
        for index, complaint in enumerate(in_state(State.FOLLOWING_UP)):
            if index == 0:
                follow_up = Deadline.objects.filter(
                    complaint=complaint, kind=DeadlineKind.FOLLOW_UP, satisfied_at=None
                ).first()
                if follow_up is not None:
                    _overdue(follow_up, hours_late=26)
            else:
                services.contact_record(
                    complaint=complaint, actor=advisor, channel="wechat", outcome="unreachable"
                )
                ctx.count(gettext_noop("contacts"), created=True)
    deadline_sweep()
