"""The company each imported contact or deal belongs to: found by the CRM's account id,
domain or name, and created (one insert per batch) when a row names a new one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ember.imports import repository
from ember.models import Account

_ROW_KEYS = ("account_name", "account_domain", "account_external_id", "account_country")


class AccountBook:
    """Links rows only to companies the importer may see (``allowed_owners`` None: all of them);
    a company whose domain or id belongs to one they cannot see is neither linked nor created."""

    def __init__(self, session: Session, stamp: datetime, warn: Callable[[str], None],
                 allowed_owners: set[int] | None = None) -> None:
        self.session, self.stamp, self.warn = session, stamp, warn
        self.index = repository.account_index(session, allowed_owners)
        self.by_domain, self.by_external = self.index.by_domain, self.index.by_external
        self.by_name = self.index.by_name
        self.unlinked = 0

    def known(self, name: object, domain: object, external: object) -> int | None:
        return self.index.known(name, domain, external)

    def attach(self, rows: list[dict[str, Any]]) -> None:
        """Set ``account_id`` on each row that names a company, creating the new ones first."""
        self._create_missing(rows)
        for row in rows:
            name, domain, external, _country = (row.pop(key, None) for key in _ROW_KEYS)
            account_id = self.known(name, domain, external)
            if account_id is not None:
                row["account_id"] = account_id
            elif external or self.index.taken(domain, external):
                self.unlinked += 1

    def finish(self) -> None:
        if self.unlinked:
            self.warn(f"{self.unlinked} row(s) name a company you cannot link to (an id Ember does not know and no "
                      "company name, or a domain or id in use): not linked to a company; import the companies "
                      "(ember import accounts) first")

    def _create_missing(self, rows: list[dict[str, Any]]) -> None:
        new: dict[str, dict[str, Any]] = {}
        for row in rows:
            name, domain, external = row.get("account_name"), row.get("account_domain"), row.get("account_external_id")
            if not (name or domain) or self.known(name, domain, external) is not None \
                    or self.index.taken(domain, external):
                continue
            key = str(domain or "") or str(external or "") or str(name).lower()
            new.setdefault(key, {"name": str(name or domain), "domain": domain or None, "external_id": external or None,
                                 "owner_id": row.get("owner_id"), "country": row.get("account_country")
                                 or row.get("country"), "timezone": row.get("timezone"), "updated_at": self.stamp})
        if not new:
            return
        repository.insert_rows(self.session, Account, [repository.new_row(Account, v, self.stamp)
                                                       for v in new.values()])
        for column, index in ((Account.domain, self.by_domain), (Account.external_id, self.by_external)):
            keys = [str(v[column.key]) for v in new.values() if v[column.key]]
            index.update(repository.existing_ids(self.session, Account, column, keys))
        names = [v["name"] for v in new.values() if not v["domain"] and not v["external_id"]]
        self.by_name.update({name.lower(): id_ for name, id_ in
                             repository.existing_ids(self.session, Account, Account.name, names).items()})
