"""Deadlines and contacts carry their case's dealer, so that a dealer's are read by dealer
and time alone. Added empty, filled from the cases, then required."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
    UPDATE {table} AS row SET dealer_id = complaint.dealer_id
    FROM complaints_complaint AS complaint
    WHERE complaint.id = row.complaint_id AND row.dealer_id IS NULL
"""


def _dealer(null: bool) -> models.ForeignKey:
    return models.ForeignKey(
        db_index=False,
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="dealers.dealer",
        verbose_name="dealer",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0012_analytics_faster"),
        ("dealers", "0006_analytics_indexes"),
        ("followups", "0011_analytics_indexes"),
    ]

    operations = [
        migrations.AddField(model_name="deadline", name="dealer", field=_dealer(True)),
        migrations.AddField(model_name="contactattempt", name="dealer", field=_dealer(True)),
        migrations.RunSQL(FILL.format(table="followups_deadline"), migrations.RunSQL.noop),
        migrations.RunSQL(FILL.format(table="followups_contactattempt"), migrations.RunSQL.noop),
        # The updates queued deferred foreign-key checks, which ALTER TABLE would refuse.
        migrations.RunSQL("SET CONSTRAINTS ALL IMMEDIATE", migrations.RunSQL.noop),
        migrations.AlterField(model_name="deadline", name="dealer", field=_dealer(False)),
        migrations.AlterField(model_name="contactattempt", name="dealer", field=_dealer(False)),
    ]
