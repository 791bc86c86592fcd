"""The desk's people, teams and alert channels: who may do what, and forms that refuse bad input."""

from __future__ import annotations

import pytest
from tests.desk_support import Desk, desk_people

from ember.db import unit_of_work
from ember.models import ApiToken, Team, User
from ember.users.passwords import verify_password


@pytest.fixture
def people(engine):  # type: ignore[no-untyped-def]
    return desk_people(engine)


def _user(engine, email: str) -> User:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        user = session.query(User).filter_by(email=email).one()
        session.expunge(user)
        return user


def _team_id(engine, name: str) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return session.query(Team).filter_by(name=name).one().id


def test_a_rep_reaches_only_their_own_alert_channels(client, people) -> None:
    desk = Desk(client, "sam@ember.example")
    home = desk.get("/settings", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/settings/alerts"
    page = desk.get("/settings/alerts")
    assert page.status_code == 200 and "Alert channels" in page.text and "People" not in page.text
    for path in ("/settings/users", "/settings/teams", f"/settings/users/{people['sam'].id}"):
        assert desk.get(path).status_code == 403, path
    assert desk.post("/settings/users", {"email": "x@ember.example", "name": "X", "password": "longenough"}
                     ).status_code == 403
    assert desk.get(f"/settings/alerts?user={people['maya'].id}").status_code == 403


def test_without_login_the_desk_sends_to_the_login_form(client, people) -> None:
    answer = client.get("/settings/users", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


def test_a_manager_adds_a_rep_to_her_team_and_sees_only_her_team(client, engine, people) -> None:
    desk = Desk(client, "maya@ember.example")
    assert ">Trigger rules</a>" in desk.get("/settings").text  # the desk lists her sections
    listing = desk.get("/settings/users").text
    assert "sam@ember.example" in listing and "wes@ember.example" not in listing and "admin@" not in listing
    assert desk.get(f"/settings/users/{people['wes'].id}").status_code == 404  # not hers: as if missing
    east = _team_id(engine, "East")
    answer = desk.post("/settings/users", {"email": "Nia@Ember.example", "name": "Nia Park", "role": "rep",
                                            "team_id": str(east), "timezone": "Europe/Berlin",
                                            "password": "first-pass-1"})
    assert answer.status_code == 303
    nia = _user(engine, "nia@ember.example")
    assert (nia.role, nia.team_id, nia.timezone) == ("rep", east, "Europe/Berlin")
    assert verify_password("first-pass-1", nia.password_hash)


@pytest.mark.parametrize(("field", "value", "where"), [
    ("email", "not-an-email", "error-email"),
    ("timezone", "Mars/Olympus", "error-timezone"),
    ("password", "short", "error-password"),
    ("name", " ", "error-name"),
    ("role", "admin", "error-role"),  # a manager cannot make admins
    ("team_id", "WEST", "error-team"),  # nor add to another team
])
def test_bad_input_when_adding_is_shown_on_the_form_and_nothing_is_added(client, engine, people, field, value,
                                                                        where) -> None:
    desk = Desk(client, "maya@ember.example")
    form = {"email": "nia@ember.example", "name": "Nia Park", "role": "rep", "team_id": str(_team_id(engine, "East")),
            "timezone": "UTC", "password": "first-pass-1"}
    form[field] = str(_team_id(engine, "West")) if value == "WEST" else value
    answer = desk.post("/settings/users", form)
    assert answer.status_code == 422
    assert 'id="form-error"' in answer.text and f'id="{where}"' in answer.text
    assert 'value="Nia Park"' in answer.text or field == "name"  # what was typed is kept
    with unit_of_work(engine) as session:
        assert session.query(User).filter_by(email="nia@ember.example").first() is None


def test_a_taken_email_is_refused(client, people) -> None:
    desk = Desk(client, "admin@ember.example")
    answer = desk.post("/settings/users", {"email": "sam@ember.example", "name": "Sam Again", "role": "rep",
                                           "team_id": "", "timezone": "UTC", "password": "first-pass-1"})
    assert answer.status_code == 409 and "already exists" in answer.text


def test_admin_changes_role_team_and_zone_and_bad_values_change_nothing(client, engine, people) -> None:
    desk = Desk(client, "admin@ember.example")
    west = _team_id(engine, "West")
    sam = people["sam"].id
    bad = desk.post(f"/settings/users/{sam}", {"name": "Sam", "role": "boss", "team_id": str(west),
                                               "timezone": "Europe/Paris"})
    assert bad.status_code == 422 and 'id="error-role"' in bad.text
    assert _user(engine, "sam@ember.example").team_id != west  # nothing of the valid fields was saved either
    good = desk.post(f"/settings/users/{sam}", {"name": "Sam Okafor", "role": "manager", "team_id": str(west),
                                                "timezone": "Europe/Paris"})
    assert good.status_code == 303
    changed = _user(engine, "sam@ember.example")
    assert (changed.name, changed.role, changed.team_id, changed.timezone) == ("Sam Okafor", "manager", west,
                                                                                 "Europe/Paris")


def test_deactivating_ends_the_login_and_reactivating_restores_it(client, engine, people) -> None:
    admin = Desk(client, "admin@ember.example")
    assert admin.post(f"/settings/users/{people['sam'].id}/active", {"active": "0"}).status_code == 303
    assert not _user(engine, "sam@ember.example").is_active
    assert client.get("/api/me", headers={"authorization": f"Bearer {people['sam'].token}"}).status_code == 401
    admin = Desk(client, "admin@ember.example")
    assert admin.post(f"/settings/users/{people['admin'].id}/active", {"active": "0"}).status_code == 403
    admin.post(f"/settings/users/{people['sam'].id}/active", {"active": "1"})
    assert client.get("/api/me", headers={"authorization": f"Bearer {people['sam'].token}"}).status_code == 200


def test_reset_password_shows_the_new_one_once_and_it_works(client, engine, people) -> None:
    import re

    desk = Desk(client, "maya@ember.example")
    page = desk.post(f"/settings/users/{people['sam'].id}/password")
    assert page.status_code == 200 and "shown this once" in page.text
    password = re.search(r'class="secret-value">([^<]+)<', page.text).group(1)  # type: ignore[union-attr]
    assert verify_password(password, _user(engine, "sam@ember.example").password_hash)
    assert password not in desk.get(f"/settings/users/{people['sam'].id}").text


def test_api_token_is_shown_once_works_and_can_be_revoked(client, engine, people) -> None:
    import re

    desk = Desk(client, "maya@ember.example")
    sam = people["sam"].id
    refused = desk.post(f"/settings/users/{sam}/tokens", {"token_name": " "})
    assert refused.status_code == 422 and 'id="error-token-name"' in refused.text
    page = desk.post(f"/settings/users/{sam}/tokens", {"token_name": "crm-sync"})
    token = re.search(r'class="secret-value">([^<]+)<', page.text).group(1)  # type: ignore[union-attr]
    assert client.get("/api/me", headers={"authorization": f"Bearer {token}"}).json()["email"] == "sam@ember.example"
    with unit_of_work(engine) as session:
        row = session.query(ApiToken).filter_by(name="crm-sync").one()
        assert row.token_hash != token
        token_id = row.id
    assert desk.post(f"/settings/users/{sam}/tokens/{token_id}/revoke").status_code == 303
    assert client.get("/api/me", headers={"authorization": f"Bearer {token}"}).status_code == 401


def test_teams_admins_add_and_rename_managers_only_rename_their_own(client, engine, people) -> None:
    admin = Desk(client, "admin@ember.example")
    assert admin.post("/settings/teams", {"name": "North"}).status_code == 303
    taken = admin.post("/settings/teams", {"name": "East"})
    assert taken.status_code == 409 and "already exists" in taken.text
    empty = admin.post("/settings/teams", {"name": "  "})
    assert empty.status_code == 422 and 'id="error-team-name"' in empty.text
    maya = Desk(client, "maya@ember.example")
    assert "North" not in maya.get("/settings/teams").text
    assert maya.post("/settings/teams", {"name": "South"}).status_code == 403
    assert maya.post(f"/settings/teams/{_team_id(engine, 'West')}", {"name": "Mine"}).status_code == 404
    assert maya.post(f"/settings/teams/{_team_id(engine, 'East')}", {"name": "East Coast"}).status_code == 303
    assert "East Coast" in maya.get("/settings/teams").text


def test_alert_channels_refuse_private_addresses_and_unknown_urls(client, engine, people) -> None:
    desk = Desk(client, "sam@ember.example")
    sam = people["sam"].id
    private = desk.post(f"/settings/alerts/{sam}", {"add": "json://127.0.0.1:8080/admin"})
    assert private.status_code == 422 and "loopback" in private.text and 'id="error-URL"' in private.text
    unknown = desk.post(f"/settings/alerts/{sam}", {"add": "not a url"})
    assert unknown.status_code == 422 and "not a notification URL" in unknown.text
    assert _user(engine, "sam@ember.example").notify_urls == []
    test = desk.post(f"/settings/alerts/{sam}/test", {"url": "json://10.0.0.5/hook"}, headers={"hx-request": "true"})
    assert "private" in test.text and "error-text" in test.text
    added = desk.post(f"/settings/alerts/{sam}", {"add": "json://93.184.215.14/hook"})
    assert added.status_code == 303
    assert _user(engine, "sam@ember.example").notify_urls == ["json://93.184.215.14/hook"]
    assert desk.post(f"/settings/alerts/{sam}", {"remove": "json://93.184.215.14/hook"}).status_code == 303
    assert _user(engine, "sam@ember.example").notify_urls == []


def test_a_manager_sets_her_reps_channels_but_not_other_teams(client, people) -> None:
    desk = Desk(client, "maya@ember.example")
    assert "Sam" in desk.get(f"/settings/alerts?user={people['sam'].id}").text
    assert desk.get(f"/settings/alerts?user={people['wes'].id}").status_code == 404
    assert desk.post(f"/settings/alerts/{people['wes'].id}", {"add": "json://93.184.215.14/x"}).status_code == 404


def test_every_desk_page_lists_the_sections_its_reader_may_open(client, people) -> None:
    admin = Desk(client, "admin@ember.example").get("/settings/users").text
    nav = admin[admin.index('class="desk-nav"'):admin.index('class="desk-main"')]
    for label in ("People", "Teams", "Trigger rules", "Templates", "Event sources", "Audit trail"):
        assert f">{label}</a>" in nav, label
    client.cookies.clear()
    manager = Desk(client, "maya@ember.example").get("/settings/users").text
    nav = manager[manager.index('class="desk-nav"'):manager.index('class="desk-main"')]
    assert ">People</a>" in nav and ">Audit trail</a>" not in nav and ">Event sources</a>" not in nav
