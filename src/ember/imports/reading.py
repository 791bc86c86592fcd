"""Reading a CSV file as delivered: any of the usual encodings, huge cells, stray NUL bytes.

Every way a file can fail to be read becomes an ``InvalidInput`` naming the
line and how to fix it, never a decoding error or a csv module traceback.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path

from ember.errors import InvalidInput, Problem
from ember.textfiles import Encoding, NotText, sniff_file

# A cell longer than this stops the read (a broken quote swallowing the rest of the
# file looks like one enormous cell); shorter over-long cells are row errors.
MAX_CELL = 1 << 20
csv.field_size_limit(min(sys.maxsize, MAX_CELL))


def sniff(path: Path) -> Encoding:
    try:
        return sniff_file(path)
    except NotText as exc:
        raise InvalidInput(str(exc), [Problem(path.name, str(exc).split(", ")[0].split(" is ", 1)[-1],
                                              "export the data as CSV and import that file")]) from exc
    except OSError as exc:
        raise InvalidInput(f"{path.name} cannot be read ({exc.strerror})",
                           [Problem(path.name, "cannot be read", "check the path and its permissions")]) from exc


def _unreadable(path: Path, line: int, error: Exception) -> InvalidInput:
    text = str(error)
    if "field larger than field limit" in text:
        what = f"a cell is larger than {MAX_CELL // 1024} KiB"
        fix = "check for a quote (\") that is opened but never closed, or shorten the cell"
    elif isinstance(error, UnicodeDecodeError):
        what, fix = f"the text cannot be read ({error.reason})", "save the file as CSV UTF-8"
    else:
        what, fix = f"is not valid CSV ({text})", "save the file again as CSV from your spreadsheet or CRM"
    return InvalidInput(f"{path.name}: line {line} cannot be read", [Problem(f"line {line}", what, fix)])


def rows(path: Path, encoding: Encoding) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for the header (line 1) and each data row that is not blank."""
    line = 1
    with path.open(newline="", encoding=encoding.codec, errors="strict") as handle:
        reader = csv.reader(_without_nul(handle))
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                raise _unreadable(path, reader.line_num or line, exc) from exc
            if line == 1 or any(cell.strip() for cell in row):
                yield line, row
            line = reader.line_num + 1


def _without_nul(handle: Iterator[str]) -> Iterator[str]:
    # Some exporters pad with NUL bytes; they are never part of a value.
    for text in handle:
        yield text.replace("\x00", "") if "\x00" in text else text


def header(path: Path, encoding: Encoding) -> list[str]:
    for _line, row in rows(path, encoding):
        return row
    raise InvalidInput(f"{path.name} is empty", [Problem("line 1", "no header row", "add a header row")])
