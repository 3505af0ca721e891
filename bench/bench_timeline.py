"""Does the timeline need partitioning? Measured at 10,000,000 events.

The timeline (`complaints_caseevent`) is the table that grows fastest: about ten events a
case, kept for as long as the case. Declarative partitioning by month would help with two
things, dropping an old month whole instead of deleting its rows, and a small index for the
recent months, and cost a third: a read of one case's timeline probes every partition whose
range it cannot rule out.

This benchmark builds, in a schema of its own in the benchmark database, three copies of the
timeline's table with every index the migrations give it (`LIKE ... INCLUDING ALL`):
1,000,000 events (100,000 cases) and 10,000,000 events (1,000,000 cases), both plain, and the
10,000,000 events partitioned by month over five years (60 partitions, the same indexes on
each). Each case has ten events over its first days. It then measures, on the three:

- a case's timeline, as the case page reads it (`complaint_id = …` in time order), for random
  cases; on the partitioned table with and without the lower bound the case's own creation
  time gives (`created_at >= case.created_at`), which lets the planner skip the months before;
- retiring the oldest month: `DELETE` of its rows against `DROP` of its partition, each in a
  transaction rolled back, so the data stays for the next run.

The tables are kept between runs (`BENCH_TIMELINE_RESET=1` rebuilds them).
"""

from __future__ import annotations

import os
import random
import time
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction

from bench import Result, median

SCHEMA = "bench_timeline"
SMALL_CASES, LARGE_CASES = 100_000, 1_000_000
EVENTS_PER_CASE = 10
START = datetime(2021, 1, 1, tzinfo=UTC)
MONTHS = 60
PROBES = 300
WARM_UP = 50  # probes read first and not counted: the first ones find a cold cache


def _months() -> list[datetime]:
    return [START.replace(year=START.year + m // 12, month=m % 12 + 1) for m in range(MONTHS + 1)]


def _span_seconds() -> float:
    return (_months()[-1] - START).total_seconds() - 10 * 86400


def _fill(cursor, table: str, cases: int) -> None:
    # Case n is created at START + n * (span / cases); its k-th event k * 7 hours later.
    cursor.execute(
        f"""
        INSERT INTO {SCHEMA}.{table}
            (complaint_id, kind, transition, from_state, to_state, actor_label, comment,
             payload, created_at)
        SELECT c, 'transition', 'step' || k, '', 'state' || k, 'bench', '', '{{}}'::jsonb,
               %s::timestamptz + (c * %s) * interval '1 second' + k * interval '7 hours'
        FROM generate_series(1, %s) AS c, generate_series(0, %s) AS k
        """,  # noqa: S608 - names of this module
        [START, _span_seconds() / cases, cases, EVENTS_PER_CASE - 1],
    )


def _build(cursor) -> None:
    cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    cursor.execute(f"CREATE SCHEMA {SCHEMA}")
    for table in ("small", "large"):
        cursor.execute(f"CREATE TABLE {SCHEMA}.{table} (LIKE complaints_caseevent INCLUDING ALL)")
    # The partitioned copy: the key must be part of the primary key.
    cursor.execute(
        f"CREATE TABLE {SCHEMA}.parted (LIKE complaints_caseevent INCLUDING DEFAULTS) "
        "PARTITION BY RANGE (created_at)"
    )
    cursor.execute(f"ALTER TABLE {SCHEMA}.parted ADD PRIMARY KEY (id, created_at)")
    cursor.execute(
        """SELECT indexdef FROM pg_indexes WHERE tablename = 'complaints_caseevent'
           AND indexname NOT LIKE '%%pkey'"""
    )
    for (definition,) in cursor.fetchall():
        # "CREATE INDEX name ON public.complaints_caseevent USING …": one per partition.
        name, rest = definition.split(" ON ", 1)
        using = rest.split(" USING ", 1)[1]
        cursor.execute(
            f"{name.replace('CREATE INDEX ', 'CREATE INDEX parted_')} "
            f"ON {SCHEMA}.parted USING {using}"
        )
    months = _months()
    for low, high in zip(months, months[1:], strict=False):
        cursor.execute(
            f"CREATE TABLE {SCHEMA}.parted_{low:%Y%m} PARTITION OF {SCHEMA}.parted "
            "FOR VALUES FROM (%s) TO (%s)",
            [low, high],
        )
    _fill(cursor, "small", SMALL_CASES)
    _fill(cursor, "large", LARGE_CASES)
    cursor.execute(f"INSERT INTO {SCHEMA}.parted SELECT * FROM {SCHEMA}.large")  # noqa: S608
    for table in ("small", "large", "parted"):
        cursor.execute(f"VACUUM ANALYZE {SCHEMA}.{table}")


def _ready(cursor) -> bool:
    cursor.execute("SELECT to_regclass(%s)", [f"{SCHEMA}.parted"])
    if cursor.fetchone()[0] is None:
        return False
    cursor.execute(f"SELECT count(*) FROM {SCHEMA}.large")  # noqa: S608
    return cursor.fetchone()[0] == LARGE_CASES * EVENTS_PER_CASE


VARIANTS = {
    "plain, 1,000,000 events": ("small", SMALL_CASES, False),
    "plain, 10,000,000 events": ("large", LARGE_CASES, False),
    "60 monthly partitions, 10,000,000 events": ("parted", LARGE_CASES, False),
    "60 monthly partitions, 10,000,000 events, from the case's creation on": (
        "parted",
        LARGE_CASES,
        True,
    ),
}


def _timeline_ms(cursor, rng: random.Random) -> dict[str, list[float]]:
    """Each variant reads one random case's timeline in turn, the first variant rotating, so
    that the machine's drift falls on all of them alike."""
    timings: dict[str, list[float]] = {name: [] for name in VARIANTS}
    names = list(VARIANTS)
    for probe in range(PROBES + WARM_UP):
        order = names[probe % len(names) :] + names[: probe % len(names)]
        for name in order:
            table, cases, bounded = VARIANTS[name]
            case = rng.randint(1, cases)
            params: list = [case]
            bound = ""
            if bounded:
                bound = "AND created_at >= %s"
                params.append(START + timedelta(seconds=case * _span_seconds() / cases))
            start = time.perf_counter()
            cursor.execute(
                f"SELECT id, kind, to_state, created_at FROM {SCHEMA}.{table} "  # noqa: S608
                f"WHERE complaint_id = %s {bound} ORDER BY created_at, id",
                params,
            )
            rows = cursor.fetchall()
            if probe >= WARM_UP:
                timings[name].append((time.perf_counter() - start) * 1000)
            if len(rows) != EVENTS_PER_CASE:
                raise RuntimeError(f"case {case} of {table} has {len(rows)} events")
    return timings


def _retire_ms(statement: str, repeat: int = 3) -> list[float]:
    timings = []
    for _ in range(repeat):
        with transaction.atomic(), connection.cursor() as cursor:
            start = time.perf_counter()
            cursor.execute(statement)
            timings.append((time.perf_counter() - start) * 1000)
            transaction.set_rollback(True)
    return timings


def run() -> list[Result]:
    with connection.cursor() as cursor:
        if os.environ.get("BENCH_TIMELINE_RESET") or not _ready(cursor):
            started = time.perf_counter()
            _build(cursor)
            took = time.perf_counter() - started
            print(f"   built 1M + 10M + 10M partitioned events in {took:.0f} s")
        cursor.execute(
            "SELECT pg_total_relation_size(%s), pg_total_relation_size(%s)",
            [f"{SCHEMA}.small", f"{SCHEMA}.large"],
        )
        small_bytes, large_bytes = cursor.fetchone()
        cursor.execute(
            "SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits "
            "WHERE inhparent = %s::regclass",
            [f"{SCHEMA}.parted"],
        )
        parted_bytes = int(cursor.fetchone()[0])
        rng = random.Random(7)  # noqa: S311 - which cases to read
        figures = _timeline_ms(cursor, rng)
    first, second = _months()[:2]
    delete = _retire_ms(
        f"DELETE FROM {SCHEMA}.large WHERE created_at < '{second.isoformat()}'"  # noqa: S608
    )
    drop = _retire_ms(f"DROP TABLE {SCHEMA}.parted_{first:%Y%m}")
    sizes = (
        f"on disk: 1M plain {small_bytes / 1e6:,.0f} MB, 10M plain {large_bytes / 1e6:,.0f} MB, "
        f"10M partitioned {parted_bytes / 1e6:,.0f} MB"
    )
    results = [
        Result(
            name=f"timeline of one case, {name}",
            median_ms=median(timings),
            min_ms=min(timings),
            runs=len(timings),
        )
        for name, timings in figures.items()
    ]
    results[-1].detail = sizes
    results += [
        Result(
            name="retire the oldest month of 10,000,000 events: DELETE",
            median_ms=median(delete),
            min_ms=min(delete),
            runs=len(delete),
        ),
        Result(
            name="retire the oldest month of 10,000,000 events: DROP partition",
            median_ms=median(drop),
            min_ms=min(drop),
            runs=len(drop),
        ),
    ]
    return results
