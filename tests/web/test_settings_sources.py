"""The event sources page: every kind of source, its secret or write key shown once, rotation, revocation,
the tool's own secret, and when the last event arrived; tools' deliveries go through the real intake."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime

import pytest
from tests.desk_support import PASSWORD, Desk
from tests.factories import make_user

from ember.db import unit_of_work
from ember.models import EventSource
from ember.tracking import service
from ember.tracking.mapping import SourceKind

BASE = "http://testserver"


@pytest.fixture
def admin(client, engine):  # type: ignore[no-untyped-def]
    make_user(engine, "admin@ember.example", role="admin", team=None, password=PASSWORD)
    return Desk(client, "admin@ember.example")


def _shown(html: str, element: str) -> str:
    found = re.search(rf'id="{element}">([^<]+)<', html)
    assert found, f"the page shows no {element}"
    return found.group(1).replace("&amp;", "&")


def _sample(engine, name: str, email: str = "pat@buyer.example"):  # type: ignore[no-untyped-def]
    """The request the tool behind ``name`` sends, signed with what the source holds now."""
    with unit_of_work(engine) as session:
        return service.sample_request(session, name, email, BASE, datetime.now(UTC))


def _deliver(client, request) -> int:  # type: ignore[no-untyped-def]
    return int(client.post(request.url.replace(BASE, ""), content=request.body, headers=request.headers).status_code)


@pytest.mark.parametrize("kind", [k.value for k in SourceKind])
def test_each_kind_of_source_is_made_on_the_page_with_its_address_and_how_to(admin, engine, kind) -> None:
    made = admin.post("/settings/sources", {"name": f"src-{kind}", "kind": kind})
    assert made.status_code == 200 and 'id="shown-once"' in made.text
    address = _shown(made.text, "source-address")
    assert address.startswith(BASE)
    assert kind == "segment" or f"src-{kind}" in address  # a tracking library is given the host alone
    assert 'class="steps"' in made.text  # what to do in the tool
    if kind == "segment":
        key = _shown(made.text, "source-write-key")
        assert key.startswith("wk_") and key not in admin.get("/settings/sources").text
    elif kind in ("zoom", "hubspot", "kit"):  # the tool makes the secret: the page asks for it
        assert 'id="source-secret"' not in made.text and "Not stored yet" in made.text
    else:
        secret = _shown(made.text, "source-secret")
        assert secret not in admin.get("/settings/sources").text  # shown once, never in the list


def test_a_bad_kind_or_name_is_answered_on_the_form_and_nothing_is_made(admin, engine) -> None:
    bad_kind = admin.post("/settings/sources", {"name": "webinars", "kind": "gotowebinar"})
    assert bad_kind.status_code == 422 and 'id="error-kind"' in bad_kind.text and "use one of" in bad_kind.text
    bad_name = admin.post("/settings/sources", {"name": "my site!", "kind": "zoom"})
    assert bad_name.status_code == 422 and 'id="error-name"' in bad_name.text
    assert 'value="my site!"' in bad_name.text  # as typed
    with unit_of_work(engine) as session:
        assert session.query(EventSource).count() == 0


def test_rotating_a_calendly_secret_stops_the_old_one_and_the_last_event_shows(admin, client, engine) -> None:
    admin.post("/settings/sources", {"name": "meetings", "kind": "calendly"})
    assert "nothing yet" in admin.get("/settings/sources").text
    old = _sample(engine, "meetings")
    assert _deliver(client, old) == 202
    listed = admin.get("/settings/sources").text
    row = listed[listed.index('id="source-meetings"'):]
    assert "just now" in row[:row.index("</tr>")]

    rotated = admin.post("/settings/sources/meetings/rotate")
    assert rotated.status_code == 200 and "old one no longer works" in rotated.text
    new_secret = _shown(rotated.text, "source-secret")
    with unit_of_work(engine) as session:
        assert service.get_source(session, "meetings").provider_secret == new_secret
    assert _deliver(client, old) == 401  # signed with the secret that was rotated away
    assert _deliver(client, _sample(engine, "meetings", "lee@buyer.example")) == 202


def test_a_write_key_is_made_shown_once_and_revoked_from_the_page(admin, client, engine) -> None:
    made = admin.post("/settings/sources", {"name": "site", "kind": "segment"})
    first = _shown(made.text, "source-write-key")
    browser = admin.post("/settings/sources/site/keys", {"scope": "browser"})
    assert _shown(browser.text, "source-write-key").startswith("wkb_")
    auth = {"Authorization": "Basic " + base64.b64encode(f"{first}:".encode()).decode()}
    call = json.dumps({"type": "track", "event": "Signed Up", "userId": "u1", "messageId": "m-1"})
    assert client.post("/v1/track", content=call, headers=auth).status_code == 200

    revoked = admin.post(f"/settings/sources/site/keys/{first[:10]}/revoke", follow_redirects=True)
    assert "revoked" in revoked.text and revoked.text.count(">revoked<") == 1
    assert client.post("/v1/track", content=call, headers=auth).status_code == 401
    bad_scope = admin.post("/settings/sources/site/keys", {"scope": "everyone"})
    assert bad_scope.status_code == 422 and "use server or browser" in bad_scope.text


def test_a_zoom_secret_is_stored_from_the_page_and_never_shown(admin, client, engine) -> None:
    admin.post("/settings/sources", {"name": "webinars", "kind": "zoom"})
    assert "waiting for the tool&#39;s secret" in admin.get("/settings/sources").text
    empty = admin.post("/settings/sources/webinars/secret", {"secret": "  "})
    assert empty.status_code == 422 and 'id="error-secret"' in empty.text
    stored = admin.post("/settings/sources/webinars/secret", {"secret": "zoom-token-123"}, follow_redirects=True)
    assert "Secret of webinars stored" in stored.text and "zoom-token-123" not in stored.text
    assert "waiting for the tool" not in stored.text
    assert _deliver(client, _sample(engine, "webinars")) == 202
    refused = admin.post("/settings/sources/webinars/rotate")  # Zoom makes its own
    assert refused.status_code == 422 and "paste it here" in refused.text


def test_managers_and_reps_cannot_reach_sources(client, engine) -> None:
    make_user(engine, "maya@ember.example", role="manager", team="East", password=PASSWORD)
    desk = Desk(client, "maya@ember.example")
    assert desk.get("/settings/sources").status_code == 403
    assert desk.post("/settings/sources", {"name": "x", "kind": "webhook"}).status_code == 403
