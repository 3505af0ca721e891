"""Benchmarks, run with `make bench` (never part of the test suite).

Each module `bench/bench_*.py` defines `run()`, returning what to print (`Result`s, or any
object with a `line()`). They run against the PostgreSQL server named by BENCH_DATABASE_URL,
in databases they may fill and empty at will.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Result:
    name: str
    median_ms: float
    runs: int
    detail: str = ""
    min_ms: float | None = None

    def line(self) -> str:
        fastest = f" min {self.min_ms:9.2f} ms" if self.min_ms is not None else ""
        return (
            f"{self.name:<60} median {self.median_ms:9.2f} ms{fastest}  ({self.runs} runs) "
            f"{self.detail}"
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
