"""Who owns an imported row: the user a row names, by email or by display name.

CRM exports name owners as people see them ("Jane Doe"), sometimes by email.
A name that is no Ember user falls back to the import's default owner and is
reported once with its count, never as one message per row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ember.errors import InvalidInput, Problem
from ember.imports.repository import UserRow
from ember.imports.rules import RowResult
from ember.imports.values import name_key
from ember.users.access import Actor
from ember.vocabulary import Role


@dataclass
class OwnerBook:
    actor: Actor
    users: list[UserRow]
    default_owner_id: int
    unknown: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._by_key: dict[str, UserRow] = {}
        for user in self.users:
            self._by_key.setdefault(user.email.lower(), user)
            self._by_key.setdefault(name_key(user.name, ""), user)

    @classmethod
    def build(cls, actor: Actor, users: list[UserRow], default_owner: str | None) -> OwnerBook:
        book = cls(actor, users, actor.id)
        if default_owner:
            found = book.find(default_owner)
            if found is None:
                raise InvalidInput(f"no user {default_owner}",
                                   [Problem("--owner", f"{default_owner} is not a user", "see `ember users list`")])
            book.default_owner_id = found.id
        return book

    def find(self, text: str) -> UserRow | None:
        key = text.strip().lower()
        return self._by_key.get(key) or self._by_key.get(name_key(key, ""))

    def may_assign(self, owner_id: int, team_id: int | None) -> bool:
        if self.actor.role is Role.ADMIN or owner_id == self.actor.id:
            return True
        return self.actor.role is Role.MANAGER and team_id is not None and team_id == self.actor.team_id

    def allowed_ids(self) -> set[int]:
        return {u.id for u in self.users if self.may_assign(u.id, u.team_id)}

    def resolve(self, result: RowResult, *, fallback: bool = True) -> None:
        """Set ``owner_id`` (and ``owner_named`` when the row's own owner was found)."""
        named = result.values.pop("owner", None)
        if not named:
            if fallback:
                result.values["owner_id"] = self.default_owner_id
            return
        user = self.find(str(named))
        if user is None:
            self.unknown[str(named)] += 1
            if fallback:
                result.values["owner_id"] = self.default_owner_id
            return
        if not self.may_assign(user.id, user.team_id):
            result.problems.append(Problem(f"line {result.line}, column owner", f"you cannot assign records to {named}",
                                           "assign to yourself or ask a manager to import"))
            return
        result.values["owner_id"] = user.id
        result.values["owner_named"] = True

    def warnings(self, default_label: str) -> list[str]:
        return [f"owner {name!r} is not an Ember user: {count} row(s) went to {default_label}; "
                "add the user and import again to assign them" for name, count in self.unknown.most_common()]
