"""The capacity model: what a network of dealers asks of one PostgreSQL server, from sizes
measured in a filled database.

    make bench                          # writes bench/capacity.md after the benchmarks
    python -m bench.capacity            # again, from the sizes in BENCH_DATABASE_URL

It reads, for each table that grows with the cases, its rows and its bytes on disk (heap,
indexes and TOAST together, `pg_total_relation_size`), so bytes per row include every index
the migrations define, and the time the hot pages (the API's list and detail, the
advisor's list, the case page) spend in the database driver per request. Those are
measurements. What a dealer does in a year (cases, staff,
pages they open) are assumptions, named in `Network` and `Workload` with the reason for each
value, and the projection is plain arithmetic on both: `project()` is a pure function, tested
on its own.

The verdict compares the projection with what one PostgreSQL primary on one large machine
does comfortably (`OneServer`): data on its disks, the hot part of it in memory, and the
database time of the busiest hour within its cores.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# The tables that grow with the cases, by the model that owns them ("app_label.Model").
GROWING = {
    "cases": "complaints.Complaint",
    "timeline events": "complaints.CaseEvent",
    "deadlines": "followups.Deadline",
    "contact attempts": "followups.ContactAttempt",
    "notifications (e-mail outbox)": "followups.Notification",
    "webhook deliveries": "api.WebhookDelivery",
    "audit entries": "core.AuditEntry",
    "customers": "dealers.Customer",
    "vehicles": "dealers.Vehicle",
    "repair orders": "dealers.RepairOrder",
    "reviews": "learning.CaseReview",
}

# Rows per case in a working dealership, where the demo and the generated data cannot tell:
# the generator spreads cases over every state, so its ratios describe its own mix. These are
# the ratios of a case that runs through all seven steps (see README, "Deadlines" and
# "Step 7"): intake, listening, facts, decision, action, follow-up, review and close are
# about ten timeline events; first response, follow-up and one promise or repair date are
# three deadlines; each step and breach tells two or three people.
ROWS_PER_CASE = {
    "cases": 1.0,
    "timeline events": 10.0,
    "deadlines": 3.5,
    "contact attempts": 2.0,
    "notifications (e-mail outbox)": 6.0,
    "webhook deliveries": 8.0,
    "audit entries": 2.0,
    "customers": 0.8,
    "vehicles": 0.8,
    "repair orders": 1.5,
    "reviews": 0.9,
}


# Bytes per row of the tables the generated network leaves empty (it writes no
# notifications, webhook deliveries or audit entries): estimated from what one row holds,
# a title and a message of a few dozen Chinese characters (three bytes each), a webhook's
# JSON document of the case with its attempt log, an audit line, plus the row's header and
# its indexes. A measured figure replaces its estimate as soon as the table has rows.
ESTIMATED_BYTES_PER_ROW = {
    "notifications (e-mail outbox)": 600.0,
    "webhook deliveries": 1200.0,
    "audit entries": 450.0,
}


@dataclass(frozen=True)
class Network:
    """A dealer network over the years its data is kept."""

    dealers: int
    # A dealership with 10,000-20,000 workshop visits a year and a complaint rate of a few
    # per cent logs a few hundred cases; 500 is a busy one.
    cases_per_dealer_year: int = 500
    years_kept: int = 5


@dataclass(frozen=True)
class Workload:
    """How the busiest hour uses the system."""

    staff_per_dealer: int = 8  # advisors, managers, technicians signed in
    pages_per_staff_hour: int = 60  # one page or API call a minute while they work
    dms_calls_per_case: int = 6  # creation and updates from the DMS
    busiest_hour_share: float = 0.15  # of a working day's traffic (10 hours, morning peak)
    working_days: int = 300
    # Database time per request, measured in-process by make bench (the API's case list and
    # the case page); overridden by bench/results.json when it holds them.
    db_ms_per_page: float = 6.0
    db_ms_per_write: float = 10.0


@dataclass(frozen=True)
class OneServer:
    """What one PostgreSQL primary on one large machine does comfortably."""

    cores: int = 64
    core_share: float = 0.6  # leave room for vacuum, backups, replication and spikes
    memory_gb: int = 512
    cache_share: float = 0.5  # shared buffers plus the OS cache that holds the hot data
    disk_tb: float = 8.0
    disk_share: float = 0.5  # room to rebuild an index or restore beside the live data
    hot_days: int = 90  # what the desk and the figures read every day


@dataclass
class Projection:
    network: Network
    rows_per_year: dict[str, float]
    bytes_total: float
    bytes_hot: float
    pages_per_second: float
    writes_per_second: float
    db_cores: float
    limits: dict[str, bool] = field(default_factory=dict)

    @property
    def fits_one_server(self) -> bool:
        return all(self.limits.values())


def project(
    network: Network,
    bytes_per_row: dict[str, float],
    *,
    rows_per_case: dict[str, float] | None = None,
    workload: Workload | None = None,
    server: OneServer | None = None,
) -> Projection:
    rows_per_case = rows_per_case or ROWS_PER_CASE
    workload = workload or Workload()
    server = server or OneServer()
    cases_per_year = network.dealers * network.cases_per_dealer_year
    rows_per_year = {name: cases_per_year * ratio for name, ratio in rows_per_case.items()}
    bytes_per_year = sum(
        rows * bytes_per_row.get(name, 0.0) for name, rows in rows_per_year.items()
    )
    bytes_total = bytes_per_year * network.years_kept
    bytes_hot = bytes_per_year * server.hot_days / 365
    pages_per_day = network.dealers * workload.staff_per_dealer * workload.pages_per_staff_hour * 10
    writes_per_day = cases_per_year * workload.dms_calls_per_case / workload.working_days
    pages_per_second = pages_per_day * workload.busiest_hour_share / 3600
    writes_per_second = writes_per_day * workload.busiest_hour_share / 3600
    db_cores = (
        pages_per_second * workload.db_ms_per_page + writes_per_second * workload.db_ms_per_write
    ) / 1000
    limits = {
        "disk": bytes_total <= server.disk_tb * 1e12 * server.disk_share,
        "memory": bytes_hot <= server.memory_gb * 1e9 * server.cache_share,
        "cores": db_cores <= server.cores * server.core_share,
    }
    return Projection(
        network=network,
        rows_per_year=rows_per_year,
        bytes_total=bytes_total,
        bytes_hot=bytes_hot,
        pages_per_second=pages_per_second,
        writes_per_second=writes_per_second,
        db_cores=db_cores,
        limits=limits,
    )


def largest_network(
    bytes_per_row: dict[str, float], *, workload: Workload | None = None, years_kept: int = 5
) -> int:
    """The most dealers one server carries (bisection on the projection)."""
    low, high = 1, 10_000_000
    while low < high:
        middle = (low + high + 1) // 2
        fits = project(
            Network(dealers=middle, years_kept=years_kept), bytes_per_row, workload=workload
        ).fits_one_server
        low, high = (middle, high) if fits else (low, middle - 1)
    return low


def measured_bytes_per_row(min_rows: int = 1000) -> tuple[dict[str, float], dict[str, int]]:
    """Bytes on disk per row of each growing table, and its rows, in the current database."""
    from django.apps import apps
    from django.db import connection

    bytes_per_row: dict[str, float] = {}
    rows: dict[str, int] = {}
    with connection.cursor() as cursor:
        for name, label in GROWING.items():
            table = apps.get_model(label)._meta.db_table
            # Exact counts: a freshly loaded table's statistics may be missing.
            cursor.execute(
                "SELECT count(*), pg_total_relation_size(%s::regclass) FROM "  # noqa: S608
                + connection.ops.quote_name(table),
                [table],
            )
            count, size = cursor.fetchone()
            rows[name] = count
            if count >= min_rows:  # fewer rows say more about empty pages than about a row
                bytes_per_row[name] = size / count
            elif name in ESTIMATED_BYTES_PER_ROW:
                bytes_per_row[name] = ESTIMATED_BYTES_PER_ROW[name]
    return bytes_per_row, rows


def db_ms_per_request(pages: list[tuple[str, Callable[[], None]]], repeat: int = 5) -> float:
    """The median over `pages` of the milliseconds one request spends in the database
    driver (every statement Django sends, timed around its execution)."""
    from django.db import connection

    spent = [0.0]

    def timed(execute, sql, params, many, context):  # noqa: ANN001 - Django's signature
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += (time.perf_counter() - start) * 1000

    per_page = []
    for _name, fetch in pages:
        fetch()  # warm-up: the first connection, caches
        spent[0] = 0.0
        with connection.execute_wrapper(timed):
            for _ in range(repeat):
                fetch()
        per_page.append(spent[0] / repeat)
    return statistics.median(per_page)


def workload_from_results(path: Path) -> Workload:
    """The database time per request from make bench's results, when it has them."""
    workload = Workload()
    if not path.exists():
        return workload
    figures = json.loads(path.read_text())
    measured = [r for r in figures.get("results", []) if r.get("name") == CAPACITY_FIGURE]
    if not measured:
        return workload
    return Workload(db_ms_per_page=float(measured[-1]["median_ms"]))


# The name of the figure make bench records for the database time per page.
CAPACITY_FIGURE = "capacity: database time per request of the hot pages"


def _size(value: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if value < 1000:
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1000
    return f"{value:,.1f} EB"


def report(bytes_per_row: dict[str, float], rows: dict[str, int], workload: Workload) -> str:
    lines = [
        "### Bytes per row, measured",
        "",
        "| table | rows measured | bytes per row (heap, indexes, TOAST) | rows per case (model) |",
        "|---|---|---|---|",
    ]
    for name in GROWING:
        if name not in bytes_per_row:
            measured = "too few rows"
        elif rows.get(name, 0) < 1000 and name in ESTIMATED_BYTES_PER_ROW:
            measured = f"{bytes_per_row[name]:,.0f} (estimated: no rows generated)"
        else:
            measured = f"{bytes_per_row[name]:,.0f}"
        lines.append(f"| {name} | {rows.get(name, 0):,} | {measured} | {ROWS_PER_CASE[name]} |")
    lines += [
        "",
        f"Database time per request: {workload.db_ms_per_page} ms per page, "
        f"{workload.db_ms_per_write} ms per write.",
        "",
        "### Projection",
        "",
        "| dealers | cases a year | timeline events a year | data after 5 years | hot 90 days "
        "| busiest-hour pages/s | writes/s | database cores | one server? |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for dealers in (200, 1_000, 5_000, 30_000, 100_000):
        p = project(Network(dealers=dealers), bytes_per_row, workload=workload)
        short = [name for name, ok in p.limits.items() if not ok]
        verdict = "yes" if p.fits_one_server else "no: " + ", ".join(short)
        lines.append(
            f"| {dealers:,} | {p.rows_per_year['cases']:,.0f} "
            f"| {p.rows_per_year['timeline events']:,.0f} | {_size(p.bytes_total)} "
            f"| {_size(p.bytes_hot)} | {p.pages_per_second:,.0f} | {p.writes_per_second:,.1f} "
            f"| {p.db_cores:,.1f} | {verdict} |"
        )
    lines += [
        "",
        f"One server carries about {largest_network(bytes_per_row, workload=workload):,} "
        "dealers at 500 cases a year each, kept five years.",
    ]
    return "\n".join(lines) + "\n"


def write(folder: Path, pages: list[tuple[str, Callable[[], None]]] | None) -> Workload:
    """Measure, project, and write `folder`/capacity.md; the workload it used. Without
    `pages` the database time per request comes from an earlier run's results.json."""
    workload = workload_from_results(folder / "results.json")
    if pages:
        workload = Workload(
            db_ms_per_page=round(db_ms_per_request(pages), 2),
            db_ms_per_write=workload.db_ms_per_write,
        )
    bytes_per_row, rows = measured_bytes_per_row()
    (folder / "capacity.md").write_text(report(bytes_per_row, rows, workload))
    return workload


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/complaints_bench"
    )
    import django

    django.setup()
    here = Path(__file__).resolve().parent
    write(here, None)
    sys.stdout.write((here / "capacity.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
