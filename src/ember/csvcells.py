"""CSV cells that a spreadsheet will not run as formulas, and that read back as written.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is taken as a formula by Excel, LibreOffice and Google Sheets, so a contact
named ``=HYPERLINK(...)`` could run in the reader's spreadsheet. Every CSV
Ember writes puts a single quote before such a cell (the OWASP advice), and
Ember's importer takes that quote off again, so a phone number like
``+1 555 0100`` or an amount like ``-5`` survives an export and re-import
unchanged. A value that itself starts with quotes before such a character
gets one more quote, so the round trip is exact for every string.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _needs_quote(value: str) -> bool:
    return value.lstrip("'").startswith(FORMULA_STARTS)


def escape_cell(value: Any) -> Any:
    """The cell as it is safe to write (non-strings pass unchanged)."""
    if isinstance(value, str) and _needs_quote(value):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """The value a cell written by ``escape_cell`` stood for."""
    if value.startswith("'") and _needs_quote(value):
        return value[1:]
    return value


class SafeWriter:
    """``csv.writer`` whose every cell is escaped; ``None`` is written as an empty cell."""

    def __init__(self, stream: Any) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow(["" if cell is None else escape_cell(cell) for cell in row])
