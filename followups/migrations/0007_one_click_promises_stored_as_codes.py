"""The one-click promises were stored as their label in the language of whoever made them
("20 分钟内回电"), so an English reader saw Chinese: those that match a label are stored as
their code, which each reader reads in their own language. Promises in other words keep
them as typed. The labels are copied here as they were, so that this migration keeps its
meaning whatever the code says later."""

from __future__ import annotations

from django.db import migrations

OLD_LABELS = {
    "callback_20m": ("20 分钟内回电", "Call back within 20 minutes"),
    "callback_2h": ("2 小时内回电", "Call back within 2 hours"),
    "feedback_24h": ("24 小时内反馈", "Feedback within 24 hours"),
    "feedback_2d": ("2 天内反馈", "Feedback within 2 days"),
}


def labels_to_codes(apps, schema_editor):
    Deadline = apps.get_model("followups", "Deadline")
    for code, labels in OLD_LABELS.items():
        Deadline._base_manager.filter(
            kind="commitment", promise_code="", promise__in=labels
        ).update(promise_code=code, promise="")


def codes_to_labels(apps, schema_editor):
    # Back to the words, in the site's language (Simplified Chinese).
    Deadline = apps.get_model("followups", "Deadline")
    for code, (chinese, _english) in OLD_LABELS.items():
        Deadline._base_manager.filter(kind="commitment", promise_code=code).update(
            promise=chinese, promise_code=""
        )


class Migration(migrations.Migration):
    dependencies = [("followups", "0006_promise_code_and_informed_outcome")]

    operations = [migrations.RunPython(labels_to_codes, codes_to_labels)]
