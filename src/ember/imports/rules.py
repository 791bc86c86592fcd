"""Pure CSV row rules: map headers to fields and validate one row at a time.

Nothing here touches the database, so the rules are easy to test and the
importer can validate a whole file before writing anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ember.errors import Problem
from ember.imports.columns import COLUMNS, REQUIRED, Column, normalise_header


@dataclass(frozen=True)
class HeaderMap:
    """Position in the row -> column spec, plus what was ignored."""

    positions: tuple[tuple[int, Column, str], ...]  # (index, spec, header as written)
    ignored: tuple[str, ...]


@dataclass
class RowResult:
    line: int
    values: dict[str, object] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


class HeaderError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def map_headers(kind: str, headers: list[str]) -> HeaderMap:
    by_alias = {normalise_header(alias): column for column in COLUMNS[kind] for alias in column.aliases}
    positions: list[tuple[int, Column, str]] = []
    ignored: list[str] = []
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    for index, header in enumerate(headers):
        column = by_alias.get(normalise_header(header))
        if column is None:
            ignored.append(header)
        elif column.field in seen:
            problems.append(Problem(
                f"line 1, column {header}", f"means the same as column {seen[column.field]}",
                "keep only one of them",
            ))
        else:
            seen[column.field] = header
            positions.append((index, column, header))
    for required in REQUIRED[kind]:
        if required not in seen:
            names = ", ".join(next(c.aliases for c in COLUMNS[kind] if c.field == required)[:3])
            problems.append(Problem("line 1", f"no {required} column", f"add a column named one of: {names}"))
    if problems:
        raise HeaderError(problems)
    return HeaderMap(tuple(positions), tuple(ignored))


def validate_row(kind: str, header_map: HeaderMap, row: list[str], line: int) -> RowResult:
    result = RowResult(line)
    failed: set[str] = set()
    for index, column, header in header_map.positions:
        raw = row[index].strip() if index < len(row) else ""
        if not raw:
            continue
        where = f"line {line}, column {header}"
        if len(raw) > column.max_length:
            failed.add(column.field)
            result.problems.append(Problem(where, f"is {len(raw)} characters long",
                                           f"shorten it to {column.max_length}"))
            continue
        try:
            result.values[column.field] = column.parse(raw) if column.parse else raw
        except ValueError as exc:
            failed.add(column.field)
            what, _, fix = str(exc).partition("; ")
            result.problems.append(Problem(where, what, fix or "correct the value"))
    for required in REQUIRED[kind]:
        if required not in result.values and required not in failed:
            header = next((h for _, c, h in header_map.positions if c.field == required), required)
            result.problems.append(Problem(f"line {line}, column {header}", "is empty", "fill it in"))
    return result
