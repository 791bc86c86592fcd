"""Pure CSV row rules: map headers to fields and validate one row at a time.

Nothing here touches the database, so the rules are easy to test and the
importer can validate a whole file before writing anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ember.csvcells import unescape_cell
from ember.errors import Problem
from ember.imports.columns import (
    COLUMNS,
    COMPANY_REPEATS,
    REJECT_COLUMNS,
    REQUIRED_ALL,
    REQUIRED_ANY,
    Column,
    normalise_header,
)
from ember.imports.values import is_empty


@dataclass(frozen=True)
class Placed:
    """One column of the file: where it is, what it means, and the field it fills."""

    index: int
    column: Column
    header: str
    target: str  # usually column.field; a repeated company column fills the company's field


@dataclass(frozen=True)
class HeaderMap:
    positions: tuple[Placed, ...]
    ignored: tuple[str, ...]  # headers Ember does not read
    notes: tuple[str, ...] = ()  # how repeated headers were read


@dataclass
class RowResult:
    line: int
    values: dict[str, object] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


class HeaderError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _repeat(kind: str, column: Column, header: str, index: int, first: Placed) -> tuple[Placed | None, str]:
    """How the second column with the same meaning is read: the company's value in a
    contacts-with-company export, otherwise not at all."""
    where = f"column {index + 1} ({header})"
    target = COMPANY_REPEATS.get(column.field) if kind == "contacts" else None
    if kind == "contacts" and column.field in COMPANY_REPEATS:
        if target is None:
            return None, f"{where} repeats column {first.index + 1}: read as the company's, which Ember does not keep"
        return Placed(index, column, header, target), \
            f"{where} repeats column {first.index + 1}: the first is the contact's, this one the company's"
    return None, f"{where} means the same as column {first.index + 1} ({first.header}): only the first is read"


def map_headers(kind: str, headers: list[str]) -> HeaderMap:
    by_alias = {normalise_header(alias): column for column in COLUMNS[kind] for alias in column.aliases}
    positions: list[Placed] = []
    ignored: list[str] = []
    notes: list[str] = []
    first_of: dict[str, Placed] = {}
    repeated: set[str] = set()
    for index, raw in enumerate(headers):
        header = unescape_cell(raw.strip().lstrip("\ufeff"))
        key = normalise_header(header)
        column = by_alias.get(key)
        if column is None:
            if header and key not in REJECT_COLUMNS:
                ignored.append(header)
            continue
        first = first_of.get(column.field)
        if first is None:
            first_of[column.field] = placed = Placed(index, column, header, column.field)
            positions.append(placed)
            continue
        second, note = _repeat(kind, column, header, index, first)
        if second is not None and second.target in repeated:
            second, note = None, f"column {index + 1} ({header}) appears a third time: not read"
        notes.append(note)
        if second is not None:
            repeated.add(second.target)
            positions.append(second)
    _check_required(kind, first_of)
    return HeaderMap(tuple(positions), tuple(ignored), tuple(notes))


def _check_required(kind: str, found: dict[str, Placed]) -> None:
    problems: list[Problem] = []
    names = {c.field: ", ".join(c.aliases[:3]) for c in COLUMNS[kind]}
    for required in REQUIRED_ALL.get(kind, ()):
        if required not in found:
            problems.append(Problem("line 1", f"no {required} column", f"add a column named one of: {names[required]}"))
    any_of = REQUIRED_ANY.get(kind, ())
    if any_of and not any(f in found for f in any_of):
        wanted = " or ".join(f.replace("_", " ") for f in any_of[:2])
        problems.append(Problem("line 1", f"no {wanted} column",
                                f"add a column named one of: {names[any_of[0]]}"))
    if problems:
        raise HeaderError(problems)


def validate_row(kind: str, header_map: HeaderMap, row: list[str], line: int) -> RowResult:
    # The hot loop of an import: one pass per cell, work only for cells that hold something.
    result = RowResult(line)
    values, failed, width = result.values, set(), len(row)
    for placed in header_map.positions:
        raw = row[placed.index].strip() if placed.index < width else ""
        if not raw:
            continue
        if raw[0] == "'":
            raw = unescape_cell(raw)
        if len(raw) <= 6 and is_empty(raw):
            continue
        column = placed.column
        if len(raw) > column.max_length:
            failed.add(column.field)
            result.problems.append(Problem(f"line {line}, column {placed.header}", f"is {len(raw)} characters long",
                                           f"shorten it to {column.max_length}"))
            continue
        try:
            values[placed.target] = column.parse(raw) if column.parse else raw
        except ValueError as exc:
            failed.add(column.field)
            what, _, fix = str(exc).partition("; ")
            result.problems.append(Problem(f"line {line}, column {placed.header}", what, fix or "correct the value"))
    _check_row_required(kind, header_map, result, failed)
    if values.get("is_deleted") is True:
        result.problems.append(Problem(f"line {line}", "is marked deleted in the CRM",
                                       "leave deleted records out of the export, or clear the deleted flag"))
    return result


def _check_row_required(kind: str, header_map: HeaderMap, result: RowResult, failed: set[str]) -> None:
    any_of = REQUIRED_ANY.get(kind, ())
    if not failed and any_of and not result.values.keys().isdisjoint(any_of):
        return  # the usual case, decided without building anything
    headers = {p.column.field: p.header for p in header_map.positions}
    for required in REQUIRED_ALL.get(kind, ()):
        if required not in result.values and required not in failed:
            result.problems.append(Problem(f"line {result.line}, column {headers.get(required, required)}",
                                           "is empty", "fill it in"))
    if any_of and not any(f in result.values or f in failed for f in any_of):
        present = [headers[f] for f in any_of if f in headers]
        if kind == "contacts":
            what, fix = "has no email address and no phone number", "fill in at least one of them"
        else:
            what, fix = "is empty", "fill it in"
        result.problems.append(Problem(f"line {result.line}, column {present[0] if present else any_of[0]}",
                                       what, fix))
