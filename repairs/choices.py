from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AcceptanceMethod(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    SIGNED = "signed", _("Signed")
