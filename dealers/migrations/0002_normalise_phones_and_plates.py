"""Store every phone number and plate in the one spelling intake matches on.

Intake finds a customer by phone and a vehicle by plate with an exact comparison on the
normalised value; rows stored before normalisation ("138 0013 8000", "沪A·12345") would
otherwise never match and their customer would be created a second time.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import migrations

BATCH = 1000
# Frozen copies of dealers.validators.normalize_phone / normalize_plate as of this migration.
_PHONE_SEPARATORS = re.compile(r"[\s\-.()/]+")
_PLATE_SEPARATORS = re.compile(r"[\s\-.·•]+")


def normalize_phone(value: str) -> str:
    return _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", str(value or "")))


def normalize_plate(value: str) -> str:
    return _PLATE_SEPARATORS.sub("", unicodedata.normalize("NFKC", str(value or ""))).upper()


def _normalise(model, field: str, normalise) -> None:
    changed = []
    for row in model.objects.only("pk", field).iterator(chunk_size=BATCH):
        value = getattr(row, field)
        clean = normalise(value)
        if clean != value:
            setattr(row, field, clean)
            changed.append(row)
    model.objects.bulk_update(changed, [field], batch_size=BATCH)


def forwards(apps, schema_editor) -> None:
    _normalise(apps.get_model("dealers", "Customer"), "phone", normalize_phone)
    _normalise(apps.get_model("dealers", "Vehicle"), "plate", normalize_plate)


class Migration(migrations.Migration):
    dependencies = [("dealers", "0001_initial")]

    # Backwards keeps the normalised spelling: it is the same number and the same plate.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
