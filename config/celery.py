"""The Celery application: one worker pool and exactly one beat process.

Beat only ticks; the truth about what is due lives in the database (followups.Deadline),
so a lost message or a restarted broker delays work but never loses it.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("complaint_desk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = {}
app.autodiscover_tasks()
