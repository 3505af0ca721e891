"""gunicorn reads this file from the folder it starts in (the image's /app).

- Metrics: with PROMETHEUS_MULTIPROC_DIR set, each worker process writes its counts to a file
  there and /metrics adds them up (core.metrics). The folder is emptied when gunicorn starts,
  and a worker that ends has its live gauges dropped.
- Logs: with LOG_FORMAT=json (the production default), gunicorn's own lines and its access
  log are JSON lines too (core.logs.JsonFormatter); the access line names the method, the
  path, the status, the size, the duration and the request id, not the client's address.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

_METRICS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
_SETTINGS = os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.production")
_DEFAULT_FORMAT = "json" if _SETTINGS.endswith("production") else "text"
_LOG_FORMAT = os.environ.get("LOG_FORMAT") or _DEFAULT_FORMAT


def on_starting(server: Any) -> None:
    if _METRICS_DIR:
        folder = Path(_METRICS_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        for entry in folder.glob("*.db"):
            entry.unlink(missing_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    if _METRICS_DIR:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid, _METRICS_DIR)


if _LOG_FORMAT == "json":
    access_log_format = "%(m)s %(U)s %(s)s %(B)s %(M)sms %({x-request-id}o)s"
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "core.logs.JsonFormatter"}},
        "handlers": {
            "error": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            },
        },
        "root": {"level": "INFO", "handlers": ["error"]},
        # No level here: gunicorn's own (--log-level) stays in force.
        "loggers": {
            "gunicorn.error": {"handlers": ["error"], "propagate": False},
            "gunicorn.access": {"handlers": ["access"], "propagate": False},
        },
    }
