"""Alerts reach the rep: apprise channels with retries, and the live in-app feed."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from ember.db import unit_of_work
from ember.jobs.registry import get_jobs, sweep_once
from ember.models import Alert
from ember.settings import Settings
from tests.factories import make_user
from tests.trigger_support import drain, event, make_contact, make_source, signed


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The receivers below listen on this machine, which an administrator must allow."""
    return settings.model_copy(update={"alert_allowed_hosts": "127.0.0.1"})


@contextmanager
def webhook_receiver(fail_first: int = 0) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A loopback HTTP endpoint standing in for Slack or Teams; apprise posts JSON to it."""
    received: list[dict[str, Any]] = []
    failures = [fail_first]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            if failures[0] > 0:
                failures[0] -= 1
                self.send_response(503)
            else:
                received.append(json.loads(body))
                self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"json://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()


def _trigger(client, engine, settings, rep_id: int) -> None:  # type: ignore[no-untyped-def]
    make_contact(engine, rep_id, "nora@prospect.example", nurture=True)
    raw, headers = signed(make_source(engine), event())
    assert client.post("/events", content=raw, headers=headers).status_code == 202
    drain(settings)


def test_alert_is_delivered_through_the_reps_apprise_url(client, engine, settings) -> None:
    rep = make_user(engine, "rep@ember.example")
    with webhook_receiver() as (url, received):
        assert client.put("/api/me/notify", headers=rep.headers, json={"urls": [url]}).json() == {"urls": [url]}
        _trigger(client, engine, settings, rep.id)
    assert len(received) == 1
    assert "Nora Quinn" in received[0]["title"] and "pricing page" in received[0]["message"]
    (alert,) = client.get("/api/alerts", headers=rep.headers).json()
    assert alert["delivered"] is True and alert["status"] == "delivered"


def test_a_failed_delivery_is_retried_with_backoff(client, engine, settings) -> None:
    rep = make_user(engine, "rep@ember.example")
    with webhook_receiver(fail_first=1) as (url, received):
        client.put("/api/me/notify", headers=rep.headers, json={"urls": [url]})
        _trigger(client, engine, settings, rep.id)
        (alert,) = client.get("/api/alerts", headers=rep.headers).json()
        assert (alert["delivered"], alert["status"], alert["attempts"]) == (False, "pending", 1)
        assert "could not deliver" in alert["last_error"] and "hook" not in alert["last_error"]
        with unit_of_work(engine) as session:
            row = session.get(Alert, alert["id"])
            assert row is not None and row.next_attempt_at is not None
            wait = row.next_attempt_at - datetime.now(UTC)
            assert timedelta(seconds=20) < wait <= timedelta(seconds=30)
            # Time passes: the retry is due now.
            session.execute(update(Alert).values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))
        drain(settings)  # the scheduled retry is not due in huey's clock; the sweep finds it in the database
        assert received == []
        assert sweep_once(settings, get_jobs(settings))["alerts"] == 1
        drain(settings)
    assert len(received) == 1
    (alert,) = client.get("/api/alerts", headers=rep.headers).json()
    assert (alert["delivered"], alert["attempts"]) == (True, 2)


def test_a_retry_goes_only_to_the_channels_that_failed(client, engine, settings) -> None:
    rep = make_user(engine, "rep@ember.example")
    with webhook_receiver() as (steady, steady_got), webhook_receiver(fail_first=1) as (flaky, flaky_got):
        client.put("/api/me/notify", headers=rep.headers, json={"urls": [steady, flaky]})
        _trigger(client, engine, settings, rep.id)
        assert (len(steady_got), len(flaky_got)) == (1, 0)
        with unit_of_work(engine) as session:
            session.execute(update(Alert).values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))
        assert sweep_once(settings, get_jobs(settings))["alerts"] == 1
        drain(settings)
    assert (len(steady_got), len(flaky_got)) == (1, 1), "the channel that worked is not sent the alert twice"
    (alert,) = client.get("/api/alerts", headers=rep.headers).json()
    assert (alert["delivered"], alert["attempts"]) == (True, 2)


def test_a_bad_notification_url_is_refused(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    response = client.put("/api/me/notify", headers=rep.headers, json={"urls": ["not a url"]})
    assert response.status_code == 422 and "apprise" in response.json()["error"]["problems"][0]["what"]


def test_live_feed_shows_a_new_alert_within_a_second(server_url, engine, settings) -> None:
    rep = make_user(engine, "rep@ember.example")
    make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    secret = make_source(engine)
    frames: list[tuple[str, dict[str, Any], float]] = []

    def listen() -> None:
        with httpx.stream("GET", f"{server_url}/api/alerts/stream", headers=rep.headers, timeout=10) as stream:
            kind = ""
            for line in stream.iter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    frames.append((kind, json.loads(line[6:]), time.monotonic()))
                    if kind == "alert":
                        return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    deadline = time.monotonic() + 10
    while not frames and time.monotonic() < deadline:
        time.sleep(0.05)
    assert frames and frames[0][0] == "count" and frames[0][1]["unseen"] == 0
    raw, headers = signed(secret, event())
    httpx.post(f"{server_url}/events", content=raw, headers=headers).raise_for_status()
    drain(settings)
    handled = time.monotonic()
    listener.join(timeout=5)
    kind, alert, arrived = frames[-1]
    assert kind == "alert" and alert["contact"] == "Nora Quinn" and alert["unseen"] == 1
    assert arrived - handled < 1.0
