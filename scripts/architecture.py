"""Counts that say whether each domain has one way through it.

    python scripts/architecture.py            # the counts, one per line
    python scripts/architecture.py --details  # and where each one is

* package cycles: elementary cycles in the graph of imports between the
  packages (and top-level modules) under ``ember``;
* imports inside functions: ``import`` statements in a function body (those
  under ``if TYPE_CHECKING:`` do not count: they are not run);
* query uses outside repositories: SQLAlchemy statement builders and session
  reads (``select``, ``insert``, ``update``, ``delete``, ``text``,
  ``session.execute``/``scalars``/``scalar``/``get``) in any module that is not a
  ``repository.py`` (models, migrations and the engine set-up in ``db.py`` are
  the storage layer themselves and do not count);
* positional rows: a repository function declared to return tuples or ``Row``s,
  or a caller reading a row by a numeric index;
* JSON routes without a response model: API operations whose OpenAPI
  description has no schema (or only a free-form object) for their success answer.

tests/test_architecture.py imports the same functions, so the counts here are
the ones the tests hold at zero.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "ember"
STORAGE = ("models", "migrations")
QUERY_BUILDERS = {"select", "insert", "update", "delete", "text", "union", "union_all", "exists"}
SESSION_READS = {"execute", "scalars", "scalar", "get", "query"}
# The interface layer: parse input, call a service, render. Nothing below it imports it.
INTERFACE_PACKAGES = {"web", "api", "cli", "jobs", "app"}
NO_BODY = {"204", "304"}  # answers that carry no body, so no schema
INTERFACE_MODULES = {"routes", "tasks", "intake", "api", "asgi"}


@dataclass(frozen=True)
class Module:
    name: str  # ember.events.service
    path: Path
    tree: ast.Module

    @property
    def package(self) -> str:
        """The first level under ember: ``events`` for ember.events.service, ``db`` for ember.db."""
        parts = self.name.split(".")
        return parts[1] if len(parts) > 1 else parts[0]

    @property
    def layer_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]


def modules() -> list[Module]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC.parent).with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append(Module(".".join(parts), path, ast.parse(path.read_text(), str(path))))
    return found


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    return hidden


def _resolve(module: Module, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.name.split(".")
    is_package = module.path.name == "__init__.py"
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: Module) -> Iterator[tuple[str, ast.stmt]]:
    """Every ember module this one imports (``from ember.x import y`` gives ember.x.y when that is a module)."""
    hidden = _type_checking_nodes(module.tree)
    for node in ast.walk(module.tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("ember"):
                    yield alias.name, node
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            if target.startswith("ember"):
                for alias in node.names:
                    yield f"{target}.{alias.name}", node


def _package_of(name: str, known: set[str]) -> str | None:
    parts = name.split(".")
    while parts and ".".join(parts) not in known:
        parts.pop()
    if not parts:
        return None
    return parts[1] if len(parts) > 1 else parts[0]


def is_interface(module: Module) -> bool:
    """Routes and background tasks are the interface layer, wherever they live."""
    return module.package in INTERFACE_PACKAGES or module.layer_name in INTERFACE_MODULES


def package_graph(mods: list[Module]) -> dict[str, set[str]]:
    """Imports between packages made below the interface layer (an interface may import any package)."""
    known = {m.name for m in mods}
    graph: dict[str, set[str]] = {m.package: set() for m in mods}
    for module in mods:
        if is_interface(module):
            continue
        for target, _ in imports_of(module):
            package = _package_of(target, known)
            if package and package != module.package and package != "ember":
                graph[module.package].add(package)
    return graph


def package_cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """Elementary cycles, each listed once starting from its smallest package name."""
    cycles: set[tuple[str, ...]] = set()
    order = sorted(graph)

    def walk(start: str, node: str, path: list[str], seen: set[str]) -> None:
        for nxt in graph.get(node, ()):
            if nxt == start:
                cycles.add(tuple(path))
            elif nxt > start and nxt not in seen:
                seen.add(nxt)
                path.append(nxt)
                walk(start, nxt, path, seen)
                path.pop()
                seen.discard(nxt)

    for start in order:
        walk(start, start, [start], {start})
    return sorted(cycles)


IO_LIBRARIES = ("sqlalchemy", "httpx", "smtplib", "apprise", "huey", "redis", "fastapi", "starlette", "imapclient")


def _layer(module: Module) -> str:
    if is_interface(module):
        return "interface"
    if module.layer_name in {"service", "repository", "rules"}:
        return module.layer_name
    return "other"


def upward_imports(mods: list[Module]) -> list[str]:
    """Imports against the layers: below the interface nothing imports it, rules do no I/O,
    repositories do not call services."""
    by_name = {m.name: m for m in mods}
    found = []
    for module in mods:
        layer = _layer(module)
        if layer == "interface":
            continue
        where = module.path.relative_to(ROOT)
        for target, node in imports_of(module):
            imported = by_name.get(target) or by_name.get(target.rsplit(".", 1)[0])
            if imported is None:
                continue
            if is_interface(imported):
                found.append(f"{where}:{node.lineno} {layer} imports the interface {imported.name}")
            elif layer == "rules" and _layer(imported) in {"service", "repository"}:
                found.append(f"{where}:{node.lineno} rules import {imported.name}")
            elif layer == "repository" and _layer(imported) == "service":
                found.append(f"{where}:{node.lineno} repository imports {imported.name}")
        if layer == "rules":
            for node in ast.walk(module.tree):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                    if any(n.split(".")[0] in IO_LIBRARIES for n in names):
                        found.append(f"{where}:{node.lineno} rules import {', '.join(names)} (I/O)")
    return found


def imports_in_functions(mods: list[Module], *, ours: bool = True) -> list[str]:
    """Imports in function bodies: of ember modules (``ours``, what dodges a cycle), or of
    third-party libraries (deliberately late: loading them costs start-up time)."""
    found = []
    for module in mods:
        hidden = _type_checking_nodes(module.tree)
        for func in ast.walk(module.tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(func):
                if not isinstance(node, (ast.Import, ast.ImportFrom)) or id(node) in hidden:
                    continue
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                if any(n.startswith("ember") for n in names) == ours:
                    found.append(f"{module.path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}")
    return found


def _is_storage(module: Module) -> bool:
    return (module.package in STORAGE or module.layer_name == "repository" or module.name == "ember.db")


def query_uses(mods: list[Module]) -> list[str]:
    """Statement builders imported from sqlalchemy and session reads, outside the storage layer."""
    found = []
    for module in mods:
        if _is_storage(module):
            continue
        builders = set()
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
                builders.update(a.asname or a.name for a in node.names if a.name in QUERY_BUILDERS)
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id in builders:
                found.append(f"{module.path.relative_to(ROOT)}:{node.lineno} {func.id}(...)")
            elif (isinstance(func, ast.Attribute) and func.attr in SESSION_READS
                  and isinstance(func.value, ast.Name) and func.value.id in {"session", "db", "conn", "connection"}):
                found.append(f"{module.path.relative_to(ROOT)}:{node.lineno} {func.value.id}.{func.attr}(...)")
    return found


def _returns_positional(func: ast.FunctionDef) -> bool:
    if func.returns is None:
        return False
    text = ast.unparse(func.returns)
    # SQLAlchemy's Row as a whole word: a record class of our own named ``...Row`` (a dataclass) is named.
    return (re.search(r"\bRow\b", text) is not None
            or any(word in text for word in ("tuple[", "Tuple[", "Sequence[Any]", "list[Any]")))


def positional_rows(mods: list[Module]) -> list[str]:
    """Repository functions returning tuples or Rows, and numeric indexes into a row anywhere."""
    found = []
    for module in mods:
        if module.layer_name == "repository":
            for node in module.tree.body:
                if isinstance(node, ast.FunctionDef) and not node.name.startswith("_") and _returns_positional(node):
                    found.append(f"{module.path.relative_to(ROOT)}:{node.lineno} {node.name} -> "
                                 f"{ast.unparse(node.returns) if node.returns else ''}")
        for node in ast.walk(module.tree):
            if (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant)
                    and isinstance(node.slice.value, int) and isinstance(node.value, ast.Name)
                    and node.value.id in {"row", "values", "record", "r"}):
                found.append(f"{module.path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}")
    return found


def _resolve_ref(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not ref:
        return schema
    found: Any = document
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return dict(found)


def shapeless(document: dict[str, Any], schema: dict[str, Any] | None) -> bool:
    """No schema, ``{}``, or an object (or a list of objects) that names none of its fields."""
    if not schema:
        return True
    schema = _resolve_ref(document, schema)
    if schema.get("type") == "array":
        return shapeless(document, schema.get("items"))
    if schema.get("type") == "object" or ("type" not in schema and "additionalProperties" in schema):
        return not schema.get("properties")
    return False


def answer_schemas(response: dict[str, Any]) -> list[dict[str, Any] | None]:
    """The schema of each media type an answer comes in (JSON, CSV, an event stream); [None] for none."""
    return [media.get("schema") for media in response.get("content", {}).values()] or [None]


def undescribed_successes(document: dict[str, Any]) -> list[str]:
    """Operations with no success answer, or one whose body has no schema or a free-form one."""
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            label = f"{method.upper()} {path}"
            successes = {code: r for code, r in operation.get("responses", {}).items() if code.startswith("2")}
            if not successes:
                found.append(f"{label}: no success answer documented")
            found.extend(f"{label} -> {code}: no schema (or a free-form object) for the answer"
                         for code, response in successes.items()
                         if code not in NO_BODY and any(shapeless(document, s) for s in answer_schemas(response)))
    return found


def routes_without_response_model() -> list[str]:
    """API operations whose success answer has no schema in the OpenAPI document (or a free-form one)."""
    sys.path.insert(0, str(ROOT / "src"))
    # Imported here, not at the top: the app is built only when this count is asked for.
    from ember.app import create_app
    from ember.settings import Settings

    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=Path(data_dir), secret_key="architecture-count-" * 3, database_url="sqlite://")
        document = create_app(settings).openapi()
    return undescribed_successes(document)


def _use_root(root: Path) -> None:
    global ROOT, SRC
    ROOT, SRC = root, root / "src" / "ember"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true")
    parser.add_argument("--no-app", action="store_true", help="skip building the app for the OpenAPI count")
    parser.add_argument("--root", type=Path, default=ROOT, help="another checkout to count")
    args = parser.parse_args()
    _use_root(args.root.resolve())
    mods = modules()
    graph = package_graph(mods)
    counts: list[tuple[str, list[str]]] = [
        ("package cycles", [" -> ".join((*c, c[0])) for c in package_cycles(graph)]),
        ("upward imports", upward_imports(mods)),
        ("imports of ember modules inside functions", imports_in_functions(mods)),
        ("third-party imports inside functions (deliberately late)", imports_in_functions(mods, ours=False)),
        ("query uses outside repositories", query_uses(mods)),
        ("positional rows", positional_rows(mods)),
    ]
    if not args.no_app:
        counts.append(("JSON routes without a response model", routes_without_response_model()))
    for label, items in counts:
        print(f"{label}: {len(items)}")
        if args.details:
            print("".join(f"    {item}\n" for item in items), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
