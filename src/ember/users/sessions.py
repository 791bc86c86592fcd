"""Web logins kept on the server, so that they can be ended.

The login cookie carries only a random token; the ``web_sessions`` row behind
it says whose login it is and whether it still holds. A session ends at logout,
when the user's password changes (every session of that user), when it has not
been used for the idle timeout, and in any case at the absolute timeout fixed
at login. API tokens are separate and unaffected.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ember.models import User, WebSession
from ember.settings import Settings
from ember.users import repository
from ember.users.passwords import token_digest
from ember.users.repository import user_by_id

# Recording every request's time would write on every page view; a minute is plenty
# for an idle timeout counted in hours.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionTimeouts:
    idle: timedelta
    absolute: timedelta

    @classmethod
    def of(cls, settings: Settings) -> SessionTimeouts:
        login = settings.login
        return cls(timedelta(seconds=login.session_idle_timeout_s), timedelta(seconds=login.session_max_age_s))


def start_session(session: Session, user: User, *, now: datetime, timeouts: SessionTimeouts) -> str:
    """A new session for ``user``; the token for the cookie (only its digest is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=token_digest(token), user_id=user.id, last_seen_at=now,
                           expires_at=now + timeouts.absolute))
    repository.drop_old_sessions(session, now - timeouts.absolute)
    session.flush()
    return token


def resume_session(session: Session, token: str, *, now: datetime, timeouts: SessionTimeouts) -> User | None:
    """The user a cookie's token stands for, while the session holds; None once it has ended."""
    row = repository.live_session(session, token_digest(token), now, now - timeouts.idle)
    if row is None:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        session.flush()
    return user_by_id(session, row.user_id)


def end_session(session: Session, token: str, *, now: datetime) -> None:
    repository.revoke_sessions(session, now, token_hash=token_digest(token))


def end_all_sessions(session: Session, user_id: int, *, now: datetime) -> int:
    """Log the user out everywhere (a password change does this); how many sessions ended."""
    return repository.revoke_sessions(session, now, user_id=user_id)
