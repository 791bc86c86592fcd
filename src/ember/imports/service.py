"""Streaming CSV import, as the CRMs' own importers behave: valid rows go in, every
rejected row is reported with its reason (and written to a rejects file).

Memory stays flat with file size: the first pass validates each batch and
spools the valid, parsed rows to a temporary file; the second pass writes
them from there. Only a batch is held at a time; reasons for rejected rows
are spooled too, so a file of a million bad rows costs no more than a good
one. With ``all_or_nothing`` any rejected row stops the import and nothing
is written.
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from ember.csvcells import SafeWriter
from ember.errors import InvalidInput, Problem
from ember.imports import reading, repository
from ember.imports.accounts import AccountBook
from ember.imports.columns import PHONE_FIELDS
from ember.imports.contacts import ContactWriter
from ember.imports.owners import OwnerBook
from ember.imports.rules import HeaderError, HeaderMap, RowResult, map_headers, validate_row
from ember.imports.touches import check_touch_rows, replan_touched, write_touches
from ember.models import Account, Deal
from ember.phones import phone_key
from ember.settings.cadence import CadenceSettings
from ember.tallies.service import count_new_deals, recounting_deals
from ember.textfiles import Encoding
from ember.users.access import Actor
from ember.vocabulary import Role

BATCH = 2000
MAX_REPORTED = 1000
Progress = Callable[[int], None]


@dataclass
class ImportReport:
    kind: str
    created: int = 0
    updated: int = 0
    merged: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)  # the first MAX_REPORTED
    warnings: list[str] = field(default_factory=list)  # the first MAX_REPORTED
    ignored_columns: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)  # how the file was read: encoding, repeated headers
    encoding: str = "UTF-8"
    rejected_file: str | None = None

    def problem(self, problem: Problem) -> None:
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(problem)

    def warn(self, text: str) -> None:
        if len(self.warnings) < MAX_REPORTED:
            self.warnings.append(text)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "created": self.created, "updated": self.updated, "merged": self.merged,
            "rejected": self.rejected, "encoding": self.encoding, "ignored_columns": list(self.ignored_columns),
            "notes": self.notes, "warnings": self.warnings, "rejected_file": self.rejected_file,
            "problems": [str(p) for p in self.problems],
        }


class _Rejects:
    """Reasons for rejected rows, spooled to disk in line order (one file per pass)."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.spools: list[IO[bytes]] = []
        self._pending: list[tuple[int, str]] = []

    def start_pass(self) -> None:
        self.flush()
        self.spools.append(tempfile.TemporaryFile())  # noqa: SIM115 - closed in close()

    def add(self, line: int, problems: Iterable[Problem]) -> None:
        listed = list(problems)
        for problem in listed:
            self.report.problem(problem)
        self.report.rejected += 1
        self._pending.append((line, " | ".join(str(p) for p in listed)))
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self._pending and self.spools:
            pickle.dump(self._pending, self.spools[-1], protocol=pickle.HIGHEST_PROTOCOL)
        self._pending = []

    def in_line_order(self) -> Iterator[tuple[int, str]]:
        self.flush()
        return heapq.merge(*(_unspooled(spool) for spool in self.spools))

    def close(self) -> None:
        for spool in self.spools:
            spool.close()


def _unspooled(spool: IO[bytes]) -> Iterator[Any]:
    spool.seek(0)
    while True:
        try:
            yield from pickle.load(spool)  # our own file, written just before: safe to unpickle
        except EOFError:
            return


def import_csv(
    session: Session, actor: Actor, kind: str, path: Path, *, default_owner_email: str | None = None,
    all_or_nothing: bool = False, rejected_path: Path | None = None, progress: Progress | None = None,
    cadence: CadenceSettings | None = None,
) -> ImportReport:
    """Import a CSV of contacts, accounts, deals or touches (touches need ``cadence`` to replan)."""
    if kind not in repository.MODELS:
        raise InvalidInput(f"cannot import {kind!r}", [Problem("kind", f"{kind!r} is unknown",
                                                               "use contacts, accounts, deals or touches")])
    encoding = reading.sniff(path)
    hmap = _header_map(kind, path, encoding)
    owners = OwnerBook.build(actor, repository.users(session), default_owner_email)
    report = ImportReport(kind, ignored_columns=hmap.ignored, notes=list(hmap.notes), encoding=encoding.describe())
    if encoding.assumed:
        report.notes.insert(0, f"the file is not UTF-8; read as {encoding.label}")
    rejects = _Rejects(report)
    try:
        touched = _import_passes(session, kind, path, encoding, hmap, owners, report, rejects, progress,
                                 all_or_nothing)
        if report.rejected and rejected_path is not None:
            _write_rejected(path, encoding, rejects.in_line_order(), rejected_path)
            report.rejected_file = str(rejected_path)
    finally:
        rejects.close()
    for warning in owners.warnings("the contact's owner" if kind == "touches" else "the import's owner"):
        report.warn(warning)
    if kind == "touches":
        replan_touched(session, touched, cadence or CadenceSettings())
    return report


def _import_passes(session: Session, kind: str, path: Path, encoding: Encoding, hmap: HeaderMap,
                   owners: OwnerBook, report: ImportReport, rejects: _Rejects, progress: Progress | None,
                   all_or_nothing: bool) -> set[int]:
    with tempfile.TemporaryFile() as spool:
        rejects.start_pass()
        _first_pass(session, kind, path, encoding, hmap, owners, rejects, progress, spool)
        _stop_if_strict(path, report, all_or_nothing)
        rejects.start_pass()
        writer = _Writer(session, kind, owners, report, rejects)
        for rows in _unspooled_batches(spool):
            writer.write(rows)
        writer.finish()
        _stop_if_strict(path, report, all_or_nothing)
    return writer.touched_contacts


def _stop_if_strict(path: Path, report: ImportReport, all_or_nothing: bool) -> None:
    if report.rejected and all_or_nothing:
        raise InvalidInput(
            f"{path.name}: {report.rejected} of the rows are invalid, so nothing was imported "
            "(fix them, or leave out --all-or-nothing to import the valid rows)", report.problems)


def _header_map(kind: str, path: Path, encoding: Encoding) -> HeaderMap:
    try:
        return map_headers(kind, reading.header(path, encoding))
    except HeaderError as exc:
        raise InvalidInput(f"{path.name}: the header row is not usable", exc.problems) from exc


def _data_rows(path: Path, encoding: Encoding, notes: list[str]) -> Iterator[tuple[int, list[str]]]:
    rows = reading.rows(path, encoding)
    next(rows, None)  # the header
    for line, row in rows:
        if _is_report_footer(row):
            notes.append(f"line {line} to the end is a report footer (copyright, generated by): skipped")
            return
        yield line, row


def _is_report_footer(line_cells: list[str]) -> bool:
    """Salesforce report exports end with a copyright line, a 'Generated By' line and the org's name."""
    if not line_cells or line_cells[0][:14].strip().lower()[:9] != "copyright":
        return False
    cells = [cell.strip() for cell in line_cells if cell.strip()]
    return len(cells) == 1 and cells[0].lower().startswith("copyright (c)") and "salesforce.com" in cells[0].lower()


def _batches(items: Iterator[RowResult], size: int = BATCH) -> Iterator[list[RowResult]]:
    batch: list[RowResult] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _prepared(kind: str, hmap: HeaderMap, owners: OwnerBook, path: Path, encoding: Encoding,
              notes: list[str]) -> Iterator[RowResult]:
    for line, row in _data_rows(path, encoding, notes):
        result = validate_row(kind, hmap, row, line)
        owners.resolve(result, fallback=kind != "touches")
        if kind == "contacts":
            _primary_phone(result.values)
        result.values["_line"] = line
        yield result


def _primary_phone(values: dict[str, Any]) -> None:
    """The number to call: the main phone column, else the first other number given."""
    number = next((values[f] for f in PHONE_FIELDS if values.get(f)), None)
    if number:
        values["phone"] = number
        values["phone_key"] = phone_key(str(number), values.get("country"))  # type: ignore[arg-type]


def _first_pass(session: Session, kind: str, path: Path, encoding: Encoding, hmap: HeaderMap, owners: OwnerBook,
                rejects: _Rejects, progress: Progress | None, spool: IO[bytes]) -> None:
    for batch in _batches(_prepared(kind, hmap, owners, path, encoding, rejects.report.notes)):
        if kind == "touches":
            check_touch_rows(session, owners.actor, batch)
        for result in batch:
            if result.problems:
                rejects.add(result.line, result.problems)
        pickle.dump([r.values for r in batch if not r.problems], spool, protocol=pickle.HIGHEST_PROTOCOL)
        if progress:
            progress(len(batch))


def _unspooled_batches(spool: IO[bytes]) -> Iterator[list[dict[str, Any]]]:
    spool.seek(0)
    while True:
        try:
            yield pickle.load(spool)  # our own file, written just before: safe to unpickle
        except EOFError:
            return


def _write_rejected(source: Path, encoding: Encoding, reasons: Iterator[tuple[int, str]], target: Path) -> None:
    """The rejected rows as they were, plus the line and the reason: fix them and import this file."""
    pending = next(reasons, None)
    with target.open("w", newline="", encoding="utf-8") as out:
        writer = SafeWriter(out)
        for line, row in reading.rows(source, encoding):
            if line == 1:
                writer.writerow([*row, "Ember line", "Ember reason"])
                continue
            while pending is not None and pending[0] < line:
                pending = next(reasons, None)
            if pending is not None and pending[0] == line:
                writer.writerow([*row, line, pending[1]])


class _Writer:
    """Turns validated rows into inserts and updates, one query set per batch."""

    def __init__(self, session: Session, kind: str, owners: OwnerBook, report: ImportReport,
                 rejects: _Rejects) -> None:
        self.session, self.kind, self.report = session, kind, report
        self.stamp = datetime.now(UTC)
        self.touched_contacts: set[int] = set()
        allowed = None if owners.actor.role is Role.ADMIN else owners.allowed_ids()
        self.allowed, self.rejects = allowed, rejects
        linking = kind in ("contacts", "deals")
        self.accounts = AccountBook(session, self.stamp, report.warn, allowed) if linking else None
        self.contacts = ContactWriter(session, stamp=self.stamp, allowed_owners=allowed,
                                      reject=lambda line, problem: rejects.add(line, [problem]),
                                      note=report.warn) if kind == "contacts" else None

    def write(self, rows: list[dict[str, Any]]) -> None:
        if self.kind == "touches":
            for row in rows:
                row.pop("_line", None)
            self.touched_contacts.update(write_touches(self.session, rows, self.stamp))
            self.report.created += len(rows)
            return
        if self.accounts is not None:
            self.accounts.attach(rows)
        if self.contacts is not None:
            self.contacts.write(rows)
            return
        if self.kind == "accounts":
            index = repository.account_index(self.session, self.allowed)
            rows = [row for row in rows if not self._held_by_others(row, index.taken_domains, index.taken_externals)]
            ids = [index.by_domain.get(r.get("domain", "")) or index.by_external.get(r.get("external_id", ""))
                   or index.by_name.get(str(r.get("name", "")).lower()) for r in rows]
        else:
            deals = repository.deals_by_external(self.session, [str(r.get("external_id") or "") for r in rows])
            taken = {key for key, deal in deals.items()
                     if self.allowed is not None and deal.owner_id not in self.allowed}
            rows = [row for row in rows if not self._held_by_others(row, set(), taken)]
            ids = [deals[key].id if (key := str(r.get("external_id") or "")) in deals else None for r in rows]
        for row in rows:
            for name in ("_line", "owner_named", "is_deleted"):
                row.pop(name, None)
        self._upsert(Account if self.kind == "accounts" else Deal, rows, ids)

    def _held_by_others(self, row: dict[str, Any], domains: set[str], externals: set[str]) -> bool:
        """A row whose domain or id belongs to a record the importer cannot see is left out, with the
        same words whoever holds it: an import neither changes nor reveals other people's records."""
        for column, label, taken in (("domain", "domain", domains), ("external_id", "external id", externals)):
            value = row.get(column)
            if value and str(value) in taken:
                self.rejects.add(int(row["_line"]), [Problem(f"line {row['_line']}, column {label}",
                                                             f"this {label} is already used by another record",
                                                             "correct the value or leave it empty")])
                return True
        return False

    def finish(self) -> None:
        if self.contacts is not None:
            self.report.created += self.contacts.created
            self.report.updated += self.contacts.updated
            self.report.merged += self.contacts.merged
        if self.accounts is not None:
            self.accounts.finish()

    def _upsert(self, model: Any, rows: list[dict[str, Any]], ids: list[int | None]) -> None:
        inserts: dict[str, dict[str, Any]] = {}
        updates: dict[int, dict[str, Any]] = {}
        for row, id_ in zip(rows, ids, strict=True):
            row["updated_at"] = self.stamp
            if id_ is not None:
                self._merge(updates, id_, row)
            else:
                self._merge(inserts, _record_key(self.kind, row) or f"row {len(inserts)}", row)
        new_rows = [repository.new_row(model, r, self.stamp) for r in inserts.values()]
        changed = [{**r, "id": id_} for id_, r in updates.items()]
        if model is Deal:  # closed or stalled deals count in the team numbers
            count_new_deals(self.session, repository.insert_rows_with_ids(self.session, model, new_rows))
            with recounting_deals(self.session, list(updates)):
                repository.update_rows(self.session, model, changed)
        else:
            repository.insert_rows(self.session, model, new_rows)
            repository.update_rows(self.session, model, changed)
        self.report.created += len(inserts)
        self.report.updated += len(updates)

    def _merge(self, planned: dict[Any, dict[str, Any]], key: Any, row: dict[str, Any]) -> None:
        """Rows for the same record in one batch become one write; later values win."""
        if key in planned:
            self.report.merged += 1
            planned[key].update(row)
        else:
            planned[key] = row


def _record_key(kind: str, row: dict[str, Any]) -> str | None:
    if kind == "accounts":
        return str(row.get("domain") or row.get("external_id") or row.get("name", "")).lower() or None
    return str(row.get("external_id") or "") or None

