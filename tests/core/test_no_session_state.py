"""Nothing in the application keeps state in a database session: through PgBouncer in
transaction mode, consecutive transactions of one connection may run on different server
connections, and a session setting, lock, cursor or listener would stay behind on one of
them (or be missing on the next). The pgbouncer test runs the system through a real one; this
test names the constructs (SQL keywords in capitals, as the code writes them) so that a new
one is caught where it is written."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Benchmarks and the test suite connect directly to the database server, never through
# a pooler.
SKIPPED = {".venv", "tests", "bench", "node_modules", "static", "var"}

SESSION_STATE = {
    "a SET without LOCAL": re.compile(
        r"""["']\s*SET\s+(?!LOCAL\b|CONSTRAINTS\b)(SESSION\s+)?\w+\s*(=|TO\b)"""
    ),
    "set_config for the session": re.compile(r"set_config\([^)]*,\s*false\s*\)", re.I),
    "a session advisory lock": re.compile(r"pg_(try_)?advisory_lock(_shared)?\s*\(", re.I),
    "LISTEN or UNLISTEN": re.compile(r"""["']\s*(UN)?LISTEN\s"""),
    "a temporary table": re.compile(r"CREATE\s+(GLOBAL\s+|LOCAL\s+)?TEMP(ORARY)?\s+TABLE"),
    "a prepared statement": re.compile(r"""["']\s*PREPARE\s+\w+"""),
    "a cursor held across transactions": re.compile(r"WITH\s+HOLD"),
}


def _sources() -> list[Path]:
    folders = [
        folder
        for folder in ROOT.iterdir()
        if folder.is_dir() and folder.name not in SKIPPED and not folder.name.startswith(".")
    ]
    return [*ROOT.glob("*.py"), *(path for folder in folders for path in folder.rglob("*.py"))]


def test_the_application_keeps_no_state_in_a_database_session():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {what}: {line.strip()}"
        for path in _sources()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        for what, pattern in SESSION_STATE.items()
        if pattern.search(line)
    ]
    assert found == []


def test_the_checks_recognise_what_they_look_for():
    samples = {
        "a SET without LOCAL": 'cursor.execute("SET random_page_cost = 1.1")',
        "set_config for the session": "SELECT set_config('lock_timeout', %s, false)",
        "a session advisory lock": "SELECT pg_advisory_lock(42)",
        "LISTEN or UNLISTEN": 'cursor.execute("LISTEN outbox")',
        "a temporary table": "CREATE TEMP TABLE scratch (id int)",
        "a prepared statement": 'cursor.execute("PREPARE fetch_case AS SELECT 1")',
        "a cursor held across transactions": "DECLARE c CURSOR WITH HOLD FOR SELECT 1",
    }
    for what, sample in samples.items():
        assert SESSION_STATE[what].search(sample), what
    allowed = [
        'cursor.execute("SET LOCAL jit = off")',
        "SELECT set_config('lock_timeout', %s, true)",
        "SELECT pg_advisory_xact_lock(42)",
    ]
    for sample in allowed:
        assert not any(pattern.search(sample) for pattern in SESSION_STATE.values()), sample
