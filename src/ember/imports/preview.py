"""What an upload looks like before it is imported: which columns Ember reads, which it ignores,
and the first rows as the file has them. Reads only the start of the file; writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ember.errors import InvalidInput, Problem
from ember.imports import reading
from ember.imports.repository import MODELS
from ember.imports.rules import HeaderError, map_headers

PREVIEW_ROWS = 5


@dataclass(frozen=True)
class ColumnUse:
    position: int  # 1-based, as a spreadsheet counts
    header: str
    field: str | None  # None: ignored


@dataclass(frozen=True)
class Preview:
    kind: str
    encoding: str
    columns: list[ColumnUse]
    rows: list[list[str]]  # the first data rows, cell per header
    notes: list[str]

    @property
    def matched(self) -> list[ColumnUse]:
        return [c for c in self.columns if c.field is not None]

    @property
    def ignored(self) -> list[ColumnUse]:
        return [c for c in self.columns if c.field is None]


def preview(kind: str, path: Path) -> Preview:
    """The mapping and first rows; InvalidInput when the file cannot be imported as ``kind`` at all."""
    if kind not in MODELS:
        raise InvalidInput(f"cannot import {kind!r}", [Problem("kind", f"{kind!r} is unknown",
                                                               "choose contacts, accounts, deals or touches")])
    encoding = reading.sniff(path)
    header = reading.header(path, encoding)
    try:
        mapping = map_headers(kind, header)
    except HeaderError as exc:
        raise InvalidInput(f"{path.name}: the header row is not usable for {kind}", exc.problems) from exc
    fields = {placed.index: placed.target for placed in mapping.positions}
    columns = [ColumnUse(i + 1, cell.strip(), fields.get(i)) for i, cell in enumerate(header) if cell.strip()]
    rows: list[list[str]] = []
    for line, cells in reading.rows(path, encoding):
        if line == 1:
            continue
        rows.append([cells[c.position - 1] if c.position - 1 < len(cells) else "" for c in columns])
        if len(rows) == PREVIEW_ROWS:
            break
    notes = list(mapping.notes)
    if encoding.assumed:
        notes.insert(0, f"the file is not UTF-8; it will be read as {encoding.label}")
    return Preview(kind, encoding.describe(), columns, rows, notes)
