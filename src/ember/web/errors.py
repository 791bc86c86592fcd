"""Errors shown to a person in a browser: a page inside the layout, never raw JSON."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from ember.db import unit_of_work
from ember.errors import Problem
from ember.web.desk import page_actor
from ember.web.templating import render

TITLES = {400: "That request did not work", 401: "Please log in", 403: "Not allowed",
          404: "Not found", 405: "Not possible here", 413: "Too large", 422: "Please check what you entered",
          429: "Too many attempts", 500: "Something went wrong"}

# Starlette's own words for a missing route, said the way we say things.
PLAIN = {"Not Found": "there is no page at this address; check the link or start again from Today",
         "Method Not Allowed": "this address cannot be used that way"}


def _sentence(message: str) -> str:
    message = PLAIN.get(message, message)
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _logged_in_user(request: Request) -> None:
    """Show the navigation on error pages too, when the visitor is logged in."""
    if getattr(request.state, "user", None) is not None or "session" not in request.scope:
        return
    try:
        with unit_of_work(request.app.state.engine) as db:
            page_actor(request, db)
    except Exception:  # an error page must render even when the database is the problem
        request.state.user = None


def error_page(request: Request, status: int, message: str, problems: list[Problem],
               headers: dict[str, str] | None) -> Response:
    _logged_in_user(request)
    response = render(request, "error.html", status_code=status, code=status,
                      title=TITLES.get(status, "That request did not work"), message=_sentence(message),
                      problems=[str(p) for p in problems])
    response.headers.update(headers or {})
    return response
