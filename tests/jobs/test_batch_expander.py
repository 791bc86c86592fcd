"""Stored tracking batches are written out by a thread of the worker that runs below its other work,
and a batch that thread never wrote out is written out by the ordinary jobs once the sweep finds it."""

from __future__ import annotations

import base64
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ember.jobs import expander as expander_module
from ember.jobs.expander import BatchExpander
from ember.jobs.registry import get_jobs, sweep_once
from ember.tracking.batches import BATCH_TYPE
from tests.factories import make_user
from tests.tracking.support import add_source, alert_count, stored
from tests.trigger_support import drain, make_contact

pytestmark = pytest.mark.db


def _post_batch(client, key: str, *calls: dict) -> None:  # type: ignore[no-untyped-def]
    auth = {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
    assert client.post("/v1/batch", json={"batch": list(calls)}, headers=auth).status_code == 200


def _page(message_id: str, **who: str) -> dict:  # type: ignore[type-arg]
    return {"type": "page", "messageId": message_id, "timestamp": datetime.now(UTC).isoformat(),
            "properties": {"url": "https://acme.example/pricing"}, **who}


def _nice_of(thread_id: int) -> int:
    return int(Path(f"/proc/self/task/{thread_id}/stat").read_text().rsplit(")", 1)[1].split()[16])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="thread priorities are Linux's")
def test_batches_are_written_out_below_the_workers_priority_and_alerts_follow(client, engine, settings) -> None:  # type: ignore[no-untyped-def]
    key = add_source(engine, "site", "segment").write_key
    assert key is not None
    rep = make_user(engine, "rep@ember.example")
    make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    _post_batch(client, key, _page("stranger", anonymousId="a-1"), _page("nora", userId="nora@prospect.example"))
    drain(settings)
    expander = get_jobs(settings).expander
    assert expander.thread_id is not None, "the batch thread stays a moment after its work"
    assert _nice_of(expander.thread_id) == min(19, os.nice(0) + settings.jobs.batch_nice)
    assert os.nice(0) == os.getpriority(os.PRIO_PROCESS, 0)  # the rest of the process is untouched
    assert {(r.external_id, r.status) for r in stored(engine)} == {("stranger", "handled"), ("nora", "handled")}
    assert alert_count(engine) == 1  # Nora's pricing visit went on to the ordinary jobs and alerted


def test_a_batch_the_thread_never_wrote_out_is_written_out_after_the_sweep(client, engine, settings) -> None:  # type: ignore[no-untyped-def]
    key = add_source(engine, "site", "segment").write_key
    assert key is not None
    _post_batch(client, key, _page("late", anonymousId="a-2"))
    huey = get_jobs(settings).huey
    # The worker died with the batch's job taken and not run: only the stored row is left.
    assert huey.dequeue() is not None and huey.dequeue() is None
    assert [r.type for r in stored(engine)] == [BATCH_TYPE]
    swept = sweep_once(settings, get_jobs(settings), grace=timedelta(0))
    assert swept["events"] == 1
    drain(settings)
    assert [(r.external_id, r.status) for r in stored(engine)] == [("late", "handled")]


def _burst(expander: BatchExpander, seconds: float, every_s: float = 0.005) -> float:
    """Batches submitted back to back for ``seconds``, as a busy intake queues them; when it started."""
    start = time.monotonic()
    number = 0
    while time.monotonic() - start < seconds:
        expander.submit([number])
        number += 1
        time.sleep(every_s)
    return start


def test_during_a_burst_the_batch_thread_waits_for_a_pause_but_never_longer_than_its_hold(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(expander_module, "PAUSE_S", 0.2)  # wide enough that a loaded test machine keeps the burst going
    written: list[tuple[float, list[int]]] = []
    expander = BatchExpander(lambda ids: written.append((time.monotonic(), ids)) or [], lambda ids: None,
                             nice=0, hold_s=0.6)
    start = _burst(expander, 1.0)
    burst_end = time.monotonic()
    assert expander.wait_idle(10)
    first_at = written[0][0]
    assert first_at - start >= 0.6, "nothing is written out while the intake is busy, within the hold"
    assert first_at < burst_end, "the oldest batch is not held past the hold, even though the burst goes on"
    assert sorted(i for _, ids in written for i in ids) == list(range(sum(len(ids) for _, ids in written)))


@pytest.mark.parametrize(("hold_s", "at_most"), [(0.6, 0.4), (0.0, 0.1)])
def test_a_lone_batch_is_written_out_after_a_short_pause_and_without_a_hold_at_once(hold_s: float,
                                                                                     at_most: float) -> None:
    written: list[float] = []
    expander = BatchExpander(lambda ids: written.append(time.monotonic()) or [], lambda ids: None,
                             nice=0, hold_s=hold_s)
    start = time.monotonic()
    expander.submit([1])
    assert expander.wait_idle(10)
    assert written[0] - start < at_most
