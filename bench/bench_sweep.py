"""The deadline sweep over many open deadlines: 1,000 due among 100,000 and then 1,000,000.

Rows are seeded with INSERT ... SELECT generate_series. Between runs the 1,000 due deadlines
are re-armed (unbreached, their notifications removed), so every run does the full work:
claim 1,000 breaches, write 1,000 timeline events and 3,000 notifications, each owing an e-mail.
The number of SQL queries must be the same for both sizes; the target is under 200 ms.

Re-arming is the benchmark's own artefact: in production a deadline is breached once, and
autovacuum clears what the sweep leaves behind. So the set-up (not timed) vacuums the rows
re-arming deletes and rewrites; otherwise each run would leave 3,000 more dead
notifications with the very keys the next run inserts, and time the bloat instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import Result, measure, median
from core.scoping import unscoped

DUE = 1_000
TARGET_MS = 200
SIZES = (100_000, 1_000_000)
CASES = 20_000


def _fields(model, *, exclude: tuple[str, ...] = ("id",)) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if f.column not in exclude]


def _reset() -> None:
    from complaints.models import CaseEvent, Complaint, ReferenceSequence
    from followups.models import ContactAttempt, Deadline, DeadlineRule, Notification

    tables = [
        Notification,
        ContactAttempt,
        Deadline,
        DeadlineRule,
        CaseEvent,
        Complaint,
        ReferenceSequence,
    ]
    names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in tables)
    with connection.cursor() as cursor:
        # TRUNCATE is not row-level DELETE: the timeline's append-only trigger does not fire.
        cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@unscoped("bench")
def _staff():
    from core.models import User
    from dealers.models import Customer, Dealer, Membership, Region, Role

    region, _ = Region.objects.get_or_create(code="BENCH", defaults={"name": "Bench region"})
    dealer, _ = Dealer.objects.get_or_create(
        code="BENCH1", defaults={"name": "Bench dealer", "region": region}
    )
    people = {}
    for username, role in (
        ("bench_advisor", Role.ADVISOR),
        ("bench_manager", Role.MANAGER),
        ("bench_manager2", Role.MANAGER),
    ):
        user, _ = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        Membership.objects.get_or_create(user=user, dealer=dealer, defaults={"role": role})
        people[username] = user
    customer, _ = Customer.objects.get_or_create(dealer=dealer, name="Bench customer")
    return dealer, customer, people["bench_advisor"]


@unscoped("bench")
def _seed_cases(dealer, customer, advisor) -> None:
    from complaints.models import Complaint

    template = Complaint.objects.create(
        reference="BENCH1-TEMPLATE",
        dealer=dealer,
        customer=customer,
        channel="phone",
        category="workmanship",
        description="Benchmark case",
        original_description="Benchmark case",
        assignee=advisor,
        state="resolving",
    )
    columns = _fields(Complaint)
    select = [
        "'BENCH1-' || lpad(g::text, 6, '0')" if c == "reference" else f"t.{c}" for c in columns
    ]
    table = Complaint._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - our own column names
            f"SELECT {', '.join(select)} FROM {table} t, generate_series(1, %s) g "
            "WHERE t.id = %s",
            [CASES, template.pk],
        )


def _seed_deadlines(first: int, last: int, *, due: bool) -> None:
    """Commitments numbered first..last, spread over the cases; due ones an hour ago, the
    others between one day and eight days ahead."""
    due_at = (
        "now() - interval '1 hour'"
        if due
        else "now() + interval '1 day' + (g %% 10080) * interval '1 minute'"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO followups_deadline (complaint_id, kind, started_at, due_at, "  # noqa: S608
            "escalation_level, rule, promise, outcome_reason, created_at) "
            "SELECT c.first_id + (g %% %s), 'commitment', now() - interval '1 day', "
            f"{due_at}, 0, 'promise', 'We will call you back', '', now() "
            "FROM generate_series(%s, %s) g, "
            "(SELECT min(id) AS first_id FROM complaints_complaint "
            " WHERE reference LIKE 'BENCH1-0%%') c",
            [CASES, first, last],
        )
        cursor.execute("VACUUM ANALYZE followups_deadline")
    _checkpoint()


def _checkpoint() -> None:
    # Seeding a million rows writes enough WAL to set off checkpoints; one now, in the
    # untimed set-up, keeps them from landing in the timed runs. Needs a superuser (or
    # pg_checkpoint); without one the runs are only noisier.
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        pass


def _rearm(due_ids: list[int]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM followups_notification WHERE deadline_id = ANY(%s)", [due_ids])
        cursor.execute(
            "UPDATE followups_deadline SET breached_at = NULL, escalation_level = 0 "
            "WHERE id = ANY(%s)",
            [due_ids],
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM followups_deadline, followups_notification")


def _plan() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT id FROM followups_deadline WHERE breached_at IS NULL AND "
            "satisfied_at IS NULL AND cancelled_at IS NULL AND due_at <= now() "
            "ORDER BY due_at LIMIT 1000 FOR UPDATE SKIP LOCKED"
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
    return "index deadline_sweep_due" if "deadline_sweep_due" in plan else f"plan: {plan[:200]}"


def run() -> list[Result]:
    from followups.models import Deadline
    from followups.sweep import deadline_sweep

    _reset()
    dealer, customer, advisor = _staff()
    _seed_cases(dealer, customer, advisor)
    _seed_deadlines(1, DUE, due=True)
    due = Deadline.objects.unscoped(reason="bench").filter(due_at__lte=timezone.now())
    due_ids = list(due.values_list("id", flat=True))
    if len(due_ids) != DUE:
        raise RuntimeError(f"seeded {len(due_ids)} due deadlines, not {DUE}")

    results = []
    seeded = 0
    for size in SIZES:
        _seed_deadlines(seeded + 1, size, due=False)
        seeded = size
        # One warm-up run, then the timed runs; each starts from the same 1,000 due.
        _rearm(due_ids)
        deadline_sweep()
        results.append(_timed(f"sweep: {DUE:,} due among {size:,} open deadlines", due_ids))
        with _only_followups_receivers():
            results.append(
                _timed(
                    f"  same, sweep's own work ({size:,} open, other apps' receivers off)",
                    due_ids,
                )
            )
    return results


def _timed(name: str, due_ids: list[int]) -> Result:
    from followups.sweep import deadline_sweep

    queries: list[int] = []

    def one_sweep() -> None:
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            result = deadline_sweep()
        if result.breached != DUE:
            raise RuntimeError(f"expected {DUE} breaches, got {result}")
        queries.append(len(captured.captured_queries))

    timings = measure(one_sweep, repeat=11, setup=lambda: _rearm(due_ids))
    verdict = "meets" if median(timings) < TARGET_MS else "misses"
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return Result(
        name=name,
        median_ms=median(timings),
        min_ms=min(timings),
        runs=len(timings),
        detail=(
            f"queries={sorted(set(queries))} {_plan()}; {verdict} the {TARGET_MS} ms target; "
            f"load average {load}"
        ),
    )


@contextmanager
def _only_followups_receivers() -> Iterator[None]:
    """Disconnect other apps' receivers of the sweep's signals (the API's webhook hooks), to
    show what the sweep itself costs."""
    from complaints.signals import case_changed
    from followups.signals import deadline_breached, deadlines_breached

    signals = (case_changed, deadline_breached, deadlines_breached)
    saved = [(signal, list(signal.receivers)) for signal in signals]
    try:
        for signal, receivers in saved:
            with signal.lock:
                signal.receivers = [r for r in receivers if "followups" in repr(r)]
                signal.sender_receivers_cache.clear()
        yield
    finally:
        for signal, receivers in saved:
            with signal.lock:
                signal.receivers = receivers
                signal.sender_receivers_cache.clear()
