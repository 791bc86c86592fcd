"""Jinja2 set-up for the pages: one environment, the layout's navigation, one render call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader
from starlette.responses import HTMLResponse

from ember.api.deps import csrf_token
from ember.users.access import Actor
from ember.vocabulary import Role
from ember.web import filters

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
# The team figures' partial is shared with the stand-alone HTML report of `ember report`.
_ANALYTICS_TEMPLATES = Path(__file__).parent.parent / "analytics" / "templates"
templates.env.loader = ChoiceLoader([FileSystemLoader(str(Path(__file__).parent / "templates")),
                                     FileSystemLoader(str(_ANALYTICS_TEMPLATES))])

# (key, address, label): a page marks itself with `{% set active_nav = key %}`.
REP_NAV = (("today", "/today", "Today"), ("contacts", "/contacts", "Contacts"), ("deals", "/deals", "Deals"),
           ("calls", "/calls", "Calls"), ("alerts", "/alerts", "Alerts"), ("nurture", "/nurture", "Nurture"))
MANAGER_NAV = (("team", "/team", "Team"), ("settings", "/settings", "Settings"))


def nav_items(user: Actor | None) -> tuple[tuple[str, str, str], ...]:
    if user is None:
        return ()
    return REP_NAV + (MANAGER_NAV if user.role is not Role.REP else ())


templates.env.globals["nav_items"] = nav_items
filters.install(templates.env)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("user", getattr(request.state, "user", None))
    context["csrf_token"] = csrf_token(request)
    return templates.TemplateResponse(request, name, context, status_code=status_code)
