"""Server-rendered pages: login, logout and the home page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ember.api.deps import Db, check_csrf
from ember.contacts.service import count_contacts
from ember.deals.service import count_open_deals
from ember.errors import Unauthorized
from ember.users.login import LockedOut, LoginLimits, log_in
from ember.users.service import current_user
from ember.users.sessions import SessionTimeouts, end_session, start_session
from ember.web.desk import PageUser
from ember.web.templating import render

router = APIRouter(include_in_schema=False)


def back_to(back: str) -> str | None:
    """Where a form sent from another page returns: one of our own pages, never another site."""
    return back if back.startswith("/") and not back.startswith("//") and "\\" not in back else None


@router.get("/login")
def login_form(request: Request) -> Response:
    return render(request, "login.html")


@router.post("/login")
def login(
    request: Request, db: Db, email: Annotated[str, Form()], password: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    settings, now = request.app.state.settings, datetime.now(UTC)
    address = request.client.host if request.client else None
    try:
        actor = log_in(db, email, password, address=address, now=now, limits=LoginLimits.of(settings))
    except LockedOut as exc:
        page = render(request, "login.html", status_code=429, error=exc.message, email=email)
        page.headers["Retry-After"] = str(exc.retry_after_s)
        return page
    except Unauthorized as exc:
        return render(request, "login.html", status_code=401, error=exc.message, email=email)
    user = current_user(db, actor)
    request.session.clear()  # a fresh cookie and CSRF token on login: no fixation
    request.session["sid"] = start_session(db, user, now=now, timeouts=SessionTimeouts.of(settings))
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
def logout(request: Request, db: Db, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    token = request.session.get("sid")
    if token:
        end_session(db, str(token), now=datetime.now(UTC))  # a copy of the cookie is worth nothing now
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def home(request: Request, db: Db, actor: PageUser) -> Response:
    contacts = count_contacts(db, actor)
    open_deals = count_open_deals(db, actor)
    return render(request, "home.html", contacts=contacts, open_deals=open_deals)
