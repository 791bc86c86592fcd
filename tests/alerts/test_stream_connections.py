"""Open alert streams hold no database connection or worker thread while they wait:
pages keep one open each, and a server must stay responsive with many open.

The big test runs `ember serve` in its own process, as a user would, and holds
real connections to it."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime

import httpx
import pytest

from ember.db import unit_of_work
from ember.models import Alert
from tests.factories import TestUser, make_user
from tests.process_support import ember_serve
from tests.trigger_support import make_contact

STREAMS = 1000
USERS = 200  # five tabs each: every user at the cap


def test_many_open_streams_do_not_stall_other_requests(server_url, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    with httpx.Client(base_url=server_url, headers=rep.headers, timeout=20) as client, ExitStack() as streams:
        for _ in range(20):  # more than the connection pool holds (and past the per-user cap)
            response = streams.enter_context(client.stream("GET", "/api/alerts/stream"))
            assert response.status_code == 200
            next(response.iter_lines())  # the stream is really open
        start = time.monotonic()
        assert client.get("/api/contacts").status_code == 200
        assert time.monotonic() - start < 5


def test_a_users_oldest_stream_closes_when_they_open_one_too_many(server_url, engine, settings) -> None:
    rep = make_user(engine, "rep@ember.example")
    cap = settings.alerts.alert_streams_per_user
    with httpx.Client(base_url=server_url, headers=rep.headers, timeout=20) as client, ExitStack() as stack:
        opened = []
        for _ in range(cap + 1):
            response = stack.enter_context(client.stream("GET", "/api/alerts/stream"))
            lines = response.iter_lines()
            assert "count" in "".join(next(lines) for _ in range(3))
            opened.append(lines)
        oldest = "\n".join(opened[0])  # ends: the server closed it
        assert "event: superseded" in oldest


# ---- a thousand streams against `ember serve` in its own process -----------------------

@pytest.fixture
def served(engine, settings, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with ember_serve(engine, settings, tmp_path) as url:
        yield url


async def _open_stream(port: int, token: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET /api/alerts/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                 "Accept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    try:
        head = await asyncio.wait_for(reader.readuntil(b"event: count"), timeout=60)
    except asyncio.IncompleteReadError as exc:
        raise AssertionError(f"the stream closed before its first event: {exc.partial[:300]!r}") from None
    assert head.startswith(b"HTTP/1.1 200"), head[:200]
    return reader, writer


async def _healthz_times(url: str, count: int = 20) -> list[float]:
    times = []
    async with httpx.AsyncClient(timeout=10) as client:
        for _ in range(count):
            start = time.perf_counter()
            assert (await client.get(f"{url}/healthz")).status_code == 200
            times.append(time.perf_counter() - start)
            await asyncio.sleep(0.05)
    return times


def _raise_alert(engine, rep: TestUser, contact_id: int) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        session.add(Alert(dedup_key=f"live-{rep.id}", contact_id=contact_id, rep_id=rep.id,
                          summary="visited the pricing page", status="pending", attempts=0,
                          created_at=datetime.now(UTC)))


async def _hold_streams_and_measure(url: str, users: list[TestUser], engine, contact_id: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    port = int(url.rsplit(":", 1)[1])
    idle = await _healthz_times(url)
    per_user = STREAMS // len(users)
    tokens = [user.token for user in users for _ in range(per_user)]
    streams: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    started = time.perf_counter()
    for batch in range(0, len(tokens), 100):
        streams += await asyncio.gather(*(_open_stream(port, t) for t in tokens[batch:batch + 100]))
    opened_s = time.perf_counter() - started
    try:
        await asyncio.sleep(1)  # all idle now
        busy = await _healthz_times(url)
        target = users[7]
        mine = streams[7 * per_user:8 * per_user]
        others = streams[:per_user]
        raised = time.perf_counter()
        await asyncio.to_thread(_raise_alert, engine, target, contact_id)
        arrivals = await asyncio.gather(*(asyncio.wait_for(r.readuntil(b"event: alert"), 5) for r, _ in mine))
        arrived_s = time.perf_counter() - raised
        assert len(arrivals) == per_user
        for reader, _ in others:  # other reps' feeds stay asleep
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(reader.readuntil(b"event: alert"), 0.05)
    finally:
        for _, writer in streams:
            writer.close()
    return {"open": len(streams), "opened_s": opened_s, "idle_median": statistics.median(idle),
            "busy_median": statistics.median(busy), "busy_max": max(busy), "arrived_s": arrived_s}


@pytest.mark.slow
def test_a_thousand_open_streams_leave_the_server_responsive(served, engine) -> None:
    users = [make_user(engine, f"rep{i}@ember.example") for i in range(USERS)]
    contact_id = make_contact(engine, users[7].id, "nora@prospect.example")
    figures = asyncio.run(_hold_streams_and_measure(served, users, engine, contact_id))
    print(f"\n{figures['open']:.0f} streams open in {figures['opened_s']:.1f} s; /healthz median "
          f"{figures['idle_median'] * 1000:.1f} ms with none open, {figures['busy_median'] * 1000:.1f} ms "
          f"(max {figures['busy_max'] * 1000:.1f} ms) with all open; an alert reached its rep's "
          f"{STREAMS // USERS} streams in {figures['arrived_s'] * 1000:.0f} ms")
    assert figures["open"] == STREAMS
    assert figures["busy_max"] < 1.0 and figures["busy_median"] < 0.25
    assert figures["arrived_s"] < 1.0
