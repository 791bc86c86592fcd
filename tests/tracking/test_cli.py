"""`ember sources ...` for tools: what to paste, keys shown once, secrets, mappings, a test send."""

from __future__ import annotations

import json

import pytest

from tests.factories import make_user
from tests.tracking.support import alert_count, stored
from tests.trigger_support import drain, make_contact

pytestmark = pytest.mark.db


def test_add_prints_what_to_paste_for_each_kind(ember) -> None:  # type: ignore[no-untyped-def]
    segment = json.loads(ember("sources", "add", "backend", "--kind", "segment", "--json").stdout)
    assert segment["write_key"].startswith("wk_") and segment["keys"][0]["scope"] == "server"
    shown = json.loads(ember("sources", "show", "backend", "--json").stdout)
    assert shown["write_key"] is None and segment["write_key"] not in json.dumps(shown)  # shown once
    calendly = json.loads(ember("sources", "add", "meetings", "--kind", "calendly", "--json").stdout)
    assert calendly["address"].endswith("/hooks/meetings") and calendly["secret"]
    mailchimp = json.loads(ember("sources", "add", "news", "--kind", "Mailchimp", "--json").stdout)
    assert "/hooks/news?key=" in mailchimp["address"]
    zoom = json.loads(ember("sources", "add", "webinars", "--kind", "zoom", "--json").stdout)
    assert zoom["needs_secret"] is True and zoom["secret"] is None
    assert ember("sources", "secret", "webinars", "--secret", "from-zoom").exit_code == 0
    assert json.loads(ember("sources", "show", "webinars", "--json").stdout)["needs_secret"] is False
    bad = ember("sources", "add", "x", "--kind", "salesforce")
    assert bad.exit_code == 1 and "segment, mailchimp" in bad.stderr
    listed = json.loads(ember("sources", "list", "--json").stdout)
    assert {row["name"]: row["kind"] for row in listed} == {"backend": "segment", "meetings": "calendly",
                                                            "news": "mailchimp", "webinars": "zoom"}
    assert not any(row["secret"] for row in listed)  # lists keep secrets out unless asked


def test_browser_keys_and_revoking(ember) -> None:  # type: ignore[no-untyped-def]
    ember("sources", "add", "site", "--kind", "segment")
    browser = json.loads(ember("sources", "key", "site", "--scope", "browser", "--json").stdout)
    assert browser["write_key"].startswith("wkb_")
    prefix = browser["write_key"][:10]
    assert ember("sources", "revoke", "site", prefix).exit_code == 0
    keys = json.loads(ember("sources", "show", "site", "--json").stdout)["keys"]
    assert [(k["scope"], k["revoked"]) for k in keys] == [("server", False), ("browser", True)]
    again = ember("sources", "revoke", "site", prefix)
    assert again.exit_code == 1 and "no live write key" in again.stderr
    wrong = ember("sources", "key", "site", "--scope", "everywhere")
    assert wrong.exit_code == 1 and "server or browser" in wrong.stderr


def test_admins_change_the_mapping(ember, engine) -> None:  # type: ignore[no-untyped-def]
    make_user(engine, "root@ember.example", role="admin", team=None)
    make_user(engine, "boss@ember.example", role="manager")
    make_user(engine, "rep@ember.example")
    ember("sources", "add", "meetings", "--kind", "calendly")
    default = json.loads(ember("sources", "map", "meetings", "--json").stdout)
    assert default["events"]["invitee.created"] == "meeting_booked"
    assert default["events"]["invitee.canceled"] == "meeting_canceled"
    for who in ("rep@ember.example", "boss@ember.example"):
        denied = ember("sources", "map", "meetings", "invitee.canceled=form_submit", "--as", who)
        assert denied.exit_code == 1 and "only admins" in denied.stderr
    changed = json.loads(ember("sources", "map", "meetings", "invitee.created=demo_use", "Invitee.Canceled=off",
                               "--as", "root@ember.example", "--json").stdout)
    assert changed["events"]["invitee.created"] == "demo_use" and changed["events"]["invitee.canceled"] is None
    bad = ember("sources", "map", "meetings", "invitee.created=meeting", "--as", "root@ember.example")
    assert bad.exit_code == 1 and "meeting_booked" in bad.stderr
    reset = json.loads(ember("sources", "map", "meetings", "--reset", "--as", "root@ember.example", "--json").stdout)
    assert reset["events"]["invitee.created"] == "meeting_booked"


@pytest.mark.parametrize("kind", ["segment", "webhook", "mailchimp", "kit", "zoom", "calendly", "hubspot",
                                  "typeform"])
def test_sources_test_sends_a_sample_through_the_real_path(ember, engine, settings, server_url, kind) -> None:  # type: ignore[no-untyped-def]
    rep = make_user(engine, "rep@ember.example")
    make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    extra = ["--secret", "tool-made-secret"] if kind in ("kit", "zoom", "hubspot") else []
    assert ember("sources", "add", "tool", "--kind", kind, *extra).exit_code == 0
    result = ember("sources", "test", "tool", "--email", "nora@prospect.example", "--url", server_url, "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["status"] in (200, 202), answer
    drain(settings)
    assert len(stored(engine)) == 1 and stored(engine)[0].contact_id is not None
    assert alert_count(engine) == 1


def test_sources_test_says_when_nothing_listens(ember) -> None:  # type: ignore[no-untyped-def]
    ember("sources", "add", "meetings", "--kind", "calendly")
    result = ember("sources", "test", "meetings", "--url", "http://127.0.0.1:9")
    assert result.exit_code == 1 and "could not reach" in result.stderr
