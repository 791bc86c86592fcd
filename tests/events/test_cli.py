"""The commands: sources, rules, event CSV import, alerts, notification URLs, nurture."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from typer.testing import CliRunner, Result

from ember.cli.main import app
from ember.settings import get_settings
from tests.factories import make_user
from tests.trigger_support import drain, make_contact


@pytest.fixture
def ember(engine, tmp_path, monkeypatch) -> Iterator[Callable[..., Result]]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EMBER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EMBER_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("EMBER_QUEUE_NAME", f"cli-{tmp_path.name}")
    monkeypatch.delenv("EMBER_USER", raising=False)
    get_settings.cache_clear()

    def run(*args: str) -> Result:
        return CliRunner().invoke(app, list(args), catch_exceptions=False)

    yield run
    get_settings.cache_clear()


def test_sources_add_prints_the_signing_secret(ember) -> None:  # type: ignore[no-untyped-def]
    result = ember("sources", "add", "website", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["secret"].startswith("whsec_") and data["site_key"].startswith("site_")
    again = ember("sources", "add", "website")
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_rules_list_add_disable(ember, engine) -> None:  # type: ignore[no-untyped-def]
    make_user(engine, "boss@ember.example", role="admin", team=None)
    rules = json.loads(ember("rules", "list", "--json").stdout)
    assert any(r["name"] == "Pricing page visit" and r["active"] for r in rules)
    added = ember("rules", "add", "Integrations page", "--event", "page_view", "--url", "*/integrations*",
                  "--count", "2", "--window-hours", "48", "--json")
    rule = json.loads(added.stdout)[0]
    assert (rule["url_pattern"], rule["min_count"], rule["window_hours"]) == ("*/integrations*", 2, 48)
    disabled = json.loads(ember("rules", "disable", str(rule["id"]), "--json").stdout)[0]
    assert disabled["active"] is False
    bad = ember("rules", "add", "Typo", "--event", "pageview", "--audience", "everyone")
    assert bad.exit_code == 1 and "page_view" in bad.stderr and "nurture, stalled or any" in bad.stderr


def test_import_events_csv_then_alerts_for_the_rep(ember, engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rep = make_user(engine, "rep@ember.example")
    make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    ember("sources", "add", "webinars")
    file = tmp_path / "rsvps.csv"
    file.write_text("Email,Registration Time,Name\nNora@Prospect.example,2099-01-01 10:00,Nora\n"
                    "unknown@else.example,,Someone\n")
    bad = ember("import", "events", str(file), "--source", "webinars", "--type", "webinar_rsvp")
    assert bad.exit_code == 1 and "line 2, column Registration Time" in bad.stderr
    file.write_text("Email,Name\nNora@Prospect.example,Nora\nunknown@else.example,Someone\n")
    result = json.loads(ember("import", "events", str(file), "--source", "webinars", "--type", "webinar_rsvp",
                              "--json").stdout)
    assert result["accepted"] == 2
    again = json.loads(ember("import", "events", str(file), "--source", "webinars", "--type", "webinar_rsvp",
                             "--json").stdout)
    assert (again["accepted"], again["duplicates"]) == (0, 2)
    drain(get_settings())
    alerts = json.loads(ember("alerts", "--as", "rep@ember.example", "--json").stdout)
    assert [(a["contact"], a["rule"], a["event"]) for a in alerts] == [
        ("Nora Quinn", "Webinar or event RSVP", "webinar_rsvp")]
    assert set(alerts[0]) >= {"contact", "rule", "event", "at", "delivered"}
    nurture = json.loads(ember("nurture", "list", "--as", "rep@ember.example", "--json").stdout)
    assert nurture == []  # the RSVP re-opened her


def test_users_notify_and_nurture_export(ember, engine, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rep = make_user(engine, "rep@ember.example")
    make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    local = ember("users", "notify", "rep@ember.example", "--add", "json://127.0.0.1:9/hook")
    assert local.exit_code == 1 and "loopback" in local.stderr and "EMBER_ALERT_ALLOWED_HOSTS" in local.stderr
    monkeypatch.setenv("EMBER_ALERT_ALLOWED_HOSTS", "127.0.0.1")
    get_settings.cache_clear()
    added = ember("users", "notify", "rep@ember.example", "--add", "json://127.0.0.1:9/hook", "--json")
    assert added.exit_code == 0, added.stderr
    assert json.loads(added.stdout)["urls"] == ["json://127.0.0.1:9/hook"]
    bad = ember("users", "notify", "rep@ember.example", "--add", "nonsense")
    assert bad.exit_code == 1 and "apprise" in bad.stderr
    out = tmp_path / "nurture.csv"
    assert ember("nurture", "export", str(out), "--as", "rep@ember.example").exit_code == 0
    assert out.read_text().splitlines()[1].startswith("nora@prospect.example,Nora,Quinn")
