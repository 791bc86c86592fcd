from __future__ import annotations

import json

from tests.factories import make_user


def test_library_is_seeded_and_managers_edit_it(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    boss = make_user(engine, "boss@ember.example", role="manager")
    library = client.get("/api/messages", headers=rep.headers).json()
    situations = {v["situation"] for v in library}
    assert situations == {"gatekeeper", "voicemail", "email", "social"}
    pairs = {v["key"]: v["pairs_with"] for v in library if v["pairs_with"]}
    assert pairs and all(pairs.get(partner) == key for key, partner in pairs.items())  # pairs point at each other
    key = library[0]["key"]
    change = {"situation": library[0]["situation"], "phase": library[0]["phase"], "body": "Our own new wording."}
    assert client.put(f"/api/messages/{key}", headers=rep.headers, json=change).status_code == 403
    edited = client.put(f"/api/messages/{key}", headers=boss.headers, json=change)
    assert edited.status_code == 200 and edited.json()["body"] == "Our own new wording."
    bad = client.post("/api/messages", headers=boss.headers,
                      json={"key": "gk-new", "situation": "gatekeeper", "body": "x", "pairs_with": "nope"})
    assert bad.status_code == 422 and bad.json()["error"]["problems"][0]["where"] == "pairs_with"


def test_cli_lists_the_library(ember) -> None:
    rows = json.loads(ember("messages", "list", "--situation", "voicemail", "--json").stdout)
    assert rows and {r["situation"] for r in rows} == {"voicemail"}
