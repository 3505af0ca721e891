"""The embedded default database: starts by itself, survives a crash, stops when told."""

from __future__ import annotations

import os
import signal
import time

import psycopg2
import pytest

from config import embedded_postgres


def _postmaster_pid(data_dir) -> int:
    return int((data_dir / "postmaster.pid").read_text().splitlines()[0])


def _select_one(settings: dict) -> int:
    connection = psycopg2.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"]
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0]
    finally:
        connection.close()


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "postgres"
    yield folder
    embedded_postgres.stop(folder)


def test_a_new_folder_becomes_a_running_database_and_stops_on_request(data_dir):
    settings = embedded_postgres.database_settings(data_dir, "complaints")

    assert settings["ENGINE"] == "django.db.backends.postgresql"
    assert _select_one(settings) == 1
    assert embedded_postgres.is_running(data_dir)
    # A second process asking for it finds it running and shares it.
    assert embedded_postgres.database_settings(data_dir, "complaints") == settings

    assert embedded_postgres.stop(data_dir) is True
    assert not embedded_postgres.is_running(data_dir)
    assert embedded_postgres.stop(data_dir) is False


def test_a_server_killed_with_sigkill_is_started_again_over_its_stale_pid_file(data_dir):
    settings = embedded_postgres.database_settings(data_dir, "complaints")
    pid = _postmaster_pid(data_dir)

    os.kill(pid, signal.SIGKILL)
    for _ in range(50):  # until the process is gone; its postmaster.pid stays behind
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    assert (data_dir / "postmaster.pid").exists()

    again = embedded_postgres.database_settings(data_dir, "complaints")

    assert again == settings
    assert _postmaster_pid(data_dir) != pid
    assert _select_one(again) == 1


def test_the_database_has_pg_trgm_for_text_search(data_dir):
    settings = embedded_postgres.database_settings(data_dir, "complaints")
    connection = psycopg2.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"]
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
            assert cursor.fetchone() == (1,)
    finally:
        connection.close()
