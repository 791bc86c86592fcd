"""A worker killed with SIGKILL in the middle of a stream loses nothing and doubles nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ember.db import unit_of_work
from ember.models import Alert, Contact, InboundEvent
from tests.factories import make_user
from tests.trigger_support import event, make_contact, make_source, signed

CONTACTS = 30
DEADLINE_S = 90


def _start_worker(settings, log: Path) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
    env = {**os.environ, "EMBER_DATA_DIR": str(settings.data_dir), "EMBER_DATABASE_URL": settings.database_url,
           "EMBER_QUEUE_NAME": settings.jobs.queue_name, "EMBER_SECRET_KEY": settings.secret_key}
    env.pop("EMBER_REDIS_URL", None)
    command = [sys.executable, "-c", "from ember.cli.main import app; app()", "worker", "--workers", "2"]
    return subprocess.Popen(command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _counts(engine) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        handled = session.scalar(select(func.count()).where(InboundEvent.status == "handled")) or 0
        pending = session.scalar(select(func.count()).where(InboundEvent.status == "pending")) or 0
        alerts = session.scalar(select(func.count()).select_from(Alert)) or 0
    return int(handled), int(pending), int(alerts)


def _wait(predicate, what: str, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.slow
def test_sigkill_mid_stream_loses_nothing_and_raises_no_duplicate(client, engine, settings, tmp_path) -> None:
    rep = make_user(engine, "rep@ember.example")
    for index in range(CONTACTS):
        make_contact(engine, rep.id, f"c{index}@prospect.example", nurture=True, first=f"C{index}")
    secret = make_source(engine)
    # Each contact views the pricing page and RSVPs to a webinar: two rules, two alerts.
    stream = [event(id_=f"view-{i}", email=f"c{i}@prospect.example") for i in range(CONTACTS)]
    stream += [event("webinar_rsvp", id_=f"rsvp-{i}", email=f"c{i}@prospect.example", url=None)
               for i in range(CONTACTS)]
    log = tmp_path / "worker.log"
    worker = _start_worker(settings, log)
    accepted = 0
    try:
        for index, item in enumerate(stream):
            # Every event is sent twice, as a sender retrying would: the repeat is a duplicate.
            for attempt in range(2):
                raw, headers = signed(secret, item, msg_id=f"d-{index}-{attempt}")
                response = client.post("/events", content=raw, headers=headers)
                assert response.status_code == 202, response.text
                accepted += response.json()["accepted"]
            if index == len(stream) // 3:
                _wait(lambda: _counts(engine)[0] > 0, "the worker to handle its first event", DEADLINE_S)
                worker.send_signal(signal.SIGKILL)  # mid-stream, with work queued and in flight
                worker.wait(10)
                killed_at = _counts(engine)
        assert killed_at[1] > 0, "the kill should leave events pending"
        worker = _start_worker(settings, log)
        _wait(lambda: _counts(engine)[:2] == (len(stream), 0), "every event to be handled", DEADLINE_S)
        _wait(lambda: _counts(engine)[2] >= 2 * CONTACTS, "every alert", 10)
        time.sleep(1)  # anything still running would show up as an extra alert now
    finally:
        worker.kill()
        worker.wait(10)
    assert accepted == len(stream)
    with unit_of_work(engine) as session:
        statuses = set(session.scalars(select(InboundEvent.status)))
        pairs = session.execute(select(Alert.contact_id, Alert.rule_id)).all()
        contacts = set(session.scalars(select(Contact.status)))
    assert statuses == {"handled"}
    assert len(pairs) == 2 * CONTACTS and len(set(pairs)) == len(pairs), log.read_text()[-2000:]
    assert contacts == {"active"}
