"""The WSGI application, for tests only, with a pause a test can kill the worker in.

A create sent with `X-Test-Pause: in-transaction` stops after the case was written and its
response built, before the transaction commits; with `X-Test-Pause: after-commit` it stops
right after the commit, before the response is sent. The worker writes its process id to a
file named after the point in `PAUSE_MARKER_DIR` and sleeps there.
"""

from __future__ import annotations

import importlib
import os
import time
from pathlib import Path
from typing import Any

from django.db import transaction

from config.wsgi import application

# Django is set up by now (config.wsgi), so the views can be imported.
apis = importlib.import_module("complaints.apis")
MARKERS = Path(os.environ["PAUSE_MARKER_DIR"])
POINTS = ("in-transaction", "after-commit")
_complaint_response = apis.complaint_response


def _pause(point: str) -> None:
    (MARKERS / point).write_text(str(os.getpid()))
    time.sleep(120)


def complaint_response(request: Any, complaint: Any, **kwargs: Any) -> Any:
    response = _complaint_response(request, complaint, **kwargs)
    point = request.headers.get("X-Test-Pause")
    if point == "in-transaction":
        _pause(point)
    elif point == "after-commit":
        transaction.on_commit(lambda: _pause(point))
    return response


apis.complaint_response = complaint_response

__all__ = ["application"]
