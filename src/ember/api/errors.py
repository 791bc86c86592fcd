"""One stable JSON shape for every error the HTTP interface returns:

    {"error": {"code": "...", "message": "...", "problems": [{"where", "what", "fix"}]}}

A person in a browser gets the same error as a page inside the layout instead
(the `page` renderer given to ``install_error_handlers``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from ember.errors import EmberError, Problem

log = logging.getLogger(__name__)


def error_body(code: str, message: str, problems: list[Problem] | None = None) -> dict[str, object]:
    return {
        "error": {
            "code": code,
            "message": message,
            "problems": [{"where": p.where, "what": p.what, "fix": p.fix} for p in problems or []],
        }
    }


def _where(loc: tuple[object, ...]) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path")]
    return "field " + ".".join(parts) if parts else "request body"


# Addresses that machines call: they always get JSON, whatever they accept.
MACHINE_PREFIXES = ("/api/", "/events", "/t/", "/v1/", "/healthz", "/openapi.json", "/static/")

PageRenderer = Callable[[Request, int, str, list[Problem], dict[str, str] | None], Response]


def wants_page(request: Request) -> bool:
    """A browser asking for a page (not a script, not an htmx fragment)."""
    if request.url.path.startswith(MACHINE_PREFIXES) or request.headers.get("hx-request"):
        return False
    return "text/html" in request.headers.get("accept", "")


def install_error_handlers(app: FastAPI, page: PageRenderer | None = None) -> None:
    def answer(request: Request, status: int, code: str, message: str, problems: list[Problem] | None = None,
               headers: dict[str, str] | None = None) -> Response:
        if page is not None and wants_page(request):
            return page(request, status, message, problems or [], headers)
        return JSONResponse(error_body(code, message, problems), status_code=status, headers=headers)

    @app.exception_handler(EmberError)
    async def ember_error(request: Request, exc: EmberError) -> Response:
        retry_after = getattr(exc, "retry_after_s", None)  # a lockout says when to come back
        return answer(request, exc.status_code, exc.code, exc.message, exc.problems,
                      headers={"Retry-After": str(retry_after)} if retry_after is not None else None)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            Problem(_where(tuple(err.get("loc", ()))), str(err.get("msg", "invalid")), "correct the value and retry")
            for err in exc.errors()
        ]
        return answer(request, 422, "invalid_input", "the request is not valid", problems)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                413: "too_large"}.get(exc.status_code, "http_error")
        return answer(request, exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))

    # Last line of defence, after the checks the services make: a value the database cannot hold or a
    # uniqueness the request broke is the caller's error (4xx), never a server error. The answer names
    # no other record, so it tells nothing about records the caller cannot see.
    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def value_out_of_range(request: Request, exc: Exception) -> Response:
        log.info("value refused by the database: %s", exc)
        return answer(request, 422, "invalid_input", "a value in the request is out of range",
                      [Problem("request", "a number or text is larger than Ember can store",
                               "use a smaller value (ids and counts are below 2^63)")])

    @app.exception_handler(IntegrityError)
    async def conflict(request: Request, exc: IntegrityError) -> Response:
        log.info("request conflicts with stored data: %s", exc.orig)
        return answer(request, 409, "conflict", "the request conflicts with a stored record",
                      [Problem("request", "a value that must be unique is taken, or a record it names is gone",
                               "change the unique value (email, domain, external id) or reload and retry")])

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        return answer(request, 500, "internal", "something went wrong on our side; it was logged")
