"""/api/sources: what the settings page and scripts use; admins only, mappings for managers."""

from __future__ import annotations

import pytest

from tests.factories import make_user

pytestmark = pytest.mark.db


def test_admins_create_sources_and_keys_shown_once(client, engine) -> None:  # type: ignore[no-untyped-def]
    admin = make_user(engine, "admin@ember.example", role="admin", team=None)
    made = client.post("/api/sources", json={"name": "backend", "kind": "segment"}, headers=admin.headers)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["write_key"].startswith("wk_") and body["address"] == "http://testserver"
    shown = client.get("/api/sources/backend", headers=admin.headers).json()
    assert shown["write_key"] is None and [k["scope"] for k in shown["keys"]] == ["server"]
    browser = client.post("/api/sources/backend/keys", json={"scope": "browser"}, headers=admin.headers).json()
    prefix = browser["write_key"][:10]
    assert client.delete(f"/api/sources/backend/keys/{prefix}", headers=admin.headers).json() == {"revoked": 1}
    zoom = client.post("/api/sources", json={"name": "webinars", "kind": "zoom"}, headers=admin.headers).json()
    assert zoom["needs_secret"] is True
    assert client.put("/api/sources/webinars/secret", json={"secret": "from-zoom"},
                      headers=admin.headers).status_code == 204
    listed = client.get("/api/sources", headers=admin.headers).json()
    assert [(s["name"], s["kind"], s["needs_secret"]) for s in listed] == [("backend", "segment", False),
                                                                           ("webinars", "zoom", False)]
    bad = client.post("/api/sources", json={"name": "x", "kind": "fax"}, headers=admin.headers)
    assert bad.status_code == 422 and bad.json()["error"]["problems"][0]["where"] == "--kind"


def test_only_admins_manage_sources_and_their_mapping(client, engine) -> None:  # type: ignore[no-untyped-def]
    admin = make_user(engine, "admin@ember.example", role="admin", team=None)
    manager = make_user(engine, "boss@ember.example", role="manager")
    rep = make_user(engine, "rep@ember.example")
    client.post("/api/sources", json={"name": "forms", "kind": "typeform"}, headers=admin.headers)
    assert client.get("/api/sources", headers=rep.headers).status_code == 403
    assert client.post("/api/sources", json={"name": "x"}, headers=manager.headers).status_code == 403
    assert client.get("/api/sources/forms", headers=manager.headers).status_code == 403
    change = {"events": {"form_response": "demo_use"}}
    assert client.patch("/api/sources/forms/mapping", json=change, headers=rep.headers).status_code == 403
    # A source feeds every team: one team's manager must not change what another team's events mean.
    assert client.patch("/api/sources/forms/mapping", json=change, headers=manager.headers).status_code == 403
    assert client.patch("/api/sources/forms/mapping", json={"reset": True},
                        headers=manager.headers).status_code == 403
    changed = client.patch("/api/sources/forms/mapping", json=change, headers=admin.headers).json()
    assert changed["events"]["form_response"] == "demo_use"
    assert client.get("/api/sources/forms/mapping", headers=admin.headers).json()["events"]["form_response"] == \
        "demo_use"
    # Reading it is the admins' too: a rep or manager is refused, not told whether the source exists.
    assert client.get("/api/sources/forms/mapping", headers=rep.headers).status_code == 403
    assert client.get("/api/sources/forms/mapping", headers=manager.headers).status_code == 403
    reset = client.patch("/api/sources/forms/mapping", json={"reset": True}, headers=admin.headers).json()
    assert reset["events"]["form_response"] == "form_submit"
