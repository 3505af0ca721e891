"""Webhook deliveries keep their delivery state in the outbox's fields (core.outbox.OutboxMixin),
shared with the notifications' e-mails: the status column becomes timestamps.

pending → as it was; sending → leased for the five minutes a send was given before; delivered →
`outbox_sent_at` (the former `delivered_at`); failed → `outbox_given_up_at`, the time of the
last attempt. Reversible."""

from datetime import timedelta

from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

# How long a delivery could stay "sending" before it was sent again (the former timeout).
SENDING_TIMEOUT = timedelta(minutes=5)


def statuses_to_timestamps(apps, schema_editor):
    WebhookDelivery = apps.get_model("api", "WebhookDelivery")
    deliveries = WebhookDelivery.objects.all()
    deliveries.filter(status="sending").update(
        outbox_claimed_until=F("claimed_at") + SENDING_TIMEOUT
    )
    deliveries.filter(status="delivered", outbox_sent_at=None).update(
        outbox_sent_at=Coalesce("claimed_at", "created_at")
    )
    deliveries.filter(status="failed").update(
        outbox_given_up_at=Coalesce("claimed_at", "created_at")
    )


def timestamps_to_statuses(apps, schema_editor):
    WebhookDelivery = apps.get_model("api", "WebhookDelivery")
    deliveries = WebhookDelivery.objects.all()
    now = timezone.now()
    deliveries.filter(outbox_claimed_until__gt=now).update(
        status="sending", claimed_at=F("outbox_claimed_until") - SENDING_TIMEOUT
    )
    deliveries.filter(outbox_given_up_at__isnull=False).update(
        status="failed", claimed_at=F("outbox_given_up_at")
    )
    deliveries.filter(outbox_sent_at__isnull=False).update(
        status="delivered", claimed_at=F("outbox_sent_at")
    )
    # The former column had a default: a delivery always had a due time.
    deliveries.filter(outbox_due_at=None).update(outbox_due_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="webhookdelivery", name="webhook_delivery_due"),
        migrations.RenameField(
            model_name="webhookdelivery", old_name="attempts", new_name="outbox_attempts"
        ),
        migrations.RenameField(
            model_name="webhookdelivery", old_name="next_attempt_at", new_name="outbox_due_at"
        ),
        migrations.RenameField(
            model_name="webhookdelivery", old_name="delivered_at", new_name="outbox_sent_at"
        ),
        migrations.RenameField(
            model_name="webhookdelivery", old_name="last_error", new_name="outbox_last_error"
        ),
        migrations.AddField(
            model_name="webhookdelivery",
            name="outbox_claimed_until",
            field=models.DateTimeField(blank=True, null=True, verbose_name="claimed until"),
        ),
        migrations.AddField(
            model_name="webhookdelivery",
            name="outbox_given_up_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="given up at"),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="outbox_due_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Empty when nothing is to be sent.",
                null=True,
                verbose_name="next attempt at",
            ),
        ),
        migrations.RunPython(statuses_to_timestamps, timestamps_to_statuses),
        migrations.RemoveField(model_name="webhookdelivery", name="status"),
        migrations.RemoveField(model_name="webhookdelivery", name="claimed_at"),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="outbox_sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="sent at"),
        ),
        migrations.AddIndex(
            model_name="webhookdelivery",
            index=models.Index(
                condition=models.Q(
                    ("outbox_due_at__isnull", False),
                    ("outbox_given_up_at__isnull", True),
                    ("outbox_sent_at__isnull", True),
                ),
                fields=["outbox_due_at"],
                name="webhook_delivery_outbox_due",
            ),
        ),
    ]
