"""/team: who may see it, the same numbers as `ember report`, and a manager's visit in a real browser."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ember.demo.generator import generate
from tests.browser_support import log_in, serious_axe_violations

NOW = datetime(2026, 3, 11, 15, 30, tzinfo=UTC)
MANAGER, REP, ADMIN = ("maya.chen@harborlight.example", "sam.okafor@harborlight.example",
                       "admin@harborlight.example")


@pytest.fixture
def data(engine: Engine) -> Engine:
    generate(engine, contacts=160, seed=5, now=NOW)
    return engine


def _login(client: TestClient, email: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    response = client.post("/login", data={"email": email, "password": "ember-demo", "csrf": token.group(1)})
    assert response.status_code in (200, 303), response.text[:300]


@pytest.mark.db
def test_page_and_report_show_the_same_numbers(data: Engine, client: TestClient, ember) -> None:  # type: ignore[no-untyped-def]
    report = json.loads(ember("report", "--as", MANAGER, "--json", "--since", "2025-01-01").stdout)
    _login(client, MANAGER)
    page = client.get("/team", params={"period": "all"})
    assert page.status_code == 200
    won = report["follow_ups_to_close"]["won"]
    assert f"median {won['median']:.0f} · {won['n']} deals" in page.text
    ftc = report["ftc_attempts_to_first_conversation"]
    assert f"{ftc['n']} contacts reached" in page.text
    assert "<svg" in page.text and "/team/deals?figure=follow-ups" in page.text


@pytest.mark.db
def test_reps_do_not_see_the_team_page_and_managers_only_their_team(data: Engine, client: TestClient) -> None:
    _login(client, REP)
    assert client.get("/team").status_code == 404
    assert client.get("/team/deals", params={"figure": "give-up", "value": "1"}).status_code == 404
    client.cookies.clear()
    _login(client, MANAGER)
    assert client.get("/team", params={"rep": "nobody@example.com"}).status_code == 404
    assert client.get("/team", params={"team": "Field Sales 9"}).status_code == 404
    behind = client.get("/team/deals", params={"figure": "follow-ups", "outcome": "maybe", "value": "1"})
    assert behind.status_code == 404


@pytest.mark.browser
def test_manager_filters_by_rep_and_follows_a_figure_to_its_deals(data: Engine, page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    log_in(page, server_url, MANAGER, "ember-demo")
    page.click("nav >> text=Team")
    page.wait_for_url(re.compile(r"/team$"))
    assert "Harborlight Sales" in page.text_content(".page-head")
    page.select_option("select[name=period]", "all")
    page.wait_for_url(re.compile(r"period=all"))
    page.select_option("select[name=rep]", REP)
    page.wait_for_url(re.compile(r"rep=sam"))
    assert "Sam Okafor" in page.text_content(".page-head")
    assert "Sam Okafor" in page.text_content("section[aria-labelledby=reps-title]")
    assert "Lena Fischer" not in page.text_content("section[aria-labelledby=reps-title]")

    assert serious_axe_violations(page) == []

    bar = page.query_selector("#ftc ~ svg a")
    assert bar is not None
    label = bar.get_attribute("aria-label") or ""
    count = int(label.split(" ")[0])
    bar.click()
    page.wait_for_url(re.compile(r"/team/deals\?figure=ftc"))
    assert "first reached on attempt" in page.text_content("h1")
    rows = page.query_selector_all("table tbody tr")
    assert len(rows) == count
    assert all(r.query_selector("td[data-label=Rep]").text_content() == "Sam Okafor" for r in rows)
    page.click("text=Back to the team numbers")
    page.wait_for_url(re.compile(r"/team\?"))
    assert "Sam Okafor" in page.text_content(".page-head")
