"""Writing imported contacts: one contact per person, however often the file names them.

A row finds its stored contact by external id, then email, then phone number
and name (the last only for a contact whose email and external id do not
disagree with the row's). Rows of the same person within one file are merged
into one contact, later non-empty values winning, and reported. A row that
would give an email or external id to a second contact, or change a contact
the importer may not change, is rejected with the reason. One query set per
batch, never one per row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ember.errors import Problem
from ember.imports import repository
from ember.imports.repository import KnownContact
from ember.imports.values import name_key
from ember.models import Contact
from ember.phones import phone_key

Reject = Callable[[int, Problem], None]
Note = Callable[[str], None]


@dataclass
class _Index:
    """Stored contacts that rows of this batch may refer to."""

    known: list[KnownContact]

    def __post_init__(self) -> None:
        self.by_id = {c.id: c for c in self.known}
        self.by_ext = {c.external_id: c.id for c in self.known if c.external_id}
        self.by_email = {c.email: c.id for c in self.known if c.email}
        self.by_phone: dict[str, list[KnownContact]] = {}
        for contact in self.known:
            if contact.phone_key:
                self.by_phone.setdefault(contact.phone_key, []).append(contact)


@dataclass
class _Plan:
    """What this batch will write: stored contacts by id, new ones by negative ids."""

    records: dict[int, dict[str, Any]] = field(default_factory=dict)
    claims: dict[tuple[str, str], int] = field(default_factory=dict)  # ("email", x) -> target
    phones: dict[tuple[str, str], int] = field(default_factory=dict)  # (phone key, name) -> target
    last_new: int = 0

    def new_id(self) -> int:
        self.last_new -= 1
        return self.last_new

    def claim(self, target: int, row: dict[str, Any]) -> None:
        for kind in ("email", "external_id"):
            if row.get(kind):
                self.claims[(kind, str(row[kind]))] = target
        key, name = row.get("phone_key"), name_key(row.get("first_name"), row.get("last_name"))
        if key and name:
            self.phones[(str(key), name)] = target


def _agrees(row: dict[str, Any], email: str | None, external_id: str | None) -> bool:
    return ((not row.get("email") or not email or row["email"] == email)
            and (not row.get("external_id") or not external_id or row["external_id"] == external_id))


class ContactWriter:
    def __init__(self, session: Session, *, stamp: datetime, allowed_owners: set[int] | None,
                 reject: Reject, note: Note) -> None:
        self.session, self.stamp, self.allowed = session, stamp, allowed_owners
        self.reject, self.note = reject, note
        self.created = self.updated = self.merged = 0

    def write(self, rows: list[dict[str, Any]]) -> None:
        index = _Index(repository.contacts_matching(
            self.session, external_ids=[str(r.get("external_id") or "") for r in rows],
            emails=[str(r.get("email") or "") for r in rows],
            phone_keys=[str(r.get("phone_key") or "") for r in rows]))
        plan = _Plan()
        for row in rows:
            self._place(row, index, plan)
        inserts = _same_keys([_new_row(values, self.stamp) for target, values in plan.records.items() if target < 0])
        updates = [{**values, "id": target, "updated_at": self.stamp}
                   for target, values in plan.records.items() if target > 0]
        repository.insert_rows(self.session, Contact, inserts)
        repository.update_rows(self.session, Contact, updates)

    def _place(self, row: dict[str, Any], index: _Index, plan: _Plan) -> None:
        line = int(row.pop("_line"))
        target = self._match(row, index, plan)
        problem = self._conflict(row, target, index, plan, line)
        if problem is not None:
            self.reject(line, problem)
            return
        if target is None:
            target = plan.new_id()
            self.created += 1
        elif target < 0 or target in plan.records or index.by_id[target].stamp == self.stamp:
            self.merged += 1
            self.note(f"line {line}: the same person as an earlier row "
                      f"({row.get('email') or row.get('external_id') or row.get('phone')}); merged into one "
                      "contact, later values win")
        else:
            self.updated += 1
        # A row that names no owner keeps the owner a contact has; only a new one gets the default.
        default_owner = None if row.pop("owner_named", False) else row.pop("owner_id", None)
        row.pop("is_deleted", None)
        if target > 0 and row.get("phone") and not row.get("country"):
            row["phone_key"] = phone_key(row["phone"], index.by_id[target].country)
        record = plan.records.setdefault(target, {})
        record.update(row)
        if target < 0:
            record.setdefault("owner_id", default_owner)
        plan.claim(target, record)

    def _match(self, row: dict[str, Any], index: _Index, plan: _Plan) -> int | None:
        for kind, stored in (("external_id", index.by_ext), ("email", index.by_email)):
            value = row.get(kind)
            if value:
                found = plan.claims.get((kind, str(value))) or stored.get(str(value))
                if found:
                    return found
        key, name = row.get("phone_key"), name_key(row.get("first_name"), row.get("last_name"))
        if not key or not name:
            return None
        planned = plan.phones.get((str(key), name))
        if planned is not None and _agrees(row, plan.records[planned].get("email"),
                                           plan.records[planned].get("external_id")):
            return planned
        for contact in index.by_phone.get(str(key), []):
            if self.allowed is not None and contact.owner_id not in self.allowed:
                continue  # a phone and a name are no unique key: someone else's contact is not this row's
            if contact.name_key == name and _agrees(row, contact.email, contact.external_id):
                return contact.id
        return None

    def _conflict(self, row: dict[str, Any], target: int | None, index: _Index, plan: _Plan,
                  line: int) -> Problem | None:
        for kind, stored, label in (("email", index.by_email, "email"),
                                    ("external_id", index.by_ext, "external id")):
            value = row.get(kind)
            if not value:
                continue
            holder = plan.claims.get((kind, str(value)), stored.get(str(value)))
            if holder is not None and holder != target:
                return Problem(f"line {line}, column {label}", f"this {label} belongs to another contact in Ember "
                               "or earlier in this file", "correct the value or leave it empty")
        if target is not None and target > 0 and self.allowed is not None \
                and index.by_id[target].owner_id not in self.allowed:
            # The same words as for any taken email or id: nothing says whose contact it is.
            label = "email" if row.get("email") else "external id"
            return Problem(f"line {line}, column {label}", f"this {label} belongs to another contact in Ember "
                           "or earlier in this file", "correct the value or leave it empty")
        return None


def _new_row(values: dict[str, Any], stamp: datetime) -> dict[str, Any]:
    return {"first_name": "", "last_name": "", "decision_role": "unknown", "status": "active", "do_not_call": False,
            "do_not_email": False, "created_at": stamp, "updated_at": stamp} | values


def _same_keys(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every row with the same keys, so a batch is one executemany; only the columns some row
    fills, so the driver does not bind columns that are empty everywhere."""
    keys: set[str] = set().union(*rows) if rows else set()
    empty = dict.fromkeys(keys)
    return [row if len(row) == len(keys) else empty | row for row in rows]
