"""Event benchmarks: signed event ingestion, trigger-to-alert latency, ingestion on a big table.

Everything runs on loopback: one `ember serve`-like server process (uvicorn,
the real app plus a no-op endpoint), one `ember worker` process, and client
processes that send pre-signed requests over keep-alive connections.

    python bench/events_ingest.py                       # (a), (b), then (c) with 10,000,000 stored events
    python bench/events_ingest.py --stored 1000000      # (c) with fewer stored events
    python bench/events_ingest.py --stored 0            # skip (c)

(a) sustained events/s on POST /events, and the ratio to POST /noop on the same
    server in the same run. Goal: >= 0.5x.
(b) trigger-to-alert latency p50/p99 at half that rate: every tenth event is a
    pricing-page view by a known contact (an alert and a re-plan), the rest are
    anonymous page views. Latency = alert row time - request send time. Goal: p99 <= 1 s.
(c) (a) again with N events already stored (bulk Core inserts). Goal: <= 20% slower.
(d) POST /v1/batch (the Segment-compatible API, write key as the HTTP Basic user) with 100
    page calls per batch, against POST /noop given the same bodies. Goal: >= 0.5x the no-op's
    requests/s.

    python bench/events_ingest.py --cases d --stored 0  # only (d)
    python bench/events_ingest.py --cases d --stored 0 --workers 0  # (d) ingestion alone, no worker
    python bench/events_ingest.py --cases b --stored 0  # (b), after the (a) it paces itself on
    python bench/events_ingest.py --cases d --stored 0 --batch-nice 0  # batches written out at the worker's priority

(a) and (d) alternate rounds of about two seconds of the no-op and of the endpoint measured, so that
load from other programs on the machine weighs on both sides of the ratio alike. Each round starts
with the worker idle: the events of a measured round are made during that round and the wait after
it, never during the next no-op round (which would slow the no-op and flatter the ratio), and never
during the next measured round. (d) also prints the CPU time the server spends per request and the
worker per batch (from /proc, so on Linux), which the shared machine's load barely moves, and the part
of the worker's that fell inside the rounds: the worker's thread that writes out stored batches runs
below the server's priority (EMBER_BATCH_NICE), so on a busy machine most of that work follows the
burst that made it.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select
from standardwebhooks import Webhook

SERVER = """
import sys, uvicorn
from fastapi import Request, Response
from ember.app import create_app
app = create_app()

@app.post("/noop", include_in_schema=False)
async def noop(request: Request) -> Response:
    await request.body()
    return Response(status_code=202)

uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(data_dir: Path, batch_nice: int | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMBER_")}
    env.update(EMBER_DATA_DIR=str(data_dir), EMBER_SECRET_KEY="bench-secret-key-long-enough-to-sign",
               EMBER_QUEUE_NAME="bench")
    if batch_nice is not None:
        env["EMBER_BATCH_NICE"] = str(batch_nice)
    return env


def _setup(data_dir: Path, contacts: int) -> tuple[str, str]:
    """A migrated database with sources, one rep and ``contacts`` nurture contacts; (source secret, write key)."""
    os.environ.update(_env(data_dir))
    from ember.db import make_engine, unit_of_work
    from ember.events.service import add_source
    from ember.migrate import upgrade
    from ember.models import Contact
    from ember.tracking.service import add_source as add_tool_source
    from ember.users.service import add_user

    engine = make_engine(f"sqlite:///{data_dir / 'ember.db'}")
    upgrade(engine)
    with unit_of_work(engine) as session:
        rep = add_user(session, email="rep@bench.example", name="Rep", role="rep", team="Bench", timezone="UTC")
        secret = add_source(session, "website").secret
        write_key = add_tool_source(session, "backend", "segment", base_url="http://127.0.0.1").write_key
        session.execute(insert(Contact), [
            {"owner_id": rep.id, "first_name": f"C{i}", "last_name": "Bench", "email": f"c{i}@prospect.example",
             "status": "nurture", "timezone": "UTC", "phone": "+100000000"} for i in range(contacts)])
    engine.dispose()
    assert write_key is not None
    return secret, write_key


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _wait_up(url: str, procs: list[subprocess.Popen[bytes]], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ended = [p for p in procs if p.poll() is not None]
        if ended:
            raise RuntimeError(f"a bench process ended at start-up (exit {ended[0].returncode}); see {log}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within 60 s; see {log}")


def _event(prefix: str, index: int, *, email: str | None = None, url: str = "https://acme.example/blog") -> str:
    body: dict[str, Any] = {"source": "website", "type": "page_view", "id": f"{prefix}-{index}", "url": url,
                            "occurred_at": datetime.now(UTC).isoformat()}
    if email:
        body["email"] = email
    else:
        body["anonymous_id"] = f"visitor-{index % 5000}"
    return json.dumps(body)


def _signed(hook: Webhook, msg_id: str, body: str) -> dict[str, str]:
    now = datetime.now(UTC)
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": hook.sign(msg_id, now, body), "content-type": "application/json"}


BATCH_CALLS = 100


def _batch_template() -> str:
    """100 page calls as analytics libraries batch them; PREFIX makes each request's message ids new."""
    now = datetime.now(UTC).isoformat()
    calls = [{"type": "page", "messageId": f"PREFIX-{i}", "anonymousId": f"visitor-{i}", "timestamp": now,
              "name": "Blog", "context": {"library": {"name": "bench", "version": "1"}},
              "properties": {"url": f"https://acme.example/blog/{i}", "path": f"/blog/{i}", "title": "A post"}}
             for i in range(BATCH_CALLS)]
    return json.dumps({"batch": calls, "sentAt": now})


Request = Callable[[int, int], tuple[str, dict[str, str]]]


def _request_maker(kind: str, key: str, prefix: str) -> Request:
    """(body, headers) of request ``index`` on connection ``slot``: a signed event, or a batch of calls."""
    if kind == "batch":
        template = _batch_template()
        return lambda slot, index: (template.replace("PREFIX", f"{prefix}-{slot}-{index}"),
                                    {"content-type": "application/json"})
    hook = Webhook(key)

    def signed(slot: int, index: int) -> tuple[str, dict[str, str]]:
        body = _event(f"{prefix}-{slot}", index)
        return body, _signed(hook, f"{prefix}-{slot}-{index}", body)

    return signed


def _client(args: tuple[str, str, str, str, str, float, int]) -> int:
    """One client process: threads sending back to back until time is up; how many were answered."""
    url, path, kind, key, prefix, seconds, threads = args
    make = _request_maker(kind, key, prefix)
    auth = (key, "") if kind == "batch" else None  # a write key is the HTTP Basic user
    counts = [0] * threads

    def run(slot: int) -> None:
        with httpx.Client(base_url=url, timeout=30, auth=auth) as client:
            deadline = time.monotonic() + seconds
            index = 0
            while time.monotonic() < deadline:
                body, headers = make(slot, index)
                response = client.post(path, content=body, headers=headers)
                if response.status_code not in (200, 202):
                    raise RuntimeError(response.text)
                counts[slot] += 1
                index += 1

    workers = [threading.Thread(target=run, args=(slot,)) for slot in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts)


def throughput(url: str, path: str, kind: str, key: str, prefix: str, seconds: float, clients: int,
               threads: int) -> float:
    """Requests answered per second: ``kind`` "events" (signed with the secret ``key``) or "batch"
    (100 calls, the write key ``key``)."""
    return _sent(url, path, kind, key, prefix, seconds, clients, threads)[0] / seconds


def _sent(url: str, path: str, kind: str, key: str, prefix: str, seconds: float, clients: int,
          threads: int) -> tuple[int, float]:
    """(requests answered, seconds taken) by ``clients`` processes sending for ``seconds``."""
    pool = mp.Pool(clients)
    try:
        started = time.monotonic()
        total = sum(pool.map(_client, [(url, path, kind, key, f"{prefix}{c}", seconds, threads)
                                       for c in range(clients)]))
        taken = time.monotonic() - started
        # Closed, not terminated: a sender killed while it waits for the pool's lock can leave
        # the pool waiting for it forever.
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    return total, taken


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (Linux /proc; 0.0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


ROUND_S = 2.0


def _per_ms(cpu_s: float, count: int) -> float:
    return cpu_s * 1000 / count if count else float("nan")


@dataclass
class Side:
    """What one endpoint's rounds added up to."""

    requests: int = 0
    seconds: float = 0.0
    server_cpu: float = 0.0
    worker_cpu: float = 0.0  # during its rounds and the worker's catching up after them
    worker_cpu_during: float = 0.0  # the part spent while the round's requests were being sent
    rates: list[float] = field(default_factory=list)
    backlog: list[int] = field(default_factory=list)  # rows still pending (stored batches) as each round ended

    @property
    def rate(self) -> float:
        return sum(self.rates) / len(self.rates)


def paired(stack: Stack, baseline: str, measured: str, kind: str, key: str, prefix: str, seconds: float,
           clients: int, threads: int) -> tuple[Side, Side]:
    """(baseline, measured) sides, in alternating short rounds (A B B A ...): load that other
    programs put on the machine drifts over a run, and should weigh on both sides alike.

    Every round starts with the worker idle, and the worker's CPU time is counted from the start
    of a round until it is idle again: each side is charged its own background work, and only it.
    """
    rounds = max(2, round(seconds / ROUND_S))
    sides = {baseline: Side(), measured: Side()}
    for index in range(rounds):
        order = (baseline, measured) if index % 2 == 0 else (measured, baseline)
        for path in order:
            side = sides[path]
            stack.wait_idle()
            server, worker = cpu_seconds(stack.server_pid), stack.worker_cpu()
            count, taken = _sent(stack.url, path, kind, key, f"{prefix}{index}{path[-1]}", seconds / rounds,
                                 clients, threads)
            side.server_cpu += cpu_seconds(stack.server_pid) - server
            side.worker_cpu_during += stack.worker_cpu() - worker
            side.backlog.append(stack.pending())
            stack.wait_idle()
            side.worker_cpu += stack.worker_cpu() - worker
            side.requests += count
            side.seconds += taken
            side.rates.append(count / taken)
    return sides[baseline], sides[measured]


def _paced(args: tuple[str, str, float, float, int, int, int]) -> dict[str, float]:
    """One sender process: its share of the paced stream; wall-clock send time of each trigger."""
    url, secret, rate, start, total, part, parts = args
    hook, sent, lock, threads = Webhook(secret), {}, threading.Lock(), 4

    def run(slot: int) -> None:
        # Signed ahead (the stream lasts seconds, the tolerance is minutes): the senders'
        # CPU goes to sending on time, not to the measuring apparatus.
        plan = []
        for index in range(part + slot * parts, total, threads * parts):
            trigger = index % 10 == 0
            body = (_event("lat", index, email=f"c{index // 10}@prospect.example",
                           url="https://acme.example/pricing") if trigger else _event("lat", index))
            plan.append((index, trigger, body, _signed(hook, f"lat-{index}", body)))
        with httpx.Client(base_url=url, timeout=30) as client:
            for index, trigger, body, headers in plan:
                pause = start + index / rate - time.time()
                if pause > 0:
                    time.sleep(pause)
                at = time.time()
                client.post("/events", content=body, headers=headers).raise_for_status()
                if trigger:
                    with lock:
                        sent[f"lat-{index}"] = at

    workers = [threading.Thread(target=run, args=(slot,)) for slot in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sent


def latency(url: str, secret: str, rate: float, seconds: float, contacts: int, data_dir: Path,
            clients: int) -> dict[str, float]:
    """Paced sending at ``rate`` from ``clients`` processes; every tenth event a trigger for a fresh contact."""
    from ember.db import make_engine
    from ember.models import Alert, InboundEvent

    total = min(int(rate * seconds), contacts * 10)
    sent: dict[str, float] = {}
    with mp.Pool(clients) as pool:
        start = time.time() + 1.5  # after the senders have signed their share
        for part in pool.map(_paced, [(url, secret, rate, start, total, c, clients) for c in range(clients)]):
            sent.update(part)
        elapsed = time.time() - start
    achieved = total / elapsed
    engine = make_engine(f"sqlite:///{data_dir / 'ember.db'}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            pending = conn.scalar(select(func.count()).where(InboundEvent.status == "pending"))
        if not pending:
            break
        time.sleep(0.2)
    with engine.connect() as conn:
        rows = conn.execute(select(InboundEvent.external_id, Alert.created_at)
                            .join(Alert, Alert.event_id == InboundEvent.id)
                            .where(InboundEvent.external_id.like("lat-%"))).all()
    engine.dispose()
    delays = sorted(max(created.replace(tzinfo=UTC).timestamp() - sent[ext], 0.0)
                    for ext, created in rows if ext in sent)
    if len(delays) < len(sent):
        print(f"   warning: {len(sent) - len(delays)} triggers raised no alert")
    pick = (lambda q: delays[min(int(q * len(delays)), len(delays) - 1)]) if delays else (lambda q: float("nan"))
    return {"rate": achieved, "alerts": len(delays), "p50": pick(0.50), "p99": pick(0.99), "max": pick(1.0)}


def bulk_store(data_dir: Path, count: int) -> float:
    """``count`` handled events from the past, inserted in big Core batches; seconds taken."""
    from ember.db import make_engine
    from ember.models import InboundEvent

    engine = make_engine(f"sqlite:///{data_dir / 'ember.db'}")
    started, batch = time.monotonic(), 100_000
    past = datetime(2025, 1, 1, tzinfo=UTC)
    for offset in range(0, count, batch):
        rows = [{"source": "website", "external_id": f"old-{i}", "type": "page_view", "status": "handled",
                 "anonymous_id": f"old-visitor-{i % 100_000}", "url": "https://acme.example/blog", "payload": {},
                 "occurred_at": past, "received_at": past} for i in range(offset, min(offset + batch, count))]
        with engine.begin() as conn:
            conn.execute(insert(InboundEvent), rows)
        if offset and offset % 1_000_000 == 0:
            print(f"   {offset:,} stored ({time.monotonic() - started:.0f} s)", flush=True)
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return time.monotonic() - started


class Stack:
    """Server and worker processes on one data directory."""

    def __init__(self, data_dir: Path, workers: int, batch_nice: int | None = None) -> None:
        # workers 0: no `ember worker` process; batch_nice None: the batch thread's default priority
        self.data_dir, self.workers, self.batch_nice = data_dir, workers, batch_nice
        self.url = ""
        self.procs: list[subprocess.Popen[bytes]] = []

    @property
    def server_pid(self) -> int:
        return self.procs[0].pid

    def worker_cpu(self) -> float:
        return sum(cpu_seconds(proc.pid) for proc in self.procs[1:])

    def lowest_thread_priority(self) -> int | None:
        """The highest nice value among the worker's threads now (Linux /proc): its batch thread's while
        that runs; None without a worker."""
        if not self.procs[1:]:
            return None
        values = []
        for task in Path(f"/proc/{self.procs[1].pid}/task").glob("*/stat"):
            try:
                values.append(int(task.read_text().rsplit(")", 1)[1].split()[16]))
            except (OSError, ValueError, IndexError):
                continue
        return max(values, default=None)

    def pending(self) -> int:
        """Events (and stored batches) the worker has not handled yet."""
        from ember.db import make_engine
        from ember.models import InboundEvent

        engine = make_engine(f"sqlite:///{self.data_dir / 'ember.db'}")
        try:
            with engine.connect() as conn:
                return int(conn.scalar(select(func.count()).where(InboundEvent.status == "pending")) or 0)
        finally:
            engine.dispose()

    def wait_idle(self, patience_s: float = 300.0) -> None:
        """Until the worker has handled everything stored (at once when no worker runs)."""
        deadline = time.monotonic() + patience_s
        while self.workers and self.pending():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not catch up within {patience_s:.0f} s")
            time.sleep(0.1)

    def __enter__(self) -> Stack:
        env, log = _env(self.data_dir, self.batch_nice), self.data_dir / "bench.log"
        port = _port()
        self.url = f"http://127.0.0.1:{port}"
        try:
            self.procs.append(_start([sys.executable, "-c", SERVER, str(port)], env, log))
            ember = [sys.executable, "-c", "from ember.cli.main import app; app()"]
            if self.workers:
                self.procs.append(_start([*ember, "worker", "--workers", str(self.workers)], env, log))
            _wait_up(self.url, self.procs, log)
        except BaseException:  # a slow or failed start (or Ctrl-C) must not leave servers behind
            self.__exit__()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each throughput run")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=4, help="connections per client process")
    parser.add_argument("--workers", type=int, default=2, help="threads of the ember worker (0: none, which "
                        "measures ingestion alone; (b) needs one)")
    parser.add_argument("--batch-nice", type=int, default=None, help="the worker's EMBER_BATCH_NICE (default: "
                        "the product's default)")
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--stored", type=int, default=10_000_000, help="stored events for (c); 0 skips it")
    parser.add_argument("--cases", default="abcd", help="which cases to run, e.g. d")
    args = parser.parse_args()
    # A SIGTERM (a timeout, a CI stop) unwinds like Ctrl-C, so every started process is ended.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="ember-bench-") as tmp:
        data_dir = Path(tmp)
        secret, write_key = _setup(data_dir, args.contacts)
        if "d" in args.cases:
            with Stack(data_dir, args.workers, args.batch_nice) as stack:
                noop_side, batch_side = paired(stack, "/noop", "/v1/batch", "batch", write_key, "b", args.seconds,
                                               args.clients, args.threads)
                nice = stack.lowest_thread_priority()
            noop_batches, batches = noop_side.rate, batch_side.rate
            print(f"(d) no-op, same body {noop_batches:8.0f} requests/s")
            print(f"    POST /v1/batch   {batches:8.0f} batches/s ({batches * BATCH_CALLS:.0f} events/s)   "
                  f"ratio {batches / noop_batches:.2f}x (goal >= 0.5x)")
            print(f"    CPU per request: server {_per_ms(noop_side.server_cpu, noop_side.requests):.2f} ms "
                  f"(no-op), {_per_ms(batch_side.server_cpu, batch_side.requests):.2f} ms (batch); worker "
                  f"{_per_ms(batch_side.worker_cpu, batch_side.requests):.2f} ms per batch, "
                  f"{_per_ms(batch_side.worker_cpu_during, batch_side.requests):.2f} of them during the rounds "
                  f"(its batch thread at nice {nice}); stored batches still waiting as the batch rounds ended: "
                  f"{batch_side.backlog}")
        if not {"a", "b", "c"} & set(args.cases):
            return
        # (b) paces at half of (a)'s rate and (c) compares with it: (a) runs whenever they do.
        with Stack(data_dir, args.workers, args.batch_nice) as stack:
            noop_side, events_side = paired(stack, "/noop", "/events", "events", secret, "a", args.seconds,
                                            args.clients, args.threads)
            noop, events = noop_side.rate, events_side.rate
            print(f"(a) no-op endpoint   {noop:8.0f} requests/s")
            print(f"    POST /events     {events:8.0f} events/s   ratio {events / noop:.2f}x (goal >= 0.5x)")
            if "b" in args.cases:
                result = latency(stack.url, secret, events / 2, args.seconds, args.contacts, data_dir, args.clients)
                print(f"(b) at {result['rate']:.0f} events/s: {result['alerts']:.0f} alerts, trigger-to-alert "
                      f"p50 {result['p50'] * 1000:.0f} ms, p99 {result['p99'] * 1000:.0f} ms, "
                      f"max {result['max'] * 1000:.0f} ms (goal p99 <= 1000 ms)")
        if "c" not in args.cases or args.stored <= 0:
            return
        built = bulk_store(data_dir, args.stored)
        print(f"(c) stored {args.stored:,} events in {built:.0f} s")
        with Stack(data_dir, args.workers, args.batch_nice) as stack:
            loaded = throughput(stack.url, "/events", "events", secret, "c", args.seconds, args.clients, args.threads)
        print(f"    POST /events     {loaded:8.0f} events/s with {args.stored:,} stored, "
              f"{(1 - loaded / events) * 100:+.0f}% slower than empty (goal <= 20%)")


if __name__ == "__main__":
    main()
