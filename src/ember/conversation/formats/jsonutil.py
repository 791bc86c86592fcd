"""Reading JSON transcripts with errors that name the field at fault."""

from __future__ import annotations

import json
from typing import Any

from ember.conversation.errors import TranscriptError


def load(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise TranscriptError(
            f"invalid JSON ({error.msg}, column {error.colno})",
            expected="a JSON document",
            line=error.lineno,
        ) from error


def obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TranscriptError(f"is {_kind(value)}", expected="an object", field=path)
    return value


def items(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise TranscriptError(f"is {_kind(value)}", expected="a list", field=path)
    return value


def member(container: dict[str, Any], key: str, path: str) -> Any:
    if key not in container:
        raise TranscriptError("is missing", expected=f'a "{key}" member', field=f"{path}.{key}")
    return container[key]


def number(container: dict[str, Any], key: str, path: str) -> float:
    value = member(container, key, path)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TranscriptError(f"is {_kind(value)}", expected="a number", field=f"{path}.{key}")
    return float(value)


def text(container: dict[str, Any], key: str, path: str) -> str:
    value = member(container, key, path)
    if not isinstance(value, str):
        raise TranscriptError(f"is {_kind(value)}", expected="a string", field=f"{path}.{key}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "a number"
    )
