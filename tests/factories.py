"""Small helpers that create real rows through the services, for tests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from ember.db import unit_of_work
from ember.users.service import add_user, issue_token


@dataclass(frozen=True)
class TestUser:
    __test__ = False  # not a test class, despite the name

    id: int
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_user(engine: Engine, email: str, role: str = "rep", team: str | None = "East",
              password: str | None = None, timezone: str = "UTC") -> TestUser:
    with unit_of_work(engine) as session:
        user = add_user(session, email=email, name=email.split("@")[0].title(), role=role, team=team,
                        password=password, timezone=timezone)
        return TestUser(user.id, user.email, issue_token(session, user))
