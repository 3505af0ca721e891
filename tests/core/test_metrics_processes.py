"""Metrics and JSON logs in the real processes: gunicorn with several workers adds up their
counts in one /metrics; a prefork Celery worker driven by beat serves the sweep's counts on
its own port; both write JSON lines."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.utils import timezone

from complaints.choices import State
from followups.models import Deadline
from tests.conftest import database_url
from tests.core.test_deploy_checks import _production
from tests.followups.test_services import _start, _stop, _wait_for
from tests.metrics import TOKEN, parse, value
from tests.processes import free_port, gunicorn

pytestmark = [pytest.mark.services, pytest.mark.timeout(180)]


def _env(tmp_path: Path, metrics_dir: Path, **overrides: str) -> dict[str, str]:
    return _production(
        DATABASE_URL=database_url(connection.settings_dict),
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        METRICS_TOKEN=TOKEN,
        VAR_DIR=str(tmp_path / "var"),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        **overrides,
    )


def _json_lines(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


def test_gunicorn_workers_add_up_their_counts_in_one_scrape(postgres, tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_99999.db").write_bytes(b"left over from the last run")
    log = tmp_path / "gunicorn.log"
    headers = {"Authorization": f"Bearer {TOKEN}"}

    with gunicorn(
        "config.wsgi:application",
        _env(tmp_path, metrics_dir),
        log,
        workers=3,
        args=("--access-logfile", "-"),
    ) as (base, _server):
        assert not (metrics_dir / "counter_99999.db").exists()  # emptied at start
        for _ in range(30):
            # A new connection each time: the requests are spread over the workers.
            assert requests.get(f"{base}/health/live", timeout=30).status_code == 200
        refused = requests.get(f"{base}/metrics", timeout=30)
        scrapes = [
            parse(requests.get(f"{base}/metrics", headers=headers, timeout=30).text)
            for _ in range(6)
        ]

    assert refused.status_code == 403
    labels = {"route": "/health/live", "method": "GET", "status": "200"}
    # Whichever worker answers the scrape, it reports every worker's requests (the
    # readiness probe of the test helper counts too).
    counts = {value(s, "http_request_duration_seconds_count", **labels) for s in scrapes}
    assert len(counts) == 1 and counts.pop() >= 30
    served_by = {path.name for path in metrics_dir.glob("histogram_*.db")}
    assert len(served_by) >= 2, served_by
    assert value(scrapes[-1], "database_up") == 1
    # gunicorn's own lines and its access log are JSON lines too, with the request id.
    lines = _json_lines(log)
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert len(access) >= 30
    assert access[0]["message"].startswith("GET /health/live 200")
    assert any(line["logger"] == "gunicorn.error" for line in lines)


def test_a_prefork_worker_serves_the_sweeps_counts_on_its_port(
    postgres, tmp_path, alice, make_complaint
):
    past = timezone.now() - timedelta(hours=1)
    for _ in range(3):
        case = make_complaint(alice, state=State.RECEIVED)
        Deadline.objects.create(complaint=case, kind="commitment", due_at=past, promise="Call")
    metrics_dir = tmp_path / "worker-metrics"
    port = free_port()
    env = _env(tmp_path, metrics_dir, METRICS_PORT=str(port), SWEEP_INTERVAL_SECONDS="1")
    env.pop("CELERY_BROKER_URL", None)  # the file-system broker under VAR_DIR
    worker = _start(
        [
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "2",
            "--without-gossip",
            "--without-mingle",
        ],
        env,
        tmp_path / "worker.log",
    )
    beat = _start(
        ["beat", "--schedule", str(tmp_path / "beat-schedule")], env, tmp_path / "beat.log"
    )
    url = f"http://127.0.0.1:{port}/metrics"
    headers = {"Authorization": f"Bearer {TOKEN}"}

    def breaches() -> float:
        try:
            answer = requests.get(url, headers=headers, timeout=30)
        except requests.ConnectionError:
            return 0
        return value(parse(answer.text), "deadline_sweep_breaches_total", kind="commitment")

    try:
        counted = _wait_for(lambda: breaches() == 3, 90)
        refused = requests.get(url, timeout=30).status_code
        samples = parse(requests.get(url, headers=headers, timeout=30).text)
    finally:
        _stop(beat)
        _stop(worker)

    worker_log = (tmp_path / "worker.log").read_text()
    assert counted, worker_log[-3000:]
    assert refused == 403
    assert Deadline.objects.filter(breached_at__isnull=False).count() == 3
    assert value(samples, "deadline_sweep_duration_seconds_count") >= 1
    # Written by the pool's processes, read by the main one.
    assert list(metrics_dir.glob("*.db"))
    # The worker's lines are JSON, each task's with its name and id.
    tasks = [line for line in _json_lines(tmp_path / "worker.log") if line.get("task")]
    assert any(line["task"] == "followups.sweep_deadlines" and line["task_id"] for line in tasks)
