"""Server-rendered pages: login, logout and the home page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from ember.api.deps import Db, _session_actor, check_csrf
from ember.errors import Unauthorized
from ember.models import Contact, Deal
from ember.users.access import Actor, owner_scope
from ember.users.service import actor_for_login
from ember.vocabulary import CLOSED_STAGES
from ember.web.templating import render

router = APIRouter(include_in_schema=False)


def page_actor(request: Request, db: Db) -> Actor | None:
    actor = _session_actor(request, db)
    request.state.user = actor
    return actor


@router.get("/login")
def login_form(request: Request) -> Response:
    return render(request, "login.html")


@router.post("/login")
def login(
    request: Request, db: Db, email: Annotated[str, Form()], password: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        actor = actor_for_login(db, email, password)
    except Unauthorized as exc:
        return render(request, "login.html", status_code=401, error=exc.message, email=email)
    request.session.clear()  # a fresh session on login: no fixation
    request.session["user_id"] = actor.id
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def home(request: Request, db: Db) -> Response:
    actor = page_actor(request, db)
    if actor is None:
        return RedirectResponse("/login", status_code=303)
    contacts = db.scalar(select(func.count()).select_from(Contact).where(owner_scope(actor, Contact.owner_id)))
    open_deals = db.scalar(
        select(func.count()).select_from(Deal).where(
            owner_scope(actor, Deal.owner_id), Deal.stage.not_in([s.value for s in CLOSED_STAGES])
        )
    )
    return render(request, "home.html", contacts=contacts, open_deals=open_deals)
