"""Drop two single-column indexes that other indexes already start with.

`deadline.complaint_id` is the first column of `deadline_complaint_kind`, and
`notification.recipient_id` the first of `notification_inbox`: each extra index costs the
sweep one more entry per breached deadline and per notification it writes. Only the index
goes; the foreign keys stay as they are (no constraint is dropped or re-validated).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DEADLINE_INDEX = "followups_deadline_complaint_id_b9b7276f"
RECIPIENT_INDEX = "followups_notification_recipient_id_09e71caa"


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0004_caseevent_api_key"),
        ("followups", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {DEADLINE_INDEX}",
                    f"CREATE INDEX {DEADLINE_INDEX} ON followups_deadline (complaint_id)",
                ),
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {RECIPIENT_INDEX}",
                    f"CREATE INDEX {RECIPIENT_INDEX} ON followups_notification (recipient_id)",
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="deadline",
                    name="complaint",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deadlines",
                        to="complaints.complaint",
                        verbose_name="complaint",
                    ),
                ),
                migrations.AlterField(
                    model_name="notification",
                    name="recipient",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recipient",
                    ),
                ),
            ],
        ),
    ]
