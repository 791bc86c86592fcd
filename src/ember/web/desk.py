"""What every page shares: who is asking (signed in, a manager, an admin), and forms that fail on the form.

A form that does not validate is shown again, as filled in, with the error at
the top and next to each field it names; nothing was changed (the request's
transaction is rolled back).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ember.api.deps import Db, _session_actor, check_csrf
from ember.audit.service import act_as
from ember.errors import EmberError, NotFound
from ember.users.access import Actor, require_manager
from ember.web.templating import render


def page_actor(request: Request, db: Db) -> Actor | None:
    """The user of this browser session, or None; the audit trail credits them with what the page changes."""
    actor = _session_actor(request, db)
    request.state.user = actor
    if actor is not None:
        act_as(db, actor)
    return actor


class LoginRequired(Exception):
    """A page was asked for without a live login: the browser goes to the login form."""


def install(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse("/login", status_code=303)


def _anyone(request: Request, db: Db) -> Actor:
    actor = page_actor(request, db)
    if actor is None:
        raise LoginRequired()
    return actor


def _manager(request: Request, db: Db) -> Actor:
    actor = _anyone(request, db)
    require_manager(actor)  # a rep gets "not allowed" (403): the desk is for managers and admins
    return actor


def _admin(request: Request, db: Db) -> Actor:
    actor = _anyone(request, db)
    if not actor.is_admin:
        raise NotFound("no such page")  # a page only admins have a link to is not even announced to others
    return actor


PageUser = Annotated[Actor, Depends(_anyone)]  # anyone signed in; the browser goes to log in first otherwise
DeskUser = Annotated[Actor, Depends(_manager)]  # managers and admins; a rep is refused (403)
AdminUser = Annotated[Actor, Depends(_admin)]  # admins; anyone else is answered as if the page did not exist


def checked_form(request: Request, csrf: str) -> None:
    check_csrf(request, csrf)


def done(request: Request, message: str, to: str) -> Response:
    """After a change: say what happened on the next page (post/redirect/get)."""
    request.session["flash"] = message
    return RedirectResponse(to, status_code=303)


def failed(request: Request, db: Session, template: str, exc: EmberError, **context: Any) -> Response:
    """The form again, with what was wrong; the transaction is rolled back so nothing changed."""
    db.rollback()
    errors: dict[str, str] = {}
    for problem in exc.problems:
        errors.setdefault(problem.where, f"{problem.what}; {problem.fix}")
    status = exc.status_code if exc.status_code in (403, 404, 409) else 422
    return render(request, template, status_code=status, error=_sentence(exc.message),
                  problems=[str(p) for p in exc.problems], errors=errors, **context)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
