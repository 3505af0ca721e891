from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without locking writes: these tables hold millions of rows in production.
    atomic = False

    dependencies = [
        ("followups", "0012_deadline_contact_dealer"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="deadline",
            index=models.Index(
                condition=models.Q(("cancelled_at__isnull", True)),
                fields=["dealer", "due_at"],
                include=("kind", "breached_at", "complaint"),
                name="deadline_dealer_due",
            ),
        ),
        AddIndexConcurrently(
            model_name="deadline",
            index=models.Index(
                condition=models.Q(("cancelled_at__isnull", True), ("satisfied_at__isnull", True)),
                fields=["dealer", "due_at"],
                name="deadline_dealer_open",
            ),
        ),
        AddIndexConcurrently(
            model_name="contactattempt",
            index=models.Index(
                fields=["dealer", "contacted_at"],
                include=("outcome", "complaint"),
                name="contact_dealer_time",
            ),
        ),
        # Read by dealer now: the dealer's indexes above replace them.
        RemoveIndexConcurrently(model_name="deadline", name="deadline_due"),
        RemoveIndexConcurrently(model_name="contactattempt", name="contact_time"),
    ]
