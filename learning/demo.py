"""Step 7 and learning in the demo: the review written at each demo case's close (with its
corrective actions), then checks (one worked, one failed and reopened, one overdue),
reflection reports, training cases with required reading and lessons. Called by `seed_demo`
(the close payload from complaints.demo.seed, the rest as a step of its own)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from complaints.choices import Category, State
from complaints.models import Complaint
from core.scoping import unscoped
from dealers.demo.seed import DealerSeedContext
from followups.models import Deadline
from followups.sweep import deadline_sweep

from . import services
from .models import CorrectiveAction, LibraryCase, ReflectionReport

# What usually lies behind a complaint of each category, for the demo's reviews.
ROOT_CAUSE_OF_CATEGORY = {
    Category.PRODUCT_QUALITY: "product_defect",
    Category.WORKMANSHIP: "workmanship",
    Category.ATTITUDE: "communication",
    Category.WAITING_TIME: "process",
    Category.BILLING: "process",
    Category.PARTS: "parts_supply",
    Category.SALES: "communication",
    Category.INSURANCE_CLAIM: "process",
    Category.OTHER: "other",
}
# Causes that lie with one person's work rather than the company's system (003).
PERSONAL_CAUSES = ("communication", "workmanship")

REFLECTION = {
    "customer_thoughts": "客户觉得我们不重视他的问题，来了两次都没有解决。",
    "customer_needs": "一次修好，并且有人主动告诉他进度。",
    "wrong_concept": "客户在夸大问题，异响是正常现象。",
    "wrong_behaviour": "没有和客户一起试车就下结论，也没有按时回电。",
    "bad_consequence": "客户再次投诉，并在网上发帖。",
    "right_concept": "客户是我们工作的目的，不是我们争论的对象。",
    "right_behaviour": "接车时和客户一起试车再现故障，每天主动报告进度。",
    "good_result": "客户信任我们，愿意继续回来保养。",
}


def close_payload(spec: Mapping[str, Any], staff: Mapping[str, Any]) -> dict[str, Any]:
    """The payload that closes a demo case: its review, and the preventive action as the
    corrective action of its cause, owned by the advisor and due in two weeks."""
    review = dict(spec["review"])
    root_cause = spec.get("root_cause") or ROOT_CAUSE_OF_CATEGORY.get(spec["category"], "other")
    due = timezone.localdate() + timedelta(days=14)
    lines = [
        {
            "cause": review["review_why"],
            "action": review.get("review_prevention") or review["review_handling"],
            "owner": staff["advisor"].pk,
            "due": due.isoformat(),
        }
    ]
    return {
        **review,
        "handled_well": spec.get("handled_well", True),
        "root_cause_category": root_cause,
        "cause_lies_with": "person" if root_cause in PERSONAL_CAUSES else "system",
        "corrective_actions": lines,
    }


def _shift_back(deadline_id: int | None, days: float) -> None:
    # The demo's stories began before the demo opens: move this deadline (and its action)
    # back so that it is already missed, as in a dealership that used the system.
    if deadline_id is None:
        return
    Deadline.objects.filter(pk=deadline_id).update(
        started_at=F("started_at") - timedelta(days=days),
        due_at=F("due_at") - timedelta(days=days),
        remind_at=None,
    )


@unscoped("demo")
def seed_learning(ctx: DealerSeedContext) -> None:
    """Checks, reflection reports, training cases, required reading and lessons on the demo's
    closed cases. Idempotent: a demo that already has training cases is left as it is."""
    codes = sorted(ctx.staff)
    if LibraryCase.objects.filter(dealer__code__in=codes).exists():
        return
    now = timezone.now()
    for code in codes:
        staff = ctx.staff[code]
        advisor, manager = staff["advisor"], staff["manager"]
        closed = list(
            Complaint.objects.filter(dealer__code=code, state=State.CLOSED).order_by("id")
        )
        actions = list(
            CorrectiveAction.objects.filter(complaint__in=closed).order_by("complaint_id")
        )
        # Check: the first worked, the second did not and is due again, the third is late.
        if actions:
            services.corrective_action_check(
                action=actions[0], actor=advisor, result="worked", note="已执行，效果良好。"
            )
            ctx.count(gettext_noop("corrective action checks"), created=True)
        if len(actions) > 1:
            services.corrective_action_check(
                action=actions[1],
                actor=advisor,
                result="did_not_work",
                note="做了，但同类投诉又出现一次。",
                new_due_at=now + timedelta(days=10),
            )
            ctx.count(gettext_noop("corrective action checks"), created=True)
        if len(actions) > 2:
            CorrectiveAction.objects.filter(pk=actions[2].pk).update(
                due_at=F("due_at") - timedelta(days=16)
            )
            _shift_back(actions[2].deadline_id, 16)
        # Reflection reports: one written and commented on, one still owed.
        for index, complaint in enumerate(closed[:2]):
            if ReflectionReport.objects.filter(complaint=complaint).exists():
                continue
            if complaint.assignee_id is None:
                continue
            if index == 0:
                services.reflection_submit(
                    complaint=complaint, actor=complaint.assignee, answers=REFLECTION
                )
                services.reflection_comment(
                    report=ReflectionReport.objects.get(complaint=complaint),
                    actor=manager,
                    comment="反思到位：关键是接车时一起试车。请在晨会上分享。",
                )
            else:
                services.reflection_require(
                    complaint=complaint, actor=manager, due_at=now + timedelta(days=3)
                )
            ctx.count(gettext_noop("reflection reports"), created=True)
        # The case library: the first closed case is every newcomer's reading.
        library = []
        for index, complaint in enumerate(closed[:2]):
            library_case = services.library_case_add(
                complaint=complaint,
                actor=manager,
                title=f"{complaint.get_category_display()}：{complaint.review_why[:40]}",
                summary=complaint.review_prevention or complaint.review_handling,
                required_for_new_staff=index == 0,
            )
            library.append(library_case)
            ctx.count(gettext_noop("training cases"), created=True)
        # Required reading is for the desk's staff; technicians are not given library cases.
        readers = [u for role, u in staff.items() if role not in ("manager", "technician")]
        for library_case in library[:1]:
            services.reading_assign(library_case=library_case, actor=manager, users=readers)
            ctx.count(gettext_noop("required reading"), created=True)
        if library and readers:
            reading = library[0].readings.filter(user=readers[0]).first()
            if reading is not None:
                services.reading_confirm(reading=reading, actor=readers[0])
        if closed:
            services.lesson_publish(
                actor=manager,
                title="接车时和客户一起试车",
                body="本月两起异响投诉都是因为第一次没有再现故障。接车时请和客户一起试车，"
                "并在工单上记录。",
                cases=closed[:2],
                dealer=closed[0].dealer,
            )
            ctx.count(gettext_noop("lessons"), created=True)
    regional = ctx.users.get("regional_east")
    if regional is not None and "SH01" in ctx.dealers:
        services.lesson_publish(
            actor=regional,
            title="区域通报：24小时内首次回复",
            body="上月区域内有三起投诉因为首次回复超过24小时而升级。请各店每天检查未回复的投诉。",
            region_id=ctx.dealers["SH01"].region_id,
        )
        ctx.count(gettext_noop("lessons"), created=True)
    deadline_sweep()
