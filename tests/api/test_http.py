from __future__ import annotations

from tests.factories import make_user


def test_healthz_and_openapi_are_served(client) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    assert "/api/contacts" in client.get("/openapi.json").json()["paths"]


def test_missing_token_gets_the_stable_error_shape(client) -> None:
    response = client.get("/api/contacts")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "unauthorized" and "Bearer" in error["message"]


def test_revoked_or_wrong_token_is_refused(client) -> None:
    response = client.get("/api/contacts", headers={"Authorization": "Bearer emb_nope"})
    assert response.status_code == 401


def test_unknown_fields_are_refused(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    response = client.post("/api/contacts", headers=rep.headers, json={"email": "a@b.example", "colour": "red"})
    assert response.status_code == 422
    assert response.json()["error"]["problems"][0]["where"] == "field colour"


def test_request_body_over_the_limit_is_refused(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    big = "x" * (6 * 1024 * 1024)
    response = client.post("/api/contacts", headers=rep.headers, content=big)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


