"""One side of the sweep benchmark: a long-lived process that times the sweep of one code tree.

Started by bench/bench_sweep.py as `python <this file>` with the tree to measure on
PYTHONPATH (the current code, or a baseline commit extracted into a temporary folder) and
its own database in DATABASE_URL. It migrates that database with the tree's migrations,
seeds it once (and keeps it: a database already seeded with the same numbers is reused),
then answers commands on stdin, one JSON line each on stdout:

    run N   N sweeps, each after re-arming the due deadlines (untimed):
            {"timings_ms": [...], "queries": [...]}
    quit

It imports nothing from the bench package and only what every version of the sweep has
(`followups.sweep.deadline_sweep`, the Complaint and Deadline models), and seeds by copying
a template row created with the ORM, so that it runs unchanged against older code.

Rows are seeded with INSERT ... SELECT generate_series. Re-arming is the benchmark's own
artefact: in production a deadline is breached once, and autovacuum clears what the sweep
leaves behind. So the set-up (not timed) vacuums the rows re-arming deletes and rewrites;
otherwise each run would leave 3,000 more dead notifications with the very keys the next
run inserts, and time the bloat instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from datetime import timedelta

DUE = 1_000
CASES = 20_000


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    size = int(os.environ["BENCH_OPEN"])
    _ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    with _bench_scope():
        return _serve(size)


def _bench_scope():
    """The benchmark reads and writes every dealer's rows: the named escape where the code
    has scoping by default, nothing where it predates it (the baseline)."""
    try:
        from core.scoping import unscoped
    except ImportError:
        return contextlib.nullcontext()
    return unscoped("bench")


def _serve(size: int) -> int:
    started = time.perf_counter()
    reused = _seeded(size)
    if not reused:
        _seed(size)
    due_ids = _due_ids()
    _emit(
        {
            "ready": True,
            "reused": reused,
            "seed_seconds": round(time.perf_counter() - started, 1),
            "open": size,
        }
    )
    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "quit":
            break
        if command[0] == "run":
            _emit(_runs(due_ids, int(command[1])))
    return 0


def _emit(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _ensure_database() -> None:
    from urllib.parse import unquote, urlsplit

    import psycopg2

    url = urlsplit(os.environ["DATABASE_URL"])
    options = {
        "user": unquote(url.username or ""),
        "password": unquote(url.password or ""),
        "host": url.hostname,
        "port": url.port or 5432,
    }
    name = url.path.lstrip("/")
    try:
        psycopg2.connect(dbname=name, **options).close()
    except psycopg2.OperationalError:
        admin = psycopg2.connect(dbname="postgres", **options)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()


# --- seeding ------------------------------------------------------------------------------


def _table(model) -> str:
    from django.db import connection

    return connection.ops.quote_name(model._meta.db_table)


def _columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if f.column != "id"]


def _seeded(size: int) -> bool:
    """Whether the database holds exactly what _seed writes for `size` (a previous run's)."""
    from complaints.models import Complaint
    from followups.models import Deadline

    return (
        Complaint.objects.filter(reference__startswith="BENCH1-").count() == CASES
        and Deadline.objects.count() == size
        and Deadline.objects.filter(due_at__lte=_now()).count() == DUE
    )


def _now():
    from django.utils import timezone

    return timezone.now()


def _seed(size: int) -> None:
    from django.db import connection

    from complaints.models import CaseEvent, Complaint, ReferenceSequence
    from followups.models import ContactAttempt, Deadline, DeadlineRule, Notification

    tables = [Notification, ContactAttempt, Deadline, DeadlineRule, CaseEvent, Complaint]
    with connection.cursor() as cursor:
        # TRUNCATE is not row-level DELETE: the timeline's append-only trigger does not fire.
        cursor.execute(
            f"TRUNCATE {', '.join(_table(m) for m in [*tables, ReferenceSequence])} "
            "RESTART IDENTITY CASCADE"
        )
    dealer, customer, advisor = _staff()
    template = Complaint.objects.create(
        reference="BENCH-TEMPLATE",
        dealer=dealer,
        customer=customer,
        channel="phone",
        category="workmanship",
        description="Benchmark case",
        original_description="Benchmark case",
        assignee=advisor,
        state="resolving",
    )
    _copy(Complaint, template.pk, 1, CASES, reference="'BENCH1-' || lpad(g::text, 6, '0')")
    first_case = Complaint.objects.filter(reference__startswith="BENCH1-").order_by("id")[0].pk
    # The template is the first of the due deadlines: an hour ago. The others are spread
    # over the cases, between one and eight days ahead.
    deadline = Deadline.objects.create(
        complaint=template,
        kind="commitment",
        started_at=_now() - timedelta(days=1),
        due_at=_now() - timedelta(hours=1),
        rule="promise",
        promise="We will call you back",
    )
    spread = {"complaint_id": f"{first_case} + (g % {CASES})"}
    _copy(Deadline, deadline.pk, 2, DUE, **spread)
    _copy(
        Deadline,
        deadline.pk,
        DUE + 1,
        size,
        due_at="now() + interval '1 day' + (g % 10080) * interval '1 minute'",
        **spread,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {_table(Deadline)}, {_table(Complaint)}")
    _checkpoint()


def _copy(model, template_id: int, first: int, last: int, **expressions: str) -> None:
    """Rows first..last (`g`) copied from the template row, with some columns computed."""
    from django.db import connection

    columns = _columns(model)
    # Parameters are bound with %s: a modulo in an expression is written %%.
    select = [expressions.get(column, f"t.{column}").replace("%", "%%") for column in columns]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(model)} ({', '.join(columns)}) "  # noqa: S608 - our own names
            f"SELECT {', '.join(select)} FROM {_table(model)} t, "
            "generate_series(%s, %s) g WHERE t.id = %s",
            [first, last, template_id],
        )


def _staff():
    from django.contrib.auth import get_user_model

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
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        Membership.objects.get_or_create(user=user, dealer=dealer, defaults={"role": role})
        people[username] = user
    customer, _ = Customer.objects.get_or_create(dealer=dealer, name="Bench customer")
    return dealer, customer, people["bench_advisor"]


def _checkpoint() -> None:
    # Seeding a million rows writes enough WAL to set off checkpoints; one now, in the
    # untimed set-up, keeps them from landing in the timed runs. Needs a superuser (or
    # pg_checkpoint); without one the runs are only noisier.
    from django.db import DatabaseError, connection, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        pass


# --- runs ---------------------------------------------------------------------------------


def _due_ids() -> list[int]:
    from followups.models import Deadline

    ids = list(Deadline.objects.filter(due_at__lte=_now()).values_list("id", flat=True))
    if len(ids) != DUE:
        raise RuntimeError(f"seeded {len(ids)} due deadlines, not {DUE}")
    return ids


def _rearm(due_ids: list[int]) -> None:
    from django.db import connection, transaction

    from complaints.models import CaseEvent
    from followups.models import Deadline, Notification

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {_table(Notification)} WHERE deadline_id = ANY(%s)",  # noqa: S608
            [due_ids],
        )
        # The timeline is append-only, even for a DELETE; TRUNCATE keeps it from growing
        # with every run.
        cursor.execute(f"TRUNCATE {_table(CaseEvent)} CASCADE")
    Deadline.objects.filter(pk__in=due_ids).update(breached_at=None, escalation_level=0)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {_table(Deadline)}, {_table(Notification)}, {_table(CaseEvent)}")


def _runs(due_ids: list[int], count: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from followups.sweep import deadline_sweep

    timings, queries = [], []
    for _ in range(count):
        _rearm(due_ids)
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            result = deadline_sweep()
            timings.append((time.perf_counter() - start) * 1000)
        if result.breached != DUE:
            raise RuntimeError(f"expected {DUE} breaches, got {result}")
        queries.append(len(captured.captured_queries))
    return {"timings_ms": timings, "queries": queries}


if __name__ == "__main__":
    sys.exit(main())
