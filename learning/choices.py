"""The vocabulary of step 7 and of learning from cases. Values are stable codes; labels are
rendered in the reader's language."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DefaultRootCause(models.TextChoices):
    """The root-cause categories every dealer starts with (a dealer may add its own)."""

    DIAGNOSIS = "diagnosis", _("Diagnosis")
    WORKMANSHIP = "workmanship", _("Workmanship")
    PARTS_SUPPLY = "parts_supply", _("Parts supply")
    COMMUNICATION = "communication", _("Communication")
    PROCESS = "process", _("Process")
    PRODUCT_DEFECT = "product_defect", _("Product defect")
    CUSTOMER_USE = "customer_use", _("Customer use")
    OTHER = "other", _("Other")


class CauseLiesWith(models.TextChoices):
    # 003: is it the company's system (制度) or one person's work (个人)?
    SYSTEM = "system", _("The company's system")
    PERSON = "person", _("One person's work")


class ActionState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class CheckResult(models.TextChoices):
    WORKED = "worked", _("Done and it worked")
    NOT_DONE = "not_done", _("Not done")
    DID_NOT_WORK = "did_not_work", _("Done but it did not work")


class ReflectionState(models.TextChoices):
    REQUIRED = "required", _("Required")
    SUBMITTED = "submitted", _("Submitted")
    COMMENTED = "commented", _("Commented on")
