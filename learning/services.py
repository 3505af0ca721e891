"""Every write of step 7 and of learning from cases: one function per use case, called by
the close transition (complaints.services), the pages, the demo data and the membership
service (dealers.services)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.choices import EventKind, State
from complaints.models import Complaint
from complaints.services import complaint_record_event
from core.actors import Actor
from core.audit import audit_log
from core.exceptions import NotFound, PermissionDenied, ValidationFailed
from core.scoping import MANAGER, WORK_ROLES, access_for, roles_for, scoped
from core.text import MAX_TEXT_LENGTH
from dealers.models import Dealer, Membership, Role
from followups.deadlines import deadline_after_step7, deadline_done
from followups.models import Deadline

from .choices import ActionState, CheckResult, DefaultRootCause, ReflectionState
from .masking import mask_text, personal_values
from .models import (
    CaseReview,
    CorrectiveAction,
    Lesson,
    LessonReceipt,
    LibraryCase,
    ReflectionReport,
    RequiredReading,
    RootCauseCategory,
)

FAILED_CHECKS = (CheckResult.NOT_DONE, CheckResult.DID_NOT_WORK)


def _user_id(actor: Actor) -> int | None:
    return actor.pk if isinstance(actor, get_user_model()) else None


def _require_manager(actor: Actor, dealer_id: int) -> None:
    if MANAGER not in roles_for(actor, dealer_id):
        raise PermissionDenied(_("Only a manager of this dealer may do this."))


def _text(value: Any, field: str, *, required: bool = True) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise ValidationFailed({field: [_("This field is required.")]})
    if len(text) > MAX_TEXT_LENGTH:
        raise ValidationFailed(
            {field: [_("At most %(limit)d characters.") % {"limit": MAX_TEXT_LENGTH}]}
        )
    return text


def _timeline(complaint: Complaint, actor: Actor, action: str, **facts: Any) -> None:
    """A step-7 fact on the case's timeline: stored as facts, put in words when read."""
    complaint_record_event(
        complaint=complaint,
        actor=actor,
        kind=EventKind.LEARNING,
        payload={"action": action, **facts},
    )


# --- root-cause categories ------------------------------------------------------------------


def root_causes_ensure(*, dealer_id: int) -> None:
    """Give a dealer the default categories it does not have yet (idempotent: the unique
    code per dealer makes a second run, or a concurrent one, add nothing)."""
    RootCauseCategory.objects.bulk_create(
        [
            RootCauseCategory(dealer_id=dealer_id, code=code, position=(i + 1) * 10)
            for i, code in enumerate(DefaultRootCause.values)
        ],
        ignore_conflicts=True,
    )


def root_cause_add(*, dealer: Dealer, actor: Actor, label: str) -> RootCauseCategory:
    """A manager adds a category of the dealer's own to its list."""
    from django.utils.text import slugify

    _require_manager(actor, dealer.pk)
    label = _text(label, "label")[:100]
    code = (slugify(label) or "custom")[:30]
    with transaction.atomic():
        root_causes_ensure(dealer_id=dealer.pk)
        taken = set(
            scoped(RootCauseCategory, actor).filter(dealer=dealer).values_list("code", flat=True)
        )
        base, n = code, 1
        while code in taken:
            n += 1
            code = f"{base}-{n}"
        category = RootCauseCategory.objects.create(
            dealer=dealer, code=code, label=label, position=900
        )
        audit_log(
            actor=actor,
            action="root_cause.added",
            target=category,
            dealer_id=dealer.pk,
            after={"code": code, "label": label},
        )
    return category


# --- the review, written at the close -------------------------------------------------------


def case_review_write(
    *, complaint: Complaint, actor: Actor, review: Mapping[str, Any], at: datetime
) -> CaseReview:
    """Store step 7's review of a case being closed (called by complaint_transition inside
    its transaction, the case row locked, the payload already validated by ClosePayload):
    the review, one corrective action per cause line with its deadline, and the reflection
    report when the manager requires one.

    Invariant: a case has one review; each open action has exactly one open deadline.
    """
    root_causes_ensure(dealer_id=complaint.dealer_id)
    category = complaint.dealer.root_cause_categories.get(code=review["root_cause_category"])
    written = CaseReview.objects.create(
        complaint=complaint,
        dealer_id=complaint.dealer_id,
        why=review["review_why"],
        handled_well=review["handled_well"],
        handling_note=review.get("review_handling", ""),
        root_cause_category=category,
        cause_lies_with=review["cause_lies_with"],
        reflection_required=bool(review.get("reflection_required")),
        created_by_id=_user_id(actor),
        created_at=at,
    )
    owners = get_user_model().objects.in_bulk(
        [line["owner"] for line in review["corrective_actions"]]
    )
    for position, line in enumerate(review["corrective_actions"], start=1):
        action = CorrectiveAction.objects.create(
            review=written,
            complaint=complaint,
            dealer_id=complaint.dealer_id,
            position=position,
            cause=line["cause"],
            action=line["action"],
            owner=owners[line["owner"]],
            due_at=line["due_at"],
            created_at=at,
        )
        action.deadline = deadline_after_step7(
            complaint=complaint,
            event="corrective_action_set",
            actor=actor,
            owner=action.owner,
            due_at=action.due_at,
            what=action.action[:500],
        )
        action.save(update_fields=["deadline"])
    audit_log(
        actor=actor,
        action="case_review.written",
        target=complaint,
        dealer_id=complaint.dealer_id,
        after={
            "root_cause_category": category.code,
            "cause_lies_with": written.cause_lies_with,
            "handled_well": written.handled_well,
            "corrective_actions": len(review["corrective_actions"]),
        },
    )
    if written.reflection_required:
        _reflection_require(
            complaint=complaint, actor=actor, due_at=review["reflection_due"], at=at
        )
    return written


def reflection_require(*, complaint: Complaint, actor: Actor, due_at: datetime) -> ReflectionReport:
    """A manager requires the advisor's reflection report on a closed case after the close
    (the close form asks the same). Invariant: one report per case, due in the future."""
    with transaction.atomic():
        locked = (
            scoped(Complaint, actor).select_for_update(of=("self",)).filter(pk=complaint.pk).first()
        )
        if locked is None:
            raise NotFound()
        _require_manager(actor, locked.dealer_id)
        if locked.state != State.CLOSED:
            raise ValidationFailed(
                {"non_field_errors": [_("A reflection report is written once the case is closed.")]}
            )
        if ReflectionReport.objects.unscoped(reason="instance").filter(complaint=locked).exists():
            raise ValidationFailed(
                {"non_field_errors": [_("This case already has a reflection report.")]}
            )
        if due_at <= timezone.now():
            raise ValidationFailed({"due_at": [_("The due date must be in the future.")]})
        return _reflection_require(complaint=locked, actor=actor, due_at=due_at, at=timezone.now())


def _reflection_require(
    *, complaint: Complaint, actor: Actor, due_at: datetime, at: datetime
) -> ReflectionReport:
    author = complaint.assignee
    if author is None:
        raise ValidationFailed({"reflection_required": [_("The case has no advisor.")]})
    report = ReflectionReport.objects.create(
        complaint=complaint,
        dealer_id=complaint.dealer_id,
        author=author,
        required_by_id=_user_id(actor),
        due_at=due_at,
        created_at=at,
    )
    report.deadline = deadline_after_step7(
        complaint=complaint,
        event="reflection_required",
        actor=actor,
        owner=author,
        due_at=due_at,
        what="",
    )
    report.save(update_fields=["deadline"])
    audit_log(
        actor=actor,
        action="reflection.required",
        target=complaint,
        dealer_id=complaint.dealer_id,
        after={"author": author.pk, "due_at": due_at},
    )
    return report


# --- corrective actions: the check ----------------------------------------------------------


def corrective_action_check(
    *,
    action: CorrectiveAction,
    actor: Actor,
    result: str,
    note: str = "",
    new_due_at: datetime | None = None,
) -> CorrectiveAction:
    """The owner (or a manager of the dealer) records whether the action was done and
    worked (PDCA's Check). It worked: the action is done. Not done, or done without effect:
    it stays open with a new due date and a new deadline (Act).

    Invariant: only an open action is checked; the current round's deadline is met by the
    check, so the sweep stops chasing it; a failed check always opens exactly one new one.
    """
    if result not in CheckResult.values:
        raise ValidationFailed({"result": [_("Choose a result.")]})
    note = _text(note, "note", required=False)
    with transaction.atomic():
        locked = (
            scoped(CorrectiveAction, actor)
            .select_for_update(of=("self",))
            .select_related("complaint__dealer")
            .filter(pk=action.pk)
            .first()
        )
        if locked is None:
            raise NotFound()
        roles = roles_for(actor, locked.dealer_id)
        if not (MANAGER in roles or (roles & WORK_ROLES and locked.owner_id == _user_id(actor))):
            raise PermissionDenied(_("Only the action's owner or a manager may check it."))
        if locked.state != ActionState.OPEN:
            raise ValidationFailed(
                {"result": [_("This action was already checked and found to work.")]}
            )
        failed = result in FAILED_CHECKS
        if failed:
            if new_due_at is None:
                raise ValidationFailed({"new_due": [_("Give a new due date.")]})
            if new_due_at <= timezone.now():
                raise ValidationFailed({"new_due": [_("The due date must be in the future.")]})
        now = timezone.now()
        before = {"state": locked.state, "due_at": locked.due_at}
        if locked.deadline_id is not None:
            deadline = Deadline.objects.unscoped(reason="instance").get(pk=locked.deadline_id)
            deadline_done(
                deadline=deadline,
                event="corrective_action_checked",
                note=str(CheckResult(result).label),
            )
        locked.check_result = result
        locked.check_note = note
        locked.checked_at = now
        locked.checked_by_id = _user_id(actor)
        locked.checks += 1
        if new_due_at is not None and failed:
            locked.due_at = new_due_at
            locked.deadline = deadline_after_step7(
                complaint=locked.complaint,
                event="corrective_action_set",
                actor=actor,
                owner=locked.owner,
                due_at=new_due_at,
                what=locked.action[:500],
            )
        else:
            locked.state = ActionState.DONE
        locked.save()
        audit_log(
            actor=actor,
            action="corrective_action.reopened" if failed else "corrective_action.checked",
            target=locked,
            dealer_id=locked.dealer_id,
            before=before,
            after={"state": locked.state, "due_at": locked.due_at},
            data={"result": result, "case": locked.complaint.reference},
        )
        _timeline(
            locked.complaint,
            actor,
            "action_checked",
            line=locked.position,
            result=result,
            due_at=locked.due_at if failed else None,
        )
    return locked


# --- reflection reports ---------------------------------------------------------------------


def reflection_submit(
    *, complaint: Complaint, actor: Actor, answers: Mapping[str, Any]
) -> ReflectionReport:
    """The case's advisor writes (or rewrites, until a manager commented) their reflection
    report: all eight answers of seed 002.

    Invariant: only the case's advisor writes it, only on a closed case; submitting meets
    the report's deadline.
    """
    values = {name: _text(answers.get(name), name) for name in ReflectionReport.FIELDS}
    with transaction.atomic():
        case = scoped(Complaint, actor).select_for_update(of=("self",)).filter(pk=complaint.pk)
        locked_case = case.first()
        if locked_case is None:
            raise NotFound()
        report = (
            ReflectionReport.objects.unscoped(reason="instance")
            .select_for_update()
            .filter(complaint=locked_case)
            .first()
        )
        author_id = report.author_id if report is not None else locked_case.assignee_id
        if (
            author_id is None
            or author_id != _user_id(actor)
            or not (roles_for(actor, locked_case.dealer_id) & WORK_ROLES)
        ):
            raise PermissionDenied(_("Only the case's advisor writes its reflection report."))
        if locked_case.state != State.CLOSED:
            raise ValidationFailed(
                {"non_field_errors": [_("A reflection report is written once the case is closed.")]}
            )
        if report is not None and report.state == ReflectionState.COMMENTED:
            raise ValidationFailed(
                {"non_field_errors": [_("A manager has commented; the report is final.")]}
            )
        if report is None:
            report = ReflectionReport(
                complaint=locked_case, dealer_id=locked_case.dealer_id, author_id=author_id
            )
        for name, value in values.items():
            setattr(report, name, value)
        report.state = ReflectionState.SUBMITTED
        report.submitted_at = timezone.now()
        report.save()
        if report.deadline_id is not None:
            deadline = Deadline.objects.unscoped(reason="instance").get(pk=report.deadline_id)
            deadline_done(deadline=deadline, event="reflection_submitted")
        audit_log(
            actor=actor,
            action="reflection.submitted",
            target=locked_case,
            dealer_id=locked_case.dealer_id,
        )
        _timeline(locked_case, actor, "reflection_submitted")
    return report


def reflection_comment(*, report: ReflectionReport, actor: Actor, comment: str) -> ReflectionReport:
    """A manager comments on a submitted reflection report."""
    comment = _text(comment, "comment")
    with transaction.atomic():
        locked = (
            scoped(ReflectionReport, actor)
            .select_for_update(of=("self",))
            .select_related("complaint")
            .filter(pk=report.pk)
            .first()
        )
        if locked is None:
            raise NotFound()
        _require_manager(actor, locked.dealer_id)
        if locked.submitted_at is None:
            raise ValidationFailed(
                {"comment": [_("The advisor has not submitted the report yet.")]}
            )
        locked.manager_comment = comment
        locked.commented_by_id = _user_id(actor)
        locked.commented_at = timezone.now()
        locked.state = ReflectionState.COMMENTED
        locked.save()
        audit_log(
            actor=actor,
            action="reflection.commented",
            target=locked.complaint,
            dealer_id=locked.dealer_id,
        )
        _timeline(locked.complaint, actor, "reflection_commented")
    return locked


# --- the case library -----------------------------------------------------------------------


def library_case_add(
    *,
    complaint: Complaint,
    actor: Actor,
    title: str,
    summary: str = "",
    required_for_new_staff: bool = False,
) -> LibraryCase:
    """A manager makes a closed case, with its review and reflection report, a training
    case (专属档案). Invariant: closed cases only, once each."""
    title = _text(title, "title")[:200]
    summary = _text(summary, "summary", required=False)
    with transaction.atomic():
        locked = (
            scoped(Complaint, actor).select_for_update(of=("self",)).filter(pk=complaint.pk).first()
        )
        if locked is None:
            raise NotFound()
        _require_manager(actor, locked.dealer_id)
        if locked.state != State.CLOSED:
            raise ValidationFailed(
                {"non_field_errors": [_("Only a closed case can become a training case.")]}
            )
        if LibraryCase.objects.unscoped(reason="instance").filter(complaint=locked).exists():
            raise ValidationFailed(
                {"non_field_errors": [_("This case is already in the case library.")]}
            )
        # The library names no customer: its own texts are stored masked as well.
        known = personal_values(locked)
        library_case = LibraryCase.objects.create(
            complaint=locked,
            dealer_id=locked.dealer_id,
            title=mask_text(title, known)[:200],
            summary=mask_text(summary, known),
            required_for_new_staff=required_for_new_staff,
            marked_by_id=_user_id(actor),
        )
        audit_log(
            actor=actor,
            action="library.case_added",
            target=locked,
            dealer_id=locked.dealer_id,
            after={"required_for_new_staff": required_for_new_staff},
        )
        _timeline(locked, actor, "library_added")
    return library_case


def reading_assign(
    *, library_case: LibraryCase, actor: Actor, users: Iterable[Any]
) -> list[RequiredReading]:
    """A manager gives staff of the dealer a library case to read. Someone already given it
    keeps their receipt. Returns the new assignments."""
    _require_manager(actor, library_case.dealer_id)
    staff_ids = set(
        Membership.objects.unscoped(reason="system")
        .filter(dealer_id=library_case.dealer_id, role__in=[Role.ADVISOR, Role.MANAGER])
        .values_list("user_id", flat=True)
    )
    chosen = list(users)
    outsiders = [u for u in chosen if u.pk not in staff_ids]
    if outsiders or not chosen:
        raise ValidationFailed({"users": [_("Choose staff of this dealer.")]})
    with transaction.atomic():
        created = _readings_create(library_case, [u.pk for u in chosen], _user_id(actor))
        for reading in created:
            audit_log(
                actor=actor,
                action="library.reading_assigned",
                target=reading,
                dealer_id=library_case.dealer_id,
                data={"case": library_case.title, "user": reading.user_id},
            )
    return created


def _readings_create(
    library_case: LibraryCase, user_ids: Iterable[int], assigned_by_id: int | None
) -> list[RequiredReading]:
    existing = set(
        RequiredReading.objects.unscoped(reason="instance")
        .filter(library_case=library_case)
        .values_list("user_id", flat=True)
    )
    new = [
        RequiredReading(
            library_case=library_case,
            dealer_id=library_case.dealer_id,
            user_id=user_id,
            assigned_by_id=assigned_by_id,
        )
        for user_id in dict.fromkeys(user_ids)
        if user_id not in existing
    ]
    RequiredReading.objects.bulk_create(new, ignore_conflicts=True)
    return new


def readings_for_new_member(*, membership: Membership) -> list[RequiredReading]:
    """新进人员教材: a new advisor or manager of a dealer is given the library cases the
    dealer requires of new staff. Called by dealers.services.membership_create (inside its
    transaction) for the system: nobody assigned them by hand."""
    if membership.dealer_id is None or membership.role not in (Role.ADVISOR, Role.MANAGER):
        return []
    required = LibraryCase.objects.unscoped(reason="system").filter(
        dealer_id=membership.dealer_id, required_for_new_staff=True
    )
    created = []
    for library_case in required:
        created += _readings_create(library_case, [membership.user_id], None)
    for reading in created:
        audit_log(
            actor=None,
            action="library.reading_assigned",
            target=reading,
            dealer_id=membership.dealer_id,
            data={"case": reading.library_case.title, "user": reading.user_id, "new_staff": True},
        )
    return created


def _confirm_read(row: Any, *, actor: Actor, action: str, target: Any, data: Any = None) -> None:
    """A read receipt (required reading or a lesson), confirmed by its reader only, once: a
    second confirmation changes nothing and logs nothing."""
    if row.user_id != _user_id(actor):
        raise NotFound()
    with transaction.atomic():
        done = (
            type(row)
            .objects.unscoped(reason="instance")
            .filter(pk=row.pk, read_at=None)
            .update(read_at=timezone.now())
        )
        if done:
            audit_log(actor=actor, action=action, target=target, dealer_id=row.dealer_id, data=data)
    row.refresh_from_db()


def reading_confirm(*, reading: RequiredReading, actor: Actor) -> RequiredReading:
    """The reader confirms they have read the case (the read receipt). Idempotent."""
    _confirm_read(
        reading,
        actor=actor,
        action="library.reading_confirmed",
        target=reading,
        data={"case": reading.library_case.title},
    )
    return reading


# --- lessons (内部通报) ---------------------------------------------------------------------


def lesson_publish(
    *,
    actor: Actor,
    title: str,
    body: str,
    cases: Iterable[Complaint] = (),
    dealer: Dealer | None = None,
    region_id: int | None = None,
) -> Lesson:
    """A manager publishes a lesson to all staff of their dealer, or regional staff to all
    staff of every dealer of their region. Every recipient gets an unread receipt."""
    title = _text(title, "title")[:200]
    body = _text(body, "body")
    cases = list(cases)
    access = access_for(actor)
    if dealer is not None:
        _require_manager(actor, dealer.pk)
        dealer_ids = [dealer.pk]
    elif region_id is not None:
        if region_id not in access.region_ids and not access.is_superuser:
            raise PermissionDenied(_("Only regional staff of this region may do this."))
        dealer_ids = list(
            Dealer.objects.unscoped(reason="system")
            .filter(region_id=region_id)
            .values_list("pk", flat=True)
        )
    else:
        raise ValidationFailed({"non_field_errors": [_("Choose a dealer or a region.")]})
    if any(case.dealer_id not in dealer_ids for case in cases):
        raise ValidationFailed({"cases": [_("Choose cases of the dealers the lesson goes to.")]})
    with transaction.atomic():
        lesson = Lesson.objects.create(
            dealer=dealer,
            region_id=None if dealer is not None else region_id,
            title=title,
            body=body,
            published_by_id=_user_id(actor),
        )
        lesson.cases.set(cases)
        seen: set[int] = set()
        receipts = []
        for member in (
            Membership.objects.unscoped(reason="system")
            .filter(dealer_id__in=dealer_ids, role__in=[Role.ADVISOR, Role.MANAGER])
            .order_by("dealer_id", "pk")
        ):
            if member.user_id in seen:
                continue
            seen.add(member.user_id)
            receipts.append(
                LessonReceipt(lesson=lesson, dealer_id=member.dealer_id, user_id=member.user_id)
            )
        LessonReceipt.objects.bulk_create(receipts)
        audit_log(
            actor=actor,
            action="lesson.published",
            target=lesson,
            dealer_id=dealer.pk if dealer is not None else None,
            after={"title": title, "recipients": len(receipts), "region": region_id},
        )
    return lesson


def lesson_confirm(*, receipt: LessonReceipt, actor: Actor) -> LessonReceipt:
    """A reader confirms they have read a lesson. Idempotent."""
    _confirm_read(receipt, actor=actor, action="lesson.read", target=receipt.lesson)
    return receipt
