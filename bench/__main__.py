"""`make bench`: the generated network, every benchmark, bench/results.{json,md} and
bench/explain.md. `python -m bench [name-filter]` runs the modules whose name contains the
filter (`network`, `analytics`, `search`, `sweep`, `api`, `timeline`, `peer`, `explain`,
`capacity`; several separated by commas). A partial run keeps the other modules' figures of
results.json."""

from __future__ import annotations

import importlib
import os
import sys
import time
import traceback
from pathlib import Path

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/complaints_bench"
MODULES = [
    "bench_network",
    "bench_analytics",
    "bench_search",
    "bench_sweep",
    "bench_api",
    "bench_timeline",
]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    import django
    from django.core.management import call_command

    django.setup()
    _ensure_database()
    call_command("migrate", verbosity=0, interactive=False)

    from bench import Result, peer, report
    from bench.network import cases, ensure

    started = time.monotonic()
    wanted = argv[0] if argv else ""
    wants = wanted.split(",")

    def chosen(name: str) -> bool:
        return any(want in name for want in wants)

    folder = Path(os.environ.get("BENCH_OUT", Path(__file__).resolve().parent))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"== generated network: {cases():,} cases", flush=True)
    data = ensure()
    results: list[Result] = []
    notes: list[str] = []
    ran: set[str] = set()
    for name in MODULES:
        if not chosen(name):
            continue
        print(f"== {name}", flush=True)
        ran.add(name)
        try:
            module = importlib.import_module(f"bench.{name}")
            for result in module.run():
                print(result.line(), flush=True)
                if isinstance(result, Result):
                    result.module = name
                    results.append(result)
        except Exception:  # noqa: BLE001 - one broken benchmark must not lose the others
            traceback.print_exc()
            notes.append(f"{name} failed: {traceback.format_exc().strip().splitlines()[-1]}")
    if chosen("peer"):
        print("== peer", flush=True)
        ran.add("peer")
        measured = peer.run()
        for result in measured:
            print(result.line(), flush=True)
        results += measured
        for result in measured:
            result.module = "peer"
        against = peer.breach_ratio(results, measured)
        if against is not None:
            against.module = "peer"
            print(against.line(), flush=True)
            results.append(against)
    if chosen("explain"):
        print("== explain", flush=True)
        ran.add("explain")
        try:
            from bench import explain
            from bench.bench_network import hot_pages

            for result in explain.write(hot_pages(), folder / "explain.md"):
                print(result.line(), flush=True)
                result.module = "explain"
                results.append(result)
        except Exception:  # noqa: BLE001
            traceback.print_exc()
            notes.append(f"explain failed: {traceback.format_exc().strip().splitlines()[-1]}")
    if chosen("capacity"):
        print("== capacity", flush=True)
        ran.add("capacity")
        try:
            from bench import capacity
            from bench.bench_network import hot_pages

            workload = capacity.write(folder, hot_pages())
            figure = Result(
                name=capacity.CAPACITY_FIGURE,
                median_ms=workload.db_ms_per_page,
                runs=5,
                detail=f"median of the hot pages; projection in {folder.name}/capacity.md",
            )
            figure.module = "capacity"
            print(figure.line(), flush=True)
            results.append(figure)
        except Exception:  # noqa: BLE001
            traceback.print_exc()
            notes.append(f"capacity failed: {traceback.format_exc().strip().splitlines()[-1]}")
    json_path, md_path = report.write(
        results,
        folder=folder,
        data=data.rows,
        cases=cases(),
        seconds=time.monotonic() - started,
        notes=notes,
        keep=report.earlier(folder, except_modules=ran) if wanted else [],
    )
    print(f"== wrote {json_path} and {md_path}", flush=True)
    return 1 if notes else 0


def _ensure_database() -> None:
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    try:
        psycopg2.connect(
            dbname=db["NAME"],
            user=db["USER"],
            host=db["HOST"],
            port=db["PORT"] or 5432,
            password=db["PASSWORD"],
        ).close()
    except psycopg2.OperationalError:
        admin = psycopg2.connect(
            dbname="postgres",
            user=db["USER"],
            host=db["HOST"],
            port=db["PORT"] or 5432,
            password=db["PASSWORD"],
        )
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
        admin.close()


if __name__ == "__main__":
    sys.exit(main())
