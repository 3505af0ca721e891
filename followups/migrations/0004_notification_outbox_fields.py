"""The notification's e-mail state takes the outbox's field names (core.outbox.OutboxMixin),
shared with the webhook deliveries. Renamed in place: every row keeps its state."""

from django.db import migrations, models

RENAMED = [
    ("email_due_at", "outbox_due_at"),
    ("email_attempts", "outbox_attempts"),
    ("email_claimed_until", "outbox_claimed_until"),
    ("email_sent_at", "outbox_sent_at"),
    ("email_failed_at", "outbox_given_up_at"),
    ("email_last_error", "outbox_last_error"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0003_notification_is_the_outbox"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="notification", name="notification_email_pending"),
        *(
            migrations.RenameField(model_name="notification", old_name=old, new_name=new)
            for old, new in RENAMED
        ),
        migrations.AlterField(
            model_name="notification",
            name="outbox_due_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Empty when nothing is to be sent.",
                null=True,
                verbose_name="next attempt at",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="outbox_attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="attempts"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="outbox_claimed_until",
            field=models.DateTimeField(blank=True, null=True, verbose_name="claimed until"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="outbox_sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="sent at"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="outbox_given_up_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="given up at"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="outbox_last_error",
            field=models.TextField(blank=True, verbose_name="last error"),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(
                    ("outbox_due_at__isnull", False),
                    ("outbox_given_up_at__isnull", True),
                    ("outbox_sent_at__isnull", True),
                ),
                fields=["outbox_due_at"],
                name="notification_outbox_due",
            ),
        ),
    ]
