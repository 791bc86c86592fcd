"""Imports point one way: no cycle between packages, no import against the layers.

The layers (see the README's architecture): interfaces (web/, api/, cli/, jobs/,
and every routes.py, tasks.py and intake.py) -> services -> rules (pure) and
repositories (all queries, returning ORM objects or named records) -> models. The
counts come from scripts/architecture.py, which prints them with where each one is
(``--details``).
"""

from __future__ import annotations

import importlib
import pkgutil

from scripts.architecture import (
    imports_in_functions,
    modules,
    package_cycles,
    package_graph,
    positional_rows,
    query_uses,
    upward_imports,
)

import ember

MODULES = modules()


def test_no_cycle_between_packages() -> None:
    cycles = [" -> ".join((*cycle, cycle[0])) for cycle in package_cycles(package_graph(MODULES))]
    assert cycles == [], "break these cycles (python scripts/architecture.py --details shows them)"


def test_no_import_against_the_layers() -> None:
    assert upward_imports(MODULES) == []


def test_no_ember_import_hidden_in_a_function() -> None:
    assert imports_in_functions(MODULES) == [], "import at the top of the module; a cycle needs breaking instead"


def test_queries_live_in_repositories() -> None:
    assert query_uses(MODULES) == [], "move the query into the domain's repository.py"


def test_rows_come_back_named() -> None:
    assert positional_rows(MODULES) == [], "return ORM objects or named records (db.typed_rows), not tuples"


def test_every_module_imports() -> None:
    """A module left pointing at a moved one fails here, even where the type checker looks away."""
    broken = []
    for info in pkgutil.walk_packages(ember.__path__, "ember."):
        if info.name.startswith("ember.migrations"):
            continue  # run by Alembic, not imported
        try:
            importlib.import_module(info.name)
        except ImportError as exc:
            broken.append(f"{info.name}: {exc}")
    assert broken == []
