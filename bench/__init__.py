"""Benchmarks, run with `make bench` (never part of the test suite).

Each module `bench/bench_*.py` defines `run()`, returning `Result`s (or any object with a
`line()`). They run against the PostgreSQL server named by BENCH_DATABASE_URL: the generated
network (`manage.py generate_load`, BENCH_CASES cases) in its database, and databases of
their own that they may fill and empty at will. `python -m bench` writes every figure to
bench/results.json and bench/results.md (see bench.report).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Result:
    """One figure: the median of `runs` timings (or a rate, `unit` "req/s"), the spread, the
    SQL queries per request, and what it is measured against: a `target` (met or missed) and a
    `reference` figure measured in the same run (the ratio is median / reference)."""

    name: str
    median_ms: float
    runs: int
    detail: str = ""
    min_ms: float | None = None
    max_ms: float | None = None
    queries: int | str | None = None
    target_ms: float | None = None
    reference: str = ""
    reference_ms: float | None = None
    unit: str = "ms"
    group: str = ""
    module: str = ""

    @classmethod
    def of(cls, name: str, timings: list[float], **extra: object) -> Result:
        return cls(
            name=name,
            median_ms=median(timings),
            runs=len(timings),
            min_ms=min(timings),
            max_ms=max(timings),
            **extra,  # type: ignore[arg-type]
        )

    @property
    def ratio(self) -> float | None:
        if not self.reference_ms or self.median_ms is None:
            return None
        return self.median_ms / self.reference_ms

    @property
    def verdict(self) -> str:
        if self.target_ms is None:
            return ""
        if self.unit == "req/s":
            met = self.median_ms >= self.target_ms
        else:
            met = self.median_ms < self.target_ms
        return "met" if met else "missed"

    def line(self) -> str:
        spread = (
            f" min {self.min_ms:9.2f} max {self.max_ms:9.2f}"
            if self.min_ms is not None and self.max_ms is not None
            else ""
        )
        queries = f" queries={self.queries}" if self.queries is not None else ""
        ratio = f" ratio {self.ratio:.2f} to {self.reference}" if self.ratio is not None else ""
        target = f" target {self.target_ms:g} {self.unit}: {self.verdict}" if self.verdict else ""
        return (
            f"{self.name:<60} median {self.median_ms:9.2f} {self.unit}{spread} "
            f"({self.runs} runs){queries}{ratio}{target} {self.detail}"
        )


def measure(
    fn: Callable[[], object], *, repeat: int = 7, setup: Callable[[], object] | None = None
) -> list[float]:
    """Wall-clock milliseconds of each of `repeat` calls of fn, each after setup()."""
    timings = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def median(values: list[float]) -> float:
    return statistics.median(values)


def setting(name: str, default: int) -> int:
    """A whole number from the environment (underscores allowed), at least 1."""
    raw = os.environ.get(name, "")
    try:
        value = int(raw.replace("_", "")) if raw else default
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise SystemExit(f"{name} must be at least 1, not {value}")
    return value


def repeat(default: int) -> int:
    """How many timed requests per figure: BENCH_REPEAT, else the figure's own default."""
    return setting("BENCH_REPEAT", default)
