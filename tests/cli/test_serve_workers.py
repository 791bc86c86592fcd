"""`ember serve --workers 2`: two web processes behave as one server for the people using it."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import httpx
import pytest
from tests.factories import make_user
from tests.process_support import ember_serve
from tests.trigger_support import make_contact

from ember.db import unit_of_work
from ember.models import Alert

pytestmark = pytest.mark.slow


def _log_in(url: str, email: str, password: str) -> httpx.Cookies:
    with httpx.Client(base_url=url) as browser:
        form = browser.get("/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form)
        assert csrf, "the login form carries a CSRF token"
        answer = browser.post("/login", data={"email": email, "password": password, "csrf": csrf.group(1)})
        assert answer.status_code == 303, answer.text[:300]
        return browser.cookies


def test_two_web_processes_share_sessions_and_live_alerts(engine, settings, tmp_path) -> None:
    rep = make_user(engine, "rep@ember.example", password="a long enough password")
    contact_id = make_contact(engine, rep.id, "nora@prospect.example")
    with ember_serve(engine, settings, tmp_path, "--workers", "2") as url:
        cookies = _log_in(url, rep.email, "a long enough password")
        for _ in range(12):  # a new connection each time: the kernel spreads them over both processes
            with httpx.Client(base_url=url, cookies=cookies) as tab:
                page = tab.get("/today")
                assert page.status_code == 200 and "Log in" not in page.text[:2000]
        with httpx.Client(base_url=url, headers=rep.headers, timeout=20) as client, \
                client.stream("GET", "/api/alerts/stream") as stream:
            lines = stream.iter_lines()
            assert "count" in "".join(next(lines) for _ in range(3))
            time.sleep(1.5)  # the feed takes its first look at what is already there
            with unit_of_work(engine) as session:  # as a webhook handled by the other process would
                session.add(Alert(dedup_key="two-processes", contact_id=contact_id, rep_id=rep.id,
                                  summary="visited the pricing page", status="pending", attempts=0,
                                  created_at=datetime.now(UTC)))
            seen, deadline = "", time.monotonic() + 10
            for line in lines:
                seen += line + "\n"
                if "pricing page" in line or time.monotonic() > deadline:
                    break
            assert "event: alert" in seen
    started = set(re.findall(r"Started server process \[(\d+)\]", (tmp_path / "serve.log").read_text()))
    assert len(started) == 2, "two web processes served"
