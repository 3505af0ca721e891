"""Run every benchmark module: python -m bench [name-filter]."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/complaints_bench"
    )
    import django
    from django.core.management import call_command

    django.setup()
    _ensure_database()
    call_command("migrate", verbosity=0, interactive=False)

    import bench

    wanted = sys.argv[1] if len(sys.argv) > 1 else ""
    for module_info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        if not module_info.name.startswith("bench_") or wanted not in module_info.name:
            continue
        module = importlib.import_module(f"bench.{module_info.name}")
        print(f"== {module_info.name}")
        for result in module.run():
            print(result.line())
    return 0


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
