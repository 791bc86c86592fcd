"""Logging in with a password, with limits on guessing.

Failed attempts are counted per account (the email typed, whether or not such a
user exists, so the answer tells nothing) and per client address, in the
database every app process shares. Past the limit within the window, that
account or address is locked for a while: every attempt, right or wrong, is
answered with how long to wait. A success clears the account's count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ember.errors import EmberError, Unauthorized
from ember.settings import Settings
from ember.users import repository
from ember.users.access import Actor
from ember.users.service import actor_for_login


@dataclass(frozen=True)
class LoginLimits:
    per_account: int
    per_address: int
    window: timedelta
    lockout: timedelta

    @classmethod
    def of(cls, settings: Settings) -> LoginLimits:
        return cls(settings.login.login_max_failures_per_account, settings.login.login_max_failures_per_address,
                   timedelta(seconds=settings.login.login_window_s), timedelta(seconds=settings.login.login_lockout_s))


class LockedOut(EmberError):
    status_code = 429
    code = "locked_out"

    def __init__(self, retry_after_s: int) -> None:
        minutes = max(1, math.ceil(retry_after_s / 60))
        super().__init__(f"too many failed logins for this account or from this address; try again in "
                         f"{minutes} minute{'s' if minutes != 1 else ''}")
        self.retry_after_s = retry_after_s


def _keys(email: str, address: str | None, limits: LoginLimits) -> list[tuple[str, int]]:
    keys = [(f"account:{email.strip().lower()[:320]}", limits.per_account)]
    if address:
        keys.append((f"address:{address[:64]}", limits.per_address))
    return keys


def log_in(session: Session, email: str, password: str, *, address: str | None, now: datetime,
           limits: LoginLimits) -> Actor:
    """The actor, or Unauthorized (wrong email or password), or LockedOut (with when to retry)."""
    keys = _keys(email, address, limits)
    locks = repository.throttle_locks(session, [key for key, _ in keys], now)
    if locks:
        raise LockedOut(math.ceil((max(locks) - now).total_seconds()))
    try:
        actor = actor_for_login(session, email, password)
    except Unauthorized:
        _count_failure(session, keys, now, limits)
        raise
    repository.clear_failures(session, keys[0][0])
    return actor


def _count_failure(session: Session, keys: list[tuple[str, int]], now: datetime, limits: LoginLimits) -> None:
    for key, maximum in keys:
        row = repository.count_failure(session, key, now, now - limits.window)
        if row.failures >= maximum:
            row.locked_until, row.failures, row.window_started_at = now + limits.lockout, 0, now
    session.flush()
