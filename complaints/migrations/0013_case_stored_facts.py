from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

# The facts as complaints.stored_facts.fill_stored_facts computes them, frozen here: the
# first arrivals in follow-up and in the review and the first reopening from the timeline,
# and whether the same customer or vehicle had a case received in the 90 days before.
FILL = """
WITH timeline AS (
    SELECT complaint_id,
           MIN(created_at) FILTER (WHERE to_state = 'following_up') AS follow_up,
           MIN(created_at) FILTER (WHERE to_state = 'reviewing') AS resolved,
           MIN(created_at) FILTER (WHERE transition = 'reopen') AS reopened
    FROM complaints_caseevent
    WHERE to_state IN ('following_up', 'reviewing') OR transition = 'reopen'
    GROUP BY complaint_id
),
repeats AS (
    SELECT id FROM (
        SELECT id, COUNT(*) OVER (PARTITION BY customer_id ORDER BY created_at
            RANGE BETWEEN INTERVAL '90 days' PRECEDING AND CURRENT ROW EXCLUDE GROUP) AS earlier
        FROM complaints_complaint WHERE customer_id IS NOT NULL
    ) AS r WHERE r.earlier > 0
    UNION
    SELECT id FROM (
        SELECT id, COUNT(*) OVER (PARTITION BY vehicle_id ORDER BY created_at
            RANGE BETWEEN INTERVAL '90 days' PRECEDING AND CURRENT ROW EXCLUDE GROUP) AS earlier
        FROM complaints_complaint WHERE vehicle_id IS NOT NULL
    ) AS r WHERE r.earlier > 0
),
facts AS (
    SELECT c.id, t.follow_up, t.resolved, t.reopened, r.id IS NOT NULL AS is_repeat
    FROM complaints_complaint AS c
    LEFT JOIN timeline AS t ON t.complaint_id = c.id
    LEFT JOIN repeats AS r ON r.id = c.id
)
UPDATE complaints_complaint AS c
SET reached_follow_up_at = f.follow_up, resolved_at = f.resolved,
    reopened_at = f.reopened, is_repeat = f.is_repeat
FROM facts AS f
WHERE c.id = f.id
  AND (c.reached_follow_up_at, c.resolved_at, c.reopened_at, c.is_repeat)
      IS DISTINCT FROM (f.follow_up, f.resolved, f.reopened, f.is_repeat)
"""


class Migration(migrations.Migration):
    # The index is built without locking writes: the table holds millions of rows.
    atomic = False

    dependencies = [
        ("complaints", "0012_analytics_faster"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="reached_follow_up_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="first reached follow-up at"
            ),
        ),
        migrations.AddField(
            model_name="complaint",
            name="resolved_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="resolved at"
            ),
        ),
        migrations.AddField(
            model_name="complaint",
            name="reopened_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="first reopened at"
            ),
        ),
        migrations.AddField(
            model_name="complaint",
            name="is_repeat",
            field=models.BooleanField(
                db_default=False, default=False, editable=False, verbose_name="repeat complaint"
            ),
        ),
        # The sessions of migrations run in UTC (USE_TZ), as the analytics' did: the 90 days
        # are counted in UTC as they were.
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop, elidable=True),
        AddIndexConcurrently(
            model_name="complaint",
            index=models.Index(
                fields=["dealer", "created_at"],
                include=(
                    "state",
                    "severity",
                    "is_safety_related",
                    "compensation_amount",
                    "first_response_at",
                    "closed_at",
                    "reached_follow_up_at",
                    "resolved_at",
                    "reopened_at",
                    "is_repeat",
                ),
                name="complaint_dealer_figures",
            ),
        ),
    ]
