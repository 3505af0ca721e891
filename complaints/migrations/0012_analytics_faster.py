from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without locking writes: these tables hold millions of rows in production.
    atomic = False

    dependencies = [
        ("complaints", "0011_analytics_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="caseevent",
            index=models.Index(
                condition=models.Q(("to_state", ""), _negated=True),
                fields=["complaint", "to_state", "created_at"],
                name="event_complaint_state",
            ),
        ),
        AddIndexConcurrently(
            model_name="complaint",
            index=models.Index(
                fields=["dealer", "id"],
                include=("assignee",),
                name="complaint_dealer_assignee",
            ),
        ),
    ]
