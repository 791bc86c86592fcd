"""Errors a user can act on. Each says what was wrong, where, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    where: str  # "line 4, column Email", "field email", "option --role"
    what: str
    fix: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}; {self.fix}"


class EmberError(Exception):
    """Base for errors shown to users (HTTP 4xx, CLI exit code 1)."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = problems or []


class InvalidInput(EmberError):
    status_code = 422
    code = "invalid_input"


class NotFound(EmberError):
    status_code = 404
    code = "not_found"


class Forbidden(EmberError):
    status_code = 403
    code = "forbidden"


class Conflict(EmberError):
    status_code = 409
    code = "conflict"


class Unauthorized(EmberError):
    status_code = 401
    code = "unauthorized"


@dataclass
class ProblemList:
    """Collects problems so that every one is reported at once, not just the first."""

    items: list[Problem] = field(default_factory=list)

    def add(self, where: str, what: str, fix: str) -> None:
        self.items.append(Problem(where, what, fix))

    def raise_if_any(self, message: str) -> None:
        if self.items:
            raise InvalidInput(message, list(self.items))
