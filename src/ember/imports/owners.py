"""Who owns an imported row: the user a row names, by email or by display name.

CRM exports name owners as people see them ("Jane Doe"), sometimes by email.
A name that is no Ember user falls back to the import's default owner and is
reported once with its count, never as one message per row.

Only the users the importer may assign records to are known here (a rep:
themselves; a manager: their team; an admin: everyone). Another team's user
is answered exactly as a name that is no user at all, so an import never tells
who else exists.
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
        assignable = [user for user in users if may_assign(actor, user.id, user.team_id)]
        book = cls(actor, assignable, actor.id)
        if default_owner:
            found = book.find(default_owner)
            if found is None:
                raise InvalidInput(f"{default_owner} is not a user you can assign records to",
                                   [Problem("--owner", f"{default_owner} is not a user you can assign records to",
                                            "name yourself or a user on your team (see `ember users list`)")])
            book.default_owner_id = found.id
        return book

    def find(self, text: str) -> UserRow | None:
        key = text.strip().lower()
        return self._by_key.get(key) or self._by_key.get(name_key(key, ""))

    def allowed_ids(self) -> set[int]:
        return {u.id for u in self.users}

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
        result.values["owner_id"] = user.id
        result.values["owner_named"] = True

    def warnings(self, default_label: str) -> list[str]:
        return [f"owner {name!r} is not a user you can assign records to: {count} row(s) went to "
                f"{default_label}; add the user, or ask someone who may assign to them to import"
                for name, count in self.unknown.most_common()]


def may_assign(actor: Actor, owner_id: int, team_id: int | None) -> bool:
    if actor.role is Role.ADMIN or owner_id == actor.id:
        return True
    return actor.role is Role.MANAGER and team_id is not None and team_id == actor.team_id
