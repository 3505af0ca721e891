"""Helpers for the tests of data migrations: move the test database to a migration state and
back to the latest one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(targets: list[tuple[str, str]]) -> Any:
    """Migrate the test database to `targets`; the historical apps of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def migrate_to_latest() -> Any:
    """Migrate the test database to the latest state; its historical apps."""
    return migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())


@contextmanager
def migrated_back_from(targets: list[tuple[str, str]]) -> Iterator[Any]:
    """The apps of the state `targets`; the database is put back to the latest state after."""
    apps = migrate_to(targets)
    try:
        yield apps
    finally:
        migrate_to_latest()
