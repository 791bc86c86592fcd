"""The intake tells the workers about stored batches in a few messages a second, however many commits a
burst makes, and never leaves the last of a burst untold."""

from __future__ import annotations

import threading
import time

from ember.threads import Coalesced


def _recorder() -> tuple[list[tuple[float, list[int]]], threading.Event, Coalesced]:
    sent: list[tuple[float, list[int]]] = []
    arrived = threading.Event()

    def send(ids: list[int]) -> None:
        sent.append((time.monotonic(), ids))
        arrived.set()

    return sent, arrived, Coalesced(send, every_s=0.2)


def test_a_lone_commit_is_told_at_once() -> None:
    sent, _, coalesced = _recorder()
    start = time.monotonic()
    coalesced.add([7])
    assert sent == [(sent[0][0], [7])]
    assert sent[0][0] - start < 0.05


def test_a_burst_of_commits_makes_few_messages_and_the_last_ids_still_go_out() -> None:
    sent, arrived, coalesced = _recorder()
    start = time.monotonic()
    for number in range(100):  # 100 commits over about half a second
        coalesced.add([number])
        time.sleep(0.005)
    last_added = time.monotonic()
    deadline = last_added + 2
    while sum(len(ids) for _, ids in sent) < 100 and time.monotonic() < deadline:
        arrived.wait(0.05)
        arrived.clear()
    assert [i for _, ids in sent for i in ids] == list(range(100)), "every id is told once, in order"
    assert len(sent) <= (last_added - start) / 0.2 + 2, "at most one message per interval, plus the first"
    assert sent[-1][0] - last_added < 0.3, "the tail of the burst is told within one interval"


def test_a_queue_that_fails_is_logged_and_the_next_ids_still_go_out() -> None:
    told: list[list[int]] = []

    def send(ids: list[int]) -> None:
        told.append(ids)
        raise ConnectionError("queue down")

    coalesced = Coalesced(send, every_s=0.0)
    coalesced.add([1])  # logged, not raised: the rows are stored and the sweep finds them
    coalesced.add([2])
    assert told == [[1], [2]]


def test_a_flush_sends_what_waits_at_once_and_the_timer_then_sends_nothing_twice() -> None:
    sent, _, coalesced = _recorder()
    coalesced.add([1])  # at once
    coalesced.add([2])  # waits for the interval's end
    coalesced.add([3])
    coalesced.flush()
    assert [ids for _, ids in sent] == [[1], [2, 3]]
    time.sleep(0.3)
    assert [ids for _, ids in sent] == [[1], [2, 3]], "the cancelled timer sends nothing"
