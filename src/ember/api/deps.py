"""Request-scoped dependencies: the database session and the acting user.

The request is the transaction boundary: services only flush, and the
session commits here once the endpoint has succeeded.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from ember.audit.service import act_as
from ember.db import unit_of_work
from ember.errors import Forbidden, Unauthorized
from ember.users.access import Actor
from ember.users.service import actor_for_token
from ember.users.sessions import SessionTimeouts, resume_session

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_db(request: Request) -> Iterator[Session]:
    with unit_of_work(request.app.state.engine) as session:
        yield session


# "function" scope: the transaction commits before the response leaves. With the default
# ("request") a client could follow a redirect, or act on a 201, before the data exists,
# and a failed commit would follow a success answer.
Db = Annotated[Session, Depends(get_db, scope="function")]


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get("csrf")
    if not expected or not submitted or not secrets.compare_digest(str(expected), submitted):
        raise Forbidden("the form expired or did not come from Ember; reload the page and try again")


def _session_actor(request: Request, db: Session) -> Actor | None:
    """The logged-in user, while their server-side session holds (not logged out, not
    ended by a password change, not idle or past its absolute timeout)."""
    token = request.session.get("sid")
    if not token:
        return None
    timeouts = SessionTimeouts.of(request.app.state.settings)
    user = resume_session(db, str(token), now=datetime.now(UTC), timeouts=timeouts)
    if user is None:
        request.session.pop("sid", None)
        return None
    return Actor.of(user)


def current_actor(request: Request, db: Db) -> Actor:
    """Bearer token for scripts; the login cookie (plus CSRF header on changes) for the pages."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        actor = actor_for_token(db, header[7:].strip())
    else:
        session_actor = _session_actor(request, db)
        if session_actor is None:
            raise Unauthorized("log in, or send an API token as `Authorization: Bearer <token>`")
        if request.method not in SAFE_METHODS:
            check_csrf(request, request.headers.get("x-csrf-token"))
        actor = session_actor
    act_as(db, actor)  # the audit trail credits this user with what the request changes
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


def actor_briefly(request: Request) -> Actor:
    """``current_actor`` in a transaction of its own, begun and ended in one worker thread.

    For long-lived responses (the live alert feed): with the request's session, a
    connection taken to check the caller stays taken while the request waits for a
    thread to run the endpoint, and many such requests at once can hold every
    connection while the threads wait for one."""
    with unit_of_work(request.app.state.engine) as db:
        return current_actor(request, db)
