"""Shapes every part of the HTTP API shares: the error answer and the bare acknowledgements.

The error shape is the one ``ember.api.errors.error_body`` writes; declaring it here lets
the OpenAPI document describe every 4xx answer, and lets clients generate a type for it.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class ProblemOut(BaseModel):
    where: str = Field(description="The field, column, line or header that is wrong")
    what: str = Field(description="What is wrong with it")
    fix: str = Field(description="How to put it right")


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable, for programs: invalid_input, not_found, forbidden, conflict, ...")
    message: str = Field(description="For people: what went wrong")
    problems: list[ProblemOut] = Field(description="Each problem found (all of them, not only the first)")


class ErrorOut(BaseModel):
    error: ErrorDetail


# Declared once on the app: every operation documents its client errors in this shape.
CLIENT_ERRORS: dict[int | str, dict[str, object]] = {
    "4XX": {"model": ErrorOut, "description": "Refused: what was wrong, where, and how to fix it. Nothing changed."},
}


class Health(BaseModel):
    status: str = Field(description="ok when the server answers")
    version: str


def streamed(media_type: str, description: str) -> dict[int | str, dict[str, object]]:
    """The OpenAPI answer of a route that streams a file or a feed rather than JSON."""
    return {200: {"description": description, "content": {media_type: {"schema": {"type": "string"}}}}}
