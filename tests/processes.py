"""Real processes the integration tests start: a free loopback port and gunicorn."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from django.conf import settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(
    application: str,
    env: dict[str, str],
    log: Path,
    *,
    ready: str = "/health/live",
    timeout=60,
    workers: int = 1,
    args: tuple[str, ...] = (),
) -> Iterator[tuple[str, subprocess.Popen]]:
    """gunicorn with one worker (or `workers`) on a free loopback port, serving `application`
    with `env`; yields its base URL and process once `ready` answers, and stops it
    afterwards."""
    port = free_port()
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--timeout",
                "300",
                *args,
                application,
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                requests.get(f"{base}{ready}", timeout=5)
                break
            except (requests.ConnectionError, requests.Timeout):
                # Not listening yet, or still loading the application on a busy machine.
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
                time.sleep(0.2)
        yield base, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)
