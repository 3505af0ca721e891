"""The deadline sweep, today's code beside a baseline commit's, measured in the same run.

A sweep of 1,000 due deadlines among 1,000,000 open ones (BENCH_SWEEP_OPEN): it claims
1,000 breaches and writes 1,000 timeline events and 3,000 notifications, each owing an
e-mail. The number of SQL queries must not grow with the open deadlines, nor the time: today's
code is measured at a second, small number of open deadlines too (BENCH_SWEEP_SMALL, default
10,000); the target is under 200 ms. The sweep keeps databases of its own (below): the
baseline's code needs its own schema, and re-arming breaches would rewrite the network's.

The baseline (BENCH_BASELINE, a commit; empty to measure today's code alone) is extracted
with `git archive` into a temporary folder. Each side runs in its own process
(bench/sweep_runner.py) against its own database, migrated with its own migrations and
seeded once (kept between runs of `make bench`, one database per side and size). The two
sides then take turns, a few sweeps each per round, the first side alternating, so that a
machine whose speed drifts (a busy neighbour, a virtual machine's host) slows both alike;
each side reports its median, and the ratio new/old is the comparison.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import Result, median, setting

ROOT = Path(__file__).resolve().parent.parent
RUNNER = Path(__file__).resolve().parent / "sweep_runner.py"
# The code before the sweep and its writers moved to the ORM.
DEFAULT_BASELINE = "f1c1087"
DUE = 1_000
TARGET_MS = 200


@dataclass
class Ratio:
    """A line of the report that is not a timing: new/old of two medians."""

    name: str
    value: float
    detail: str = ""

    def line(self) -> str:
        return f"{self.name:<60} {self.value:.2f}  {self.detail}"


class Side:
    """One code tree's runner process: seeded once, then asked for a few sweeps at a time."""

    def __init__(self, label: str, tree: Path, database_url: str, size: int) -> None:
        self.label = label
        self.size = size
        self.timings: list[float] = []
        self.queries: set[int] = set()
        env = {
            **os.environ,
            "PYTHONPATH": str(tree),
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "BENCH_OPEN": str(size),
        }
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, str(RUNNER)],
            cwd=tree,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if self.process.stdin is None or self.process.stdout is None:
            raise RuntimeError("the runner's pipes did not open")
        self.commands, self.answers = self.process.stdin, self.process.stdout

    def read(self) -> dict:
        for line in self.answers:
            if line.startswith("{"):
                return json.loads(line)
        raise RuntimeError(f"the {self.label} side stopped (exit {self.process.wait()})")

    def run(self, count: int, *, keep: bool = True) -> None:
        self.commands.write(f"run {count}\n")
        self.commands.flush()
        answer = self.read()
        if keep:
            self.timings.extend(answer["timings_ms"])
            self.queries.update(answer["queries"])

    def close(self) -> None:
        try:
            if self.process.poll() is None:
                self.commands.write("quit\n")
                self.commands.close()
            self.process.wait(timeout=120)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()

    def result(self, **extra: object) -> Result:
        return Result.of(
            f"sweep {self.label}: {DUE:,} due among {self.size:,} open",
            self.timings,
            queries=", ".join(str(q) for q in sorted(self.queries)),
            group="sweep",
            **extra,  # type: ignore[arg-type]
        )


def run() -> list[Result | Ratio]:
    size = setting("BENCH_SWEEP_OPEN", 1_000_000)
    small = setting("BENCH_SWEEP_SMALL", 10_000)
    rounds = setting("BENCH_SWEEP_ROUNDS", 7)
    per_round = setting("BENCH_SWEEP_RUNS", 3)
    baseline = os.environ.get("BENCH_BASELINE", DEFAULT_BASELINE).strip()
    with ExitStack() as stack:
        new = Side("new", ROOT, _database_url("new", size), size)
        stack.callback(new.close)
        sides = [new]
        flat = None
        if small != size:
            flat = Side("new", ROOT, _database_url("new", small), small)
            stack.callback(flat.close)
            sides.append(flat)
        old = None
        if baseline:
            tree = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-baseline-"))
            commit = _extract(baseline, Path(tree))
            old = Side(f"old ({commit})", Path(tree), _database_url("old", size), size)
            stack.callback(old.close)
            sides.insert(0, old)
        for side in sides:
            ready = side.read()
            how = "reused" if ready["reused"] else f"seeded in {ready['seed_seconds']} s"
            print(f"   {side.label}: {ready['open']:,} open deadlines {how}", flush=True)
        for side in sides:
            side.run(1, keep=False)  # warm-up
        for index in range(rounds):
            for side in sides if index % 2 == 0 else reversed(sides):
                side.run(per_round)
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        how = f"{rounds} rounds of {per_round} sweeps each, sides alternating; load {load}"
        results: list[Result | Ratio] = []
        if old is not None:
            results.append(old.result(detail=how))
        reference: dict[str, object] = {}
        if old is not None:
            reference = {"reference": old.label, "reference_ms": median(old.timings)}
        results.append(new.result(target_ms=TARGET_MS, detail=how, **reference))
        if flat is not None:
            results.append(
                flat.result(
                    detail=f"the same code at {small:,} open: the ratio of the line above "
                    "to this one shows whether the sweep stays flat",
                )
            )
            results.append(
                Result(
                    f"sweep at {size:,} open / at {small:,} open",
                    median(new.timings),
                    len(new.timings),
                    reference=f"sweep at {small:,} open",
                    reference_ms=median(flat.timings),
                    group="sweep",
                    detail="flat in the open deadlines: ratio close to 1",
                )
            )
        results.append(
            Result(
                "sweep: ms per breach",
                median(new.timings) / DUE,
                len(new.timings),
                group="sweep",
                detail=f"{DUE:,} due among {size:,} open; set beside the peer's escalation",
            )
        )
    return results


def _database_url(side: str, size: int) -> str:
    """BENCH_DATABASE_URL's server, a database of this side and size."""
    url = urlsplit(
        os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/complaints_bench")
    )
    name = url.path.lstrip("/") or "complaints_bench"
    return urlunsplit(url._replace(path=f"/{name}_sweep_{side}_{size}"))


def _extract(baseline: str, tree: Path) -> str:
    """The baseline commit's files in `tree`, its translations compiled; its short hash."""
    git = shutil.which("git")
    if git is None:
        raise SystemExit("BENCH_BASELINE needs git (or set BENCH_BASELINE= to skip it)")
    try:
        commit = subprocess.run(  # noqa: S603 - fixed arguments
            [git, "rev-parse", "--short", "--verify", f"{baseline}^{{commit}}"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        archive = subprocess.run(  # noqa: S603 - fixed arguments
            [git, "archive", "--format=tar", commit], cwd=ROOT, check=True, capture_output=True
        ).stdout
    except subprocess.CalledProcessError as exc:
        raise SystemExit(
            f"BENCH_BASELINE={baseline!r} is not a commit of this repository: "
            f"{exc.stderr.strip() if isinstance(exc.stderr, str) else exc.stderr!r}"
        ) from None
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    _compile_translations(tree)
    return commit


def _compile_translations(tree: Path) -> None:
    # The sweep renders its messages in each recipient's language, as in production.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in tree.glob("locale/*/LC_MESSAGES/*.po"):
        with po.open("rb") as source:
            catalog = read_po(source)
        with po.with_suffix(".mo").open("wb") as target:
            write_mo(target, catalog)
