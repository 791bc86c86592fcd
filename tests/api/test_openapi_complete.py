"""The OpenAPI document describes every answer: a client generated from it knows the shape of each
success and each refusal, and schemathesis (tests/security/test_fuzz.py) holds the server to it.
The success check is the one ``python scripts/architecture.py`` counts with.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from scripts.architecture import answer_schemas, shapeless, undescribed_successes


def _operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{method.upper()} {path}", operation)
            for path, operations in document["paths"].items() for method, operation in operations.items()]


def undescribed_errors(document: dict[str, Any]) -> list[str]:
    found = []
    for label, operation in _operations(document):
        errors = {code: r for code, r in operation["responses"].items() if code.startswith("4")}
        if "4XX" not in errors:
            found.append(f"{label}: client errors not documented")
        found.extend(f"{label} -> {code}: no schema for the refusal" for code, response in errors.items()
                     if any(shapeless(document, s) for s in answer_schemas(response)))
    return found


def test_every_success_answer_has_a_schema(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert len(_operations(document)) > 50
    assert undescribed_successes(document) == []


def _ref(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    return dict(document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]])


def test_every_refusal_has_the_error_shape(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert undescribed_errors(document) == []
    shape = _ref(document, document["paths"]["/api/contacts"]["post"]["responses"]["4XX"]["content"][
        "application/json"]["schema"])
    assert set(shape["properties"]) == {"error"}


def test_the_check_names_what_it_finds() -> None:
    """The checks above cannot pass by accident: a document with gaps is reported, operation by operation."""
    document = {"paths": {
        "/a": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {}}}}}}},
        "/b": {"post": {"responses": {"201": {"content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": True}}}}, "4XX": {"description": "no body"}}}},
        "/c": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {
            "type": "array", "items": {"$ref": "#/components/schemas/Free"}}}}}}}},
        "/d": {"delete": {"responses": {"204": {"description": "gone"}}}},
        "/e": {"get": {"responses": {"200": {"content": {"text/csv": {"schema": {"type": "string"}}}}}}},
    }, "components": {"schemas": {"Free": {"type": "object"}}}}
    assert undescribed_successes(document) == [
        "GET /a -> 200: no schema (or a free-form object) for the answer",
        "POST /b -> 201: no schema (or a free-form object) for the answer",
        "GET /c -> 200: no schema (or a free-form object) for the answer",
    ]
    assert undescribed_errors(document) == [
        "GET /a: client errors not documented", "POST /b -> 4XX: no schema for the refusal",
        "GET /c: client errors not documented", "DELETE /d: client errors not documented",
        "GET /e: client errors not documented",
    ]
