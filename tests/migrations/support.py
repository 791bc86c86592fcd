"""Running one revision's own upgrade or downgrade on the test database, as Alembic would."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Engine


def revision(name: str) -> ModuleType:
    return importlib.import_module(f"ember.migrations.versions.{name}")


def run_step(engine: Engine, step: Callable[[], None]) -> None:
    """``step`` is a revision's ``upgrade`` or ``downgrade``: its own code, on the real database."""
    with engine.begin() as connection, Operations.context(MigrationContext.configure(connection)):
        step()
