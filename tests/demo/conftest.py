"""Demo data sets built once per module: small, seeded and anchored at a fixed instant."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from ember.db import make_engine
from ember.demo.generator import generate
from ember.migrate import upgrade

# A Wednesday afternoon in UTC; any fixed instant makes the data reproducible.
NOW = datetime(2026, 3, 11, 15, 30, tzinfo=UTC)

Build = Callable[..., Engine]


@pytest.fixture(scope="session", autouse=True)
def _hash_once() -> Iterator[None]:
    """Argon2 is slow on purpose (about 0.5 s a hash): hash the demo password once per run."""
    import ember.users.service as service

    hashed = functools.lru_cache(maxsize=4)(service.hash_password)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(service, "hash_password", hashed)
        yield


@pytest.fixture
def build(tmp_path: Path) -> Iterator[Build]:
    """Build a demo data set into a fresh, migrated SQLite file."""
    engines: list[Engine] = []

    def _build(name: str = "demo", **options: object) -> Engine:
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        upgrade(engine)
        options.setdefault("now", NOW)
        generate(engine, **options)  # type: ignore[arg-type]
        engines.append(engine)
        return engine

    yield _build
    for engine in engines:
        engine.dispose()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory, _hash_once: None) -> Iterator[Engine]:
    """One 400-contact data set shared by the read-only tests."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    generate(engine, contacts=400, seed=11, now=NOW)
    yield engine
    engine.dispose()
