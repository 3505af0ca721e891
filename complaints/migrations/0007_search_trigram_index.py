# The search reads a case's own words through a trigram index (pg_trgm), which finds Chinese
# and English substrings alike.

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0006_complaint_supplier"),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddIndex(
            model_name="complaint",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper(
                        django.db.models.functions.text.Concat(
                            models.F("reference"),
                            models.Value("\n"),
                            models.F("description"),
                            models.Value("\n"),
                            models.F("original_description"),
                            models.Value("\n"),
                            models.F("customer_request"),
                            models.Value("\n"),
                            models.F("root_cause"),
                            models.Value("\n"),
                            models.F("chosen_resolution"),
                            models.Value("\n"),
                            models.F("agreed_resolution"),
                            models.Value("\n"),
                            models.F("actions_taken"),
                            output_field=models.TextField(),
                        )
                    ),
                    name="gin_trgm_ops",
                ),
                name="complaint_search_trgm",
            ),
        ),
    ]
