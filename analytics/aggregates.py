"""Database expressions the figures are computed with (PostgreSQL)."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db.models import Aggregate, DurationField, ExpressionWrapper, F, FloatField, Func


class Percentile(Aggregate):
    """`percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`: the interpolated
    percentile PostgreSQL computes over the group; NULL for an empty group."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile's fraction lies between 0 and 1.")
        # A float of our own, never user input: safe to put in the statement as it is.
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


class Percentiles(Aggregate):
    """`percentile_cont(ARRAY[fractions]) WITHIN GROUP (ORDER BY expression)`: several
    percentiles of the group from one sort, as a list in the order of the fractions; NULL
    for an empty group."""

    function = "PERCENTILE_CONT"
    name = "Percentiles"
    output_field = ArrayField(FloatField())
    template = (
        "%(function)s(ARRAY[%(fractions)s]::double precision[]) "
        "WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    )

    def __init__(self, expression: Any, fractions: list[float], **extra: Any) -> None:
        if not fractions or not all(0 <= fraction <= 1 for fraction in fractions):
            raise ValueError("A percentile's fraction lies between 0 and 1.")
        # Floats of our own, never user input: safe to put in the statement as they are.
        text = ", ".join(repr(float(fraction)) for fraction in fractions)
        super().__init__(expression, fractions=text, **extra)


class Hours(Func):
    """The hours from one timestamp column to another, as a float."""

    template = "(EXTRACT(EPOCH FROM %(expressions)s) / 3600.0)"
    output_field = FloatField()

    def __init__(self, start: str | Any, end: str | Any) -> None:
        start = F(start) if isinstance(start, str) else start
        end = F(end) if isinstance(end, str) else end
        super().__init__(ExpressionWrapper(end - start, output_field=DurationField()))
