"""Streaming CSV import: validate the whole file first, then write it in batches.

Memory stays flat with file size: the first pass validates each batch and
spools the valid, parsed rows to a temporary file; the second pass writes
them from there. Only a batch is held at a time. If any row is invalid
nothing is written, unless the caller asked to skip invalid rows.
"""

from __future__ import annotations

import csv
import pickle
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ember.cadence.settings import CadenceSettings
from ember.errors import InvalidInput, Problem
from ember.imports import repository
from ember.imports.rules import HeaderError, HeaderMap, RowResult, map_headers, validate_row
from ember.imports.touches import check_touch_rows, replan_touched, write_touches
from ember.models import Account, Contact, Deal
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
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: tuple[str, ...] = ()
    rejected_file: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "created": self.created, "updated": self.updated, "rejected": self.rejected,
            "ignored_columns": list(self.ignored_columns), "rejected_file": self.rejected_file,
            "problems": [str(p) for p in self.problems[:MAX_REPORTED]],
        }


@dataclass
class _Context:
    kind: str
    actor: Actor
    users: dict[str, tuple[int, int | None]]
    default_owner_id: int

    def owner_for(self, result: RowResult) -> int | None:
        email = result.values.get("owner_email")
        if not email:
            return self.default_owner_id
        found = self.users.get(str(email).lower())
        if found is None:
            result.problems.append(Problem(f"line {result.line}, column owner", f"{email} is not an Ember user",
                                           "add the user first or leave the owner empty"))
            return None
        if not self._may_assign(found):
            result.problems.append(Problem(f"line {result.line}, column owner", f"you cannot assign records to {email}",
                                           "assign to yourself or ask a manager to import"))
            return None
        return found[0]

    def _may_assign(self, owner: tuple[int, int | None]) -> bool:
        if self.actor.role is Role.ADMIN or owner[0] == self.actor.id:
            return True
        return self.actor.role is Role.MANAGER and owner[1] is not None and owner[1] == self.actor.team_id


def _rows(path: Path) -> Iterator[tuple[int, list[str], list[str]]]:
    """(line number, header, row) for each data row; the header is line 1."""
    with path.open(newline="", encoding="utf-8-sig", errors="strict") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise InvalidInput("the file is empty", [Problem("line 1", "no header row", "add a header row")])
        for row in reader:
            if any(cell.strip() for cell in row):
                yield reader.line_num, header, row


def _header_map(kind: str, path: Path) -> HeaderMap:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle), None)
    if header is None:
        raise InvalidInput("the file is empty", [Problem("line 1", "no header row", "add a header row")])
    try:
        return map_headers(kind, header)
    except HeaderError as exc:
        raise InvalidInput(f"{path.name}: the header row is not usable", exc.problems) from exc


def _key(kind: str, values: dict[str, object]) -> str | None:
    if kind == "contacts":
        return str(values.get("email") or "") or None
    if kind == "accounts":
        return str(values.get("domain") or values.get("external_id") or values.get("name", "")).lower() or None
    return str(values.get("external_id") or "") or None


def _validated(session: Session, ctx: _Context, path: Path, hmap: HeaderMap) -> Iterator[RowResult]:
    """Every row, validated against the rules and against the database (owners, duplicates)."""
    seen: dict[str, int] = {}
    for line, _header, row in _rows(path):
        result = validate_row(ctx.kind, hmap, row, line)
        owner_id = ctx.owner_for(result)
        if owner_id is not None:
            result.values["owner_id"] = owner_id
        key = _key(ctx.kind, result.values)
        if key is not None:
            if key in seen:
                result.problems.append(Problem(f"line {line}", f"repeats {key} from line {seen[key]}",
                                               "keep one row per record"))
            else:
                seen[key] = line
        yield result


def _check_existing_owners(session: Session, ctx: _Context, batch: list[RowResult]) -> None:
    """A re-import may update only records the importer is allowed to change."""
    if ctx.kind != "contacts" or ctx.actor.role is Role.ADMIN:
        return
    emails = [str(r.values["email"]) for r in batch if "email" in r.values]
    owners = dict(session.execute(select(Contact.email, Contact.owner_id).where(Contact.email.in_(emails))).all()) \
        if emails else {}
    allowed = {uid for uid, team in ctx.users.values() if ctx._may_assign((uid, team))}
    for result in batch:
        owner = owners.get(str(result.values.get("email")))
        if owner is not None and owner not in allowed:
            result.problems.append(Problem(f"line {result.line}, column email",
                                           "this email belongs to a contact someone else owns",
                                           "leave this row out or ask a manager to import it"))


def _batches(items: Iterator[RowResult], size: int = BATCH) -> Iterator[list[RowResult]]:
    batch: list[RowResult] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_csv(
    session: Session, actor: Actor, kind: str, path: Path, *, default_owner_email: str | None = None,
    skip_invalid: bool = False, rejected_path: Path | None = None, progress: Progress | None = None,
    cadence: CadenceSettings | None = None,
) -> ImportReport:
    """Import a CSV of contacts, accounts, deals or touches (touches need ``cadence`` to replan)."""
    if kind not in repository.MODELS:
        raise InvalidInput(f"cannot import {kind!r}", [Problem("kind", f"{kind!r} is unknown",
                                                               "use contacts, accounts, deals or touches")])
    hmap = _header_map(kind, path)
    users = repository.user_ids_by_email(session)
    ctx = _Context(kind, actor, users, _default_owner(ctx_users=users, actor=actor, email=default_owner_email))
    report = ImportReport(kind, ignored_columns=hmap.ignored)
    with tempfile.TemporaryFile() as spool:
        invalid_lines = _first_pass(session, ctx, path, hmap, report, progress, spool)
        if invalid_lines and not skip_invalid:
            raise InvalidInput(
                f"{path.name}: {len(invalid_lines)} of the rows are invalid, so nothing was imported "
                "(fix them, or import the valid rows with --skip-invalid)",
                report.problems[:MAX_REPORTED],
            )
        if invalid_lines and rejected_path is not None:
            _write_rejected(path, invalid_lines, report.problems, rejected_path)
            report.rejected_file = str(rejected_path)
        report.rejected = len(invalid_lines)
        writer = _Writer(session, ctx, report)
        for rows in _spooled_batches(spool):
            writer.write(rows)
    if kind == "touches":
        replan_touched(session, writer.touched_contacts, cadence or CadenceSettings())
    return report


def _spooled_batches(spool: IO[bytes]) -> Iterator[list[dict[str, Any]]]:
    spool.seek(0)
    while True:
        try:
            yield pickle.load(spool)  # our own file, written just before: safe to unpickle
        except EOFError:
            return


def _default_owner(*, ctx_users: dict[str, tuple[int, int | None]], actor: Actor, email: str | None) -> int:
    if not email:
        return actor.id
    found = ctx_users.get(email.strip().lower())
    if found is None:
        raise InvalidInput(f"no user with email {email}",
                           [Problem("--owner", f"{email} is not a user", "see `ember users list`")])
    return found[0]


def _first_pass(session: Session, ctx: _Context, path: Path, hmap: HeaderMap, report: ImportReport,
                progress: Progress | None, spool: IO[bytes]) -> set[int]:
    invalid: set[int] = set()
    for batch in _batches(_validated(session, ctx, path, hmap)):
        if ctx.kind == "touches":
            check_touch_rows(session, ctx.actor, batch)
        else:
            _check_existing_owners(session, ctx, batch)
        for result in batch:
            if result.problems:
                invalid.add(result.line)
                report.problems.extend(result.problems)
        pickle.dump([r.values for r in batch if not r.problems], spool, protocol=pickle.HIGHEST_PROTOCOL)
        if progress:
            progress(len(batch))
    return invalid


def _write_rejected(source: Path, invalid: set[int], problems: list[Problem], target: Path) -> None:
    reasons: dict[int, list[str]] = {}
    for problem in problems:
        line = int(problem.where.split(",")[0].removeprefix("line ").strip() or 0)
        reasons.setdefault(line, []).append(str(problem))
    with target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        for index, (line, header, row) in enumerate(_rows(source)):
            if index == 0:
                writer.writerow(["line", *header, "errors"])
            if line in invalid:
                writer.writerow([line, *row, " | ".join(reasons.get(line, []))])


class _Writer:
    """Turns validated rows into inserts and updates, one query set per batch."""

    def __init__(self, session: Session, ctx: _Context, report: ImportReport) -> None:
        self.session, self.ctx, self.report = session, ctx, report
        self.touched_contacts: set[int] = set()
        self.by_domain, self.by_external, self.by_name = (
            repository.account_ids(session) if ctx.kind in ("contacts", "deals", "accounts") else ({}, {}, {})
        )

    def write(self, rows: list[dict[str, Any]]) -> None:
        now = datetime.now(UTC)
        if self.ctx.kind == "touches":
            self.touched_contacts.update(write_touches(self.session, rows, now))
            self.report.created += len(rows)
            return
        if self.ctx.kind == "accounts":
            self._upsert(Account, rows, self._account_match(rows), now)
            return
        self._create_missing_accounts(rows)
        for row in rows:
            account_id = self._known_account(row.pop("account_name", None), row.pop("account_domain", None))
            if account_id is not None:
                row["account_id"] = account_id
            row.pop("owner_email", None)
        if self.ctx.kind == "contacts":
            emails = [str(r["email"]) for r in rows]
            existing = repository.existing_ids(self.session, Contact, Contact.email, emails)
            self._upsert(Contact, rows, [existing.get(email) for email in emails], now)
        else:
            existing = repository.existing_ids(
                self.session, Deal, Deal.external_id, [str(r.get("external_id") or "") for r in rows]
            )
            self._upsert(Deal, rows, [existing.get(str(r.get("external_id"))) for r in rows], now)

    def _account_match(self, rows: list[dict[str, Any]]) -> list[int | None]:
        matches = []
        for row in rows:
            row.pop("owner_email", None)
            matches.append(self.by_domain.get(row.get("domain", "")) or self.by_external.get(row.get("external_id", ""))
                           or self.by_name.get(str(row.get("name", "")).lower()))
        return matches

    def _known_account(self, name: object, domain: object) -> int | None:
        return self.by_domain.get(str(domain or "")) or self.by_name.get(str(name or "").lower())

    def _create_missing_accounts(self, rows: list[dict[str, Any]]) -> None:
        """Companies named in the rows but not yet known are created in one insert per batch."""
        new: dict[str, dict[str, Any]] = {}
        for row in rows:
            name, domain = row.get("account_name"), row.get("account_domain")
            if (name or domain) and self._known_account(name, domain) is None:
                key = str(domain or "") or str(name).lower()
                new.setdefault(key, {"name": str(name or domain), "domain": domain or None,
                                     "owner_id": row.get("owner_id"), "country": row.get("country"),
                                     "timezone": row.get("timezone")})
        if not new:
            return
        now = datetime.now(UTC)
        repository.insert_rows(self.session, Account, [self._new_row(Account, v | {"updated_at": now}, now)
                                                       for v in new.values()])
        domains = [v["domain"] for v in new.values() if v["domain"]]
        self.by_domain.update(repository.existing_ids(self.session, Account, Account.domain, domains))
        names = [v["name"] for v in new.values() if not v["domain"]]
        for id_, name in self.session.execute(select(Account.id, Account.name).where(Account.name.in_(names))):
            self.by_name.setdefault(name.lower(), id_)

    def _upsert(self, model: Any, rows: list[dict[str, Any]], ids: list[int | None], now: datetime) -> None:
        inserts, updates = [], []
        for row, id_ in zip(rows, ids, strict=True):
            row["updated_at"] = now
            if id_ is None:
                inserts.append(self._new_row(model, row, now))
            else:
                updates.append({**row, "id": id_})
        repository.insert_rows(self.session, model, inserts)
        repository.update_rows(self.session, model, updates)
        self.report.created += len(inserts)
        self.report.updated += len(updates)

    @staticmethod
    def _new_row(model: Any, row: dict[str, Any], now: datetime) -> dict[str, Any]:
        # Every row gets every column so a batch is one executemany, not one per key set.
        base: dict[str, Any] = dict.fromkeys(_insert_columns(model)) | {"created_at": now}
        if model is Contact:
            base |= {"first_name": "", "last_name": "", "decision_role": "unknown", "status": "active"}
        elif model is Deal:
            base |= {"stage": "prospecting", "currency": "USD", "qualification": {}}
        return base | row


@cache
def _insert_columns(model: Any) -> tuple[str, ...]:
    return tuple(column.key for column in model.__table__.columns if column.key != "id")
