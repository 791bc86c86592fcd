from __future__ import annotations

from tests.factories import make_user


def test_managers_curate_the_story_library_and_reps_read_it(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    boss = make_user(engine, "boss@ember.example", role="manager")
    samples = client.get("/api/stories", headers=rep.headers).json()
    assert samples, "a new team sees sample stories"
    story = {"kind": "story", "title": "Clinic group halves onboarding", "industry": "Healthcare",
             "problem_keywords": "onboarding, spreadsheets", "text": "They moved 40 sites off spreadsheets."}
    assert client.post("/api/stories", headers=rep.headers, json=story).status_code == 403
    created = client.post("/api/stories", headers=boss.headers, json=story)
    assert created.status_code == 201
    story_id = created.json()["id"]
    edited = client.put(f"/api/stories/{story_id}", headers=boss.headers, json=story | {"title": "Clinic group"})
    assert edited.json()["title"] == "Clinic group"
    empty = client.post("/api/stories", headers=boss.headers, json=story | {"text": " "})
    assert empty.status_code == 422 and empty.json()["error"]["problems"][0]["where"] == "text"
    assert client.delete(f"/api/stories/{story_id}", headers=boss.headers).status_code == 204
    assert story_id not in {s["id"] for s in client.get("/api/stories", headers=rep.headers).json()}


def test_cli_adds_and_lists_stories(ember) -> None:
    ember("users", "add", "boss@acme.example", "--name", "Boss", "--role", "manager")
    added = ember("stories", "add", "--as", "boss@acme.example", "--title", "Fleet firm", "--text",
                  "Cut quote time from days to hours.", "--json")
    assert added.exit_code == 0, added.stderr
    assert "Fleet firm" in ember("stories", "list").stdout


def test_a_library_emptied_by_its_manager_stays_empty(client, engine) -> None:
    boss = make_user(engine, "boss@ember.example", role="manager")
    rep = make_user(engine, "rep@ember.example")
    for story in client.get("/api/stories", headers=boss.headers).json():
        assert client.delete(f"/api/stories/{story['id']}", headers=boss.headers).status_code == 204
    assert client.get("/api/stories", headers=rep.headers).json() == []
    assert client.get("/api/stories", headers=boss.headers).json() == [], "the samples do not come back"
