"""What a team installs: the image recipe, the compose file, the systemd units and the wheel
they all install. No container engine is needed: the same steps run here in a clean target."""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import httpx
import pytest
import typer
import yaml

from ember.cli.main import app
from tests.process_support import ember_serve

ROOT = Path(__file__).resolve().parents[2]
EMBER_SERVICES = ("migrate", "web", "worker")


def _parses_as_ember_command(argv: list[str]) -> None:
    """Resolve the subcommands and parse the options exactly as `ember` would, without running."""
    command: click.Command = typer.main.get_command(app)
    args, path = list(argv), ["ember"]
    while isinstance(command, click.Group):
        name = args.pop(0)
        sub = command.get_command(click.Context(command), name)
        assert sub is not None, f"`{' '.join([*path, name])}` is not a command"
        command, path = sub, [*path, name]
    command.make_context(" ".join(path), args)  # raises on an unknown option or a bad value


def _compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_the_image_recipe_passes_the_dockerfile_linter() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert hadolint, "hadolint comes with the dev dependencies"
    result = subprocess.run([hadolint, "--no-color", "Dockerfile"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    recipe = (ROOT / "Dockerfile").read_text()
    assert "\nUSER 10001" in recipe and "HEALTHCHECK" in recipe, "runs as a non-root user with a health check"


def test_compose_runs_web_worker_postgresql_and_redis_with_migrations_first() -> None:
    services = _compose()["services"]
    assert {"web", "worker", "postgres", "redis", "migrate"} <= set(services)
    for name in EMBER_SERVICES:
        service = services[name]
        assert service["command"][0] == "ember"
        _parses_as_ember_command(service["command"][1:])
        environment = service["environment"]
        assert environment["EMBER_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert environment["EMBER_REDIS_URL"].startswith("redis://")
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["ember", "db", "upgrade"]


def test_the_systemd_units_start_real_ember_commands() -> None:
    for unit in sorted((ROOT / "deploy" / "systemd").glob("*.service")):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read(unit)
        lines = [parser["Service"][key] for key in ("ExecStartPre", "ExecStart") if key in parser["Service"]]
        assert lines, unit.name
        for line in lines:
            argv = shlex.split(line)
            assert Path(argv[0]).name == "ember", line
            _parses_as_ember_command(argv[1:])


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ember built into a wheel and installed on its own, as the image's build stage does."""
    work = tmp_path_factory.mktemp("wheel")
    context = work / "context"  # exactly what the image's build stage copies in, nothing left from earlier builds
    shutil.copytree(ROOT / "src", context / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, context / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--wheel-dir", str(work / "dist"), str(context)], check=True,
                   capture_output=True)
    wheel = next((work / "dist").glob("ember-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", str(work / "site"), str(wheel)], check=True,
                   capture_output=True)
    return work / "site"


@pytest.mark.slow
def test_the_installed_wheel_holds_every_file_of_the_package(installed: Path) -> None:
    source = ROOT / "src" / "ember"
    shipped = {path.relative_to(source) for path in source.rglob("*")
               if path.is_file() and "__pycache__" not in path.parts}
    missing = [str(path) for path in sorted(shipped) if not (installed / "ember" / path).exists()]
    assert not missing, f"files the package needs but the wheel leaves out (package-data in pyproject): {missing}"


@pytest.mark.slow
def test_the_installed_wheel_migrates_and_serves(installed: Path, engine, settings, tmp_path) -> None:
    env = {"PYTHONPATH": os.pathsep.join([str(installed), os.environ.get("PYTHONPATH", "")])}
    where = subprocess.run([sys.executable, "-c", "import ember; print(ember.__file__)"], env={**os.environ, **env},
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(installed)), "the test runs the installed copy, not the source tree"
    with ember_serve(engine, settings, tmp_path, extra_env=env) as url:
        for path in ("/login", "/static/ember.css", "/static/htmx.min.js", "/static/favicon.svg", "/docs"):
            assert httpx.get(url + path, timeout=10).status_code == 200, path
