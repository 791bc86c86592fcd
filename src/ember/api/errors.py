"""One stable JSON shape for every error the HTTP interface returns:

    {"error": {"code": "...", "message": "...", "problems": [{"where", "what", "fix"}]}}
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

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


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(EmberError)
    async def ember_error(_: Request, exc: EmberError) -> JSONResponse:
        retry_after = getattr(exc, "retry_after_s", None)  # a lockout says when to come back
        return JSONResponse(error_body(exc.code, exc.message, exc.problems), status_code=exc.status_code,
                            headers={"Retry-After": str(retry_after)} if retry_after is not None else None)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            Problem(_where(tuple(err.get("loc", ()))), str(err.get("msg", "invalid")), "correct the value and retry")
            for err in exc.errors()
        ]
        return JSONResponse(error_body("invalid_input", "the request is not valid", problems), status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                413: "too_large"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(error_body("internal", "something went wrong on our side; it was logged"), 500)
