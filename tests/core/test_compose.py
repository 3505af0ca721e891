"""The shape of docker-compose.yml, read as Compose reads it (profiles, `${VAR:-default}`
interpolation, an env file): the default profile is the single machine it always was, and
`--env-file deploy/scale.env --profile scale` runs two web and two worker replicas behind
a health-checked balancer, through PgBouncer, with a read replica, a standby beat and the
evidence in MinIO. No Docker engine is needed to check it."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
SCALE_ENV = ROOT / "deploy" / "scale.env"
APP_SERVICES = {"migrate", "web", "worker", "beat"}

_VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


def _interpolate(value, env: dict[str, str]):
    """Compose's substitution: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, $$."""
    if isinstance(value, dict):
        return {key: _interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [_interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.groups()
        present = env.get(name)
        if operator in (":-", ":?") and not present:
            present = None
        if present is not None:
            return present
        if operator and operator.endswith("?"):
            raise AssertionError(f"{name} is required: {argument}")
        return argument or ""

    return _VARIABLE.sub(substitute, value)


def _env_file(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line.strip() and not line.startswith("#")]
    return {name.strip(): value.strip() for name, value in pairs}


def _services(profiles: set[str], env: dict[str, str]) -> dict[str, dict]:
    """The services `docker compose` starts with these profiles and this environment."""
    document = yaml.safe_load(COMPOSE.read_text())
    services = _interpolate(document["services"], {"SECRET_KEY": "k" * 50, **env})
    return {
        name: service
        for name, service in services.items()
        if not service.get("profiles") or profiles.intersection(service["profiles"])
    }


def _replicas(service: dict) -> int:
    return int(service.get("deploy", {}).get("replicas", 1))


def _host(url: str) -> str | None:
    return urlsplit(url).hostname


def test_the_default_profile_is_one_machine_as_before():
    services = _services(set(), {})
    assert set(services) == {"postgres", "redis", *APP_SERVICES}
    assert all(_replicas(service) == 1 for service in services.values())
    assert services["web"]["ports"] == ["8000:8000"]
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert _host(environment["DATABASE_URL"]) == "postgres"
        assert environment["DATABASE_POOL_MODE"] == "session"
        assert environment["DATABASE_REPLICA_URL"] == ""
        assert environment["EVIDENCE_STORAGE"] == "filesystem"


def test_the_scale_profile_runs_replicas_behind_a_balancer_through_pgbouncer():
    services = _services({"scale"}, _env_file(SCALE_ENV))
    assert {
        "postgres",
        "postgres-replica",
        "pgbouncer",
        "redis",
        "minio",
        "minio-bucket",
        "migrate",
        "web",
        "worker",
        "beat",
        "beat-standby",
        "proxy",
    } == set(services)
    assert _replicas(services["web"]) == 2
    assert _replicas(services["worker"]) == 2
    assert (_replicas(services["beat"]), _replicas(services["beat-standby"])) == (1, 1)
    assert services["beat-standby"]["command"] == services["beat"]["command"]

    for name in ("web", "worker", "beat", "beat-standby"):
        environment = services[name]["environment"]
        assert _host(environment["DATABASE_URL"]) == "pgbouncer", name
        assert environment["DATABASE_POOL_MODE"] == "transaction", name
        assert _host(environment["DATABASE_REPLICA_URL"]) == "postgres-replica", name
        assert environment["EVIDENCE_STORAGE"] == "s3", name
        assert _host(environment["S3_ENDPOINT_URL"]) == "minio", name
        assert _host(environment["CELERY_BROKER_URL"]) == "redis", name
        assert _host(environment["REDIS_URL"]) == "redis", name
    # Migrations go straight to the primary, never through the pooler.
    migrate = services["migrate"]["environment"]
    assert (_host(migrate["DATABASE_URL"]), migrate["DATABASE_POOL_MODE"]) == (
        "postgres",
        "session",
    )

    pgbouncer = services["pgbouncer"]["environment"]
    assert (pgbouncer["POOL_MODE"], pgbouncer["DB_HOST"]) == ("transaction", "postgres")
    assert (pgbouncer["DB_USER"], pgbouncer["DB_NAME"]) == ("complaints", "complaints")
    assert urlsplit(services["web"]["environment"]["DATABASE_URL"]).port == 5432


def test_the_replica_is_copied_from_the_primary_which_allows_replication():
    services = _services({"scale"}, _env_file(SCALE_ENV))
    script = "\n".join(services["postgres-replica"]["command"])
    assert "pg_basebackup --host=postgres --username=replicator" in script
    assert "--write-recovery-conf" in script and "--wal-method=stream" in script
    mounts = services["postgres"]["volumes"]
    (init,) = [mount for mount in mounts if "docker-entrypoint-initdb.d" in mount]
    text = (ROOT / init.split(":")[0]).read_text()
    assert "REPLICATION LOGIN" in text
    assert "host replication replicator all scram-sha-256" in text


def test_the_balancer_checks_the_health_of_every_web_replica():
    services = _services({"scale"}, _env_file(SCALE_ENV))
    (mount,) = services["proxy"]["volumes"]
    config = (ROOT / mount.split(":")[0]).read_text()
    assert "http-check send meth GET uri /health/ready" in config
    assert "server-template web 4 web:8000" in config
    assert services["proxy"]["ports"] == ["8080:8080"]


def test_every_image_is_pinned():
    services = _services({"scale", "s3"}, _env_file(SCALE_ENV))
    for name, service in services.items():
        if "image" not in service:
            assert "build" in service, name
            continue
        image, _, tag = service["image"].rpartition(":")
        assert image and tag and tag != "latest", (name, service["image"])


def test_every_variable_given_to_the_application_is_a_setting_it_reads():
    sources = "\n".join(
        path.read_text()
        for path in [*(ROOT / "config" / "settings").glob("*.py"), ROOT / "config" / "celery.py"]
    )
    read = set(re.findall(r"""env_\w+\(\s*["'](\w+)["']""", sources))
    read |= set(re.findall(r"""_seconds\(\s*["'](\w+)["']""", sources))
    services = _services({"scale"}, _env_file(SCALE_ENV))
    given = {
        name
        for service in APP_SERVICES | {"beat-standby"}
        for name in services[service]["environment"]
    }
    # Read by Django and by prometheus_client themselves, not through the settings.
    by_libraries = {"DJANGO_SETTINGS_MODULE", "PROMETHEUS_MULTIPROC_DIR"}
    unknown = given - read - by_libraries
    assert unknown == set()
    # deploy/scale.env names only variables that docker-compose.yml uses.
    compose = COMPOSE.read_text()
    assert all(f"${{{name}" in compose for name in _env_file(SCALE_ENV))


def _compose_command() -> list[str] | None:
    import shutil
    import subprocess

    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run(  # noqa: S603 - the installed client, fixed arguments
            [docker, "compose", "version"], capture_output=True, check=False
        )
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_compose_itself_accepts_both_profiles():
    """Compose's own schema and interpolation, offline (no engine is needed for `config`)."""
    import os
    import subprocess

    from tests.conftest import service_missing

    command = _compose_command()
    if command is None:
        service_missing("needs docker compose or docker-compose to validate the file")
    env = {**os.environ, "SECRET_KEY": "k" * 60}
    for options in ([], ["--env-file", str(SCALE_ENV), "--profile", "scale"]):
        done = subprocess.run(  # noqa: S603 - the installed client, fixed arguments
            [*command, "-f", str(COMPOSE), *options, "config", "-q"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, (options, done.stderr)
