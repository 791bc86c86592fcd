"""Open alert streams must not hold database connections: pages keep one open each."""

from __future__ import annotations

import time
from contextlib import ExitStack

import httpx

from tests.factories import make_user


def test_many_open_streams_do_not_stall_other_requests(server_url, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    with httpx.Client(base_url=server_url, headers=rep.headers, timeout=20) as client, ExitStack() as streams:
        for _ in range(20):  # more than the connection pool holds
            response = streams.enter_context(client.stream("GET", "/api/alerts/stream"))
            assert response.status_code == 200
            next(response.iter_lines())  # the stream is really open
        start = time.monotonic()
        assert client.get("/api/contacts").status_code == 200
        assert time.monotonic() - start < 5
