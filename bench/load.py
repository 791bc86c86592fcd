"""Load test of a team installation: reps working in the browser while webhooks stream in.

Everything runs on loopback against PostgreSQL and Redis, as a team runs Ember:
`ember serve --workers N` (N = 1, then 2), two `ember worker` processes, simulated
reps and a paced sender of signed webhooks. Bounded in time and count.

    python bench/load.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ember_load \\
        --redis-url redis://127.0.0.1:6379/13 --reset

Each rep logs in, then loops: their Today page, a contact's page, the compose page of
that contact, and logs a touch through the API, with a think time between steps.
Meanwhile signed events arrive at --events-per-s; every tenth is a pricing-page view by
a contact on the nurture list, which must raise an alert. Reported per web-process count:

- requests/s completed and p50/p95/p99 per request kind, errors (goal: pages p95 < 200 ms, no errors);
- trigger-to-alert p50/p99, from send time to the alert row (goal: p99 < 1 s);
- saturated throughput (no think time) and its ratio 2 processes / 1 (goal: >= 1.6x).

The database named by --database-url is emptied with --reset: never point it at data you keep.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from standardwebhooks import Webhook

EMBER = [sys.executable, "-c", "from ember.cli.main import app; app()"]
PASSWORD = "load-test-password-1"
CONTACTS_PER_REP = 20
CONTACT_LINK = re.compile(r'href="/contacts/(\d+)"')
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Tally:
    """Latencies per request kind and the errors seen, for one phase."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    first_error: dict[str, str] = field(default_factory=dict)

    def add(self, kind: str, seconds: float, ok: bool) -> None:
        self.times[kind].append(seconds)
        if not ok:
            self.errors[kind] += 1

    @property
    def count(self) -> int:
        return sum(len(values) for values in self.times.values())


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else float("nan")


# ---- set-up -------------------------------------------------------------------------

def environment(args: argparse.Namespace, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMBER_")}
    env.update(EMBER_DATABASE_URL=args.database_url, EMBER_REDIS_URL=args.redis_url, EMBER_DATA_DIR=str(data_dir),
               EMBER_SECRET_KEY="load-test-secret-key-long-enough-to-sign", EMBER_QUEUE_NAME="load",
               EMBER_LOGIN_MAX_FAILURES_PER_ADDRESS="1000")
    return env


def ember(env: dict[str, str], *argv: str) -> str:
    done = subprocess.run([*EMBER, *argv], env=env, capture_output=True, text=True)
    if done.returncode not in (0, 3):
        raise RuntimeError(f"ember {' '.join(argv)} failed: {done.stderr[-2000:]}")
    return done.stdout


def reset(database_url: str, redis_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def triggers_per_phase(args: argparse.Namespace) -> int:
    return int(args.events_per_s * args.seconds) // 10 + 1


def nurture_count(args: argparse.Namespace) -> int:
    """A fresh nurture contact for every trigger of every phase: a re-opened contact raises no second alert."""
    return triggers_per_phase(args) * len(args.web.split(","))


def populate(args: argparse.Namespace, env: dict[str, str], data_dir: Path) -> tuple[list[str], str]:
    """Reps with passwords, their contacts, a nurture list and an event source; rep emails, source secret."""
    ember(env, "db", "upgrade")
    os.environ.update(env)
    from ember.db import make_engine, unit_of_work
    from ember.users.service import add_user

    engine = make_engine(args.database_url)
    reps = [f"rep{i}@load.example" for i in range(args.reps)]
    with unit_of_work(engine) as session:
        add_user(session, email="admin@load.example", name="Admin", role="admin", team=None, timezone="UTC")
        for i, email in enumerate(reps):
            add_user(session, email=email, name=f"Rep {i}", role="rep", team=f"Team {i % 10}",
                     password=PASSWORD, timezone="America/New_York")
    engine.dispose()
    sheet = data_dir / "contacts.csv"
    with sheet.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["email", "first_name", "last_name", "timezone", "owner", "status"])
        for i, rep in enumerate(reps):
            for j in range(CONTACTS_PER_REP):
                out.writerow([f"p{i}-{j}@prospect.example", f"Pat{j}", f"Lee{i}", "America/Chicago", rep, "active"])
        for n in range(nurture_count(args)):
            out.writerow([f"n{n}@prospect.example", "Noa", f"Park{n}", "Europe/Berlin", reps[n % len(reps)],
                          "nurture"])
    ember(env, "import", "contacts", str(sheet), "--as", "admin@load.example")
    ember(env, "replan")
    secret = re.search(r"whsec_[A-Za-z0-9+/=]+", ember(env, "sources", "add", "website", "--json"))
    assert secret, "the source's signing secret"
    return reps, secret.group(0)


# ---- processes ----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_servers(env: dict[str, str], web: int, workers: int, port: int, logs: Path) -> list[subprocess.Popen[bytes]]:
    def start(name: str, *argv: str) -> subprocess.Popen[bytes]:
        log = (logs / f"{name}.log").open("ab")
        return subprocess.Popen([*EMBER, *argv], env=env, stdout=log,
                                stderr=subprocess.STDOUT)

    processes = [start(f"web{web}", "serve", "--port", str(port), "--workers", str(web))]
    processes += [start(f"worker{i}", "worker", "--workers", "2") for i in range(workers)]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return processes
        except httpx.HTTPError:
            time.sleep(0.3)
    stop(processes)
    raise RuntimeError("the web app did not start; see " + str(logs))


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


# ---- simulated reps -------------------------------------------------------------------

async def log_in(client: httpx.AsyncClient, email: str) -> None:
    form = await client.get("/login")
    token = CSRF.search(form.text)
    answer = await client.post("/login", data={"email": email, "password": PASSWORD,
                                                "csrf": token.group(1) if token else ""}, timeout=120)
    if answer.status_code != 303:
        said = re.findall(r"<p>([^<]{5,200})</p>", answer.text)
        raise RuntimeError(f"{email} could not log in: {answer.status_code} {said}")


async def rep_day(client: httpx.AsyncClient, tally: Tally, until: float, think_s: float, rng: random.Random) -> None:
    async def timed(kind: str, method: str, url: str, **kwargs: object) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await client.request(method, url, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError:
            tally.add(kind, time.perf_counter() - started, ok=False)
            return None
        ok = response.status_code < 400
        tally.add(kind, time.perf_counter() - started, ok=ok)
        if not ok and kind not in tally.first_error:
            tally.first_error[kind] = f"{response.status_code} {response.text[:200]}"
        return response

    async def pause() -> None:
        if think_s:
            await asyncio.sleep(rng.expovariate(1 / think_s))

    contact_ids: list[str] = []
    while time.monotonic() < until:
        today = await timed("page /today", "GET", "/today")
        await pause()
        if today is not None:
            contact_ids = CONTACT_LINK.findall(today.text) or contact_ids
        if not contact_ids:
            listed = await timed("page /contacts", "GET", "/contacts")
            contact_ids = CONTACT_LINK.findall(listed.text) if listed is not None else []
            continue
        contact = rng.choice(contact_ids)
        await timed("page /contacts/{id}", "GET", f"/contacts/{contact}")
        await pause()
        await timed("page compose", "GET", f"/contacts/{contact}/compose")
        await pause()
        await timed("api log touch", "POST", "/api/touches", json={
            "contact_id": int(contact), "channel": "call", "outcome": "no-answer"})
        await pause()


async def run_reps(url: str, reps: list[str], seconds: float, think_s: float,
                   on_ready: Callable[[], None] = lambda: None) -> tuple[Tally, float]:
    """Log every rep in, call ``on_ready``, then let them work for ``seconds``."""
    tally = Tally()
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    clients = [httpx.AsyncClient(base_url=url, timeout=30, limits=limits) for _ in reps]
    try:
        for client, email in zip(clients, reps, strict=True):  # logging in is not what is measured
            await log_in(client, email)
        for client in clients:  # the API calls go with the page's session and its CSRF token
            page = await client.get("/today")
            token = CSRF.search(page.text)
            if token:
                client.headers["X-CSRF-Token"] = token.group(1)
        on_ready()
        started = time.monotonic()
        until = started + seconds
        await asyncio.gather(*(rep_day(c, tally, until, think_s, random.Random(i)) for i, c in enumerate(clients)))
        return tally, tally.count / (time.monotonic() - started)
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


# ---- webhooks -------------------------------------------------------------------------

def send_events(url: str, secret: str, rate: float, seconds: float, first_nurture: int, sent: dict[str, float],
                stop_flag: threading.Event, errors: list[str]) -> None:
    """Signed events at ``rate``/s from 4 threads; every tenth a pricing-page view by a nurture contact."""
    hook, threads, lock = Webhook(secret), 4, threading.Lock()
    total, start, run_id = int(rate * seconds), time.time() + 1, int(time.time())

    def sender(slot: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            for index in range(slot, total, threads):
                if stop_flag.is_set():
                    return
                pause = start + index / rate - time.time()
                if pause > 0:
                    time.sleep(pause)
                msg_id = f"load-{run_id}-{index}"
                trigger = index % 10 == 0
                body: dict[str, object] = {"source": "website", "type": "page_view", "id": msg_id,
                                           "occurred_at": datetime.now(UTC).isoformat()}
                if trigger:
                    body.update(email=f"n{first_nurture + index // 10}@prospect.example",
                                url="https://acme.example/pricing")
                else:
                    body.update(anonymous_id=f"visitor-{index % 5000}", url="https://acme.example/blog")
                payload = json.dumps(body)
                now = datetime.now(UTC)
                headers = {"webhook-id": msg_id, "webhook-timestamp": str(int(now.timestamp())),
                           "webhook-signature": hook.sign(msg_id, now, payload), "content-type": "application/json"}
                at = time.time()
                try:
                    response = client.post("/events", content=payload, headers=headers)
                    if response.status_code != 202:
                        errors.append(f"{response.status_code} {response.text[:100]}")
                except httpx.HTTPError as exc:
                    errors.append(str(exc))
                    continue
                if trigger:
                    with lock:
                        sent[msg_id] = at

    pool = [threading.Thread(target=sender, args=(slot,)) for slot in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


def alert_delays(database_url: str, sent: dict[str, float]) -> list[float]:
    """Seconds from sending each trigger to its alert row, waiting for the queue to drain first."""
    engine = create_engine(database_url)
    deadline = time.monotonic() + 60
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            pending = conn.execute(text("SELECT count(*) FROM inbound_events WHERE status = 'pending'")).scalar()
            conn.commit()
            if not pending:
                break
            time.sleep(0.5)
        rows = conn.execute(text(
            "SELECT e.external_id, a.created_at FROM alerts a JOIN inbound_events e ON a.event_id = e.id "
            "WHERE e.external_id LIKE 'load-%'")).all()
    engine.dispose()
    delays = []
    for external_id, created in rows:
        if external_id in sent:
            created_at = created if created.tzinfo else created.replace(tzinfo=UTC)
            delays.append(max(created_at.timestamp() - sent[external_id], 0.0))
    return sorted(delays)


# ---- phases -------------------------------------------------------------------------------

def phase(args: argparse.Namespace, env: dict[str, str], reps: list[str], secret: str, web: int, number: int,
          logs: Path) -> dict[str, object]:
    processes = start_servers(env, web, args.workers, args.port, logs)
    url = f"http://127.0.0.1:{args.port}"
    try:
        sent: dict[str, float] = {}
        event_errors: list[str] = []
        stop_flag = threading.Event()
        sender = threading.Thread(target=send_events, args=(url, secret, args.events_per_s, args.seconds,
                                                            number * triggers_per_phase(args), sent, stop_flag,
                                                            event_errors))
        try:  # the webhooks start once every rep is logged in, so both loads overlap
            working, rate = asyncio.run(run_reps(url, reps, args.seconds, args.think_s, on_ready=sender.start))
        finally:
            stop_flag.set()
        if sender.is_alive():
            sender.join()
        delays = alert_delays(args.database_url, sent)
        saturated, saturated_rate = asyncio.run(run_reps(url, reps[: args.saturation_reps], args.saturation_s, 0.0))
    finally:
        stop(processes)
    return {"web": web, "working": working, "rate": rate, "delays": delays, "triggers": len(sent),
            "event_errors": event_errors, "saturated": saturated, "saturated_rate": saturated_rate}


def report(result: dict[str, object]) -> None:
    working: Tally = result["working"]  # type: ignore[assignment]
    delays: list[float] = result["delays"]  # type: ignore[assignment]
    print(f"\n== {result['web']} web process(es): {result['rate']:.1f} requests/s from reps at work")
    print(f"   {'request':<22}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for kind, values in sorted(working.times.items()):
        print(f"   {kind:<22}{len(values):>7}{quantile(values, .5) * 1000:>9.0f}{quantile(values, .95) * 1000:>9.0f}"
              f"{quantile(values, .99) * 1000:>9.0f}{working.errors.get(kind, 0):>8}")
    for kind, message in working.first_error.items():
        print(f"   first error of {kind}: {message}")
    errors: list[str] = result["event_errors"]  # type: ignore[assignment]
    print(f"   webhooks: {len(errors)} errors{': ' + errors[0] if errors else ''}")
    if delays:
        print(f"   trigger -> alert: {len(delays)} of {result['triggers']} triggers; p50 "
              f"{quantile(delays, .5) * 1000:.0f} ms, p99 {quantile(delays, .99) * 1000:.0f} ms, "
              f"max {max(delays) * 1000:.0f} ms")
    else:
        print(f"   trigger -> alert: no alert from {result['triggers']} triggers")
    saturated: Tally = result["saturated"]  # type: ignore[assignment]
    all_times = [t for values in saturated.times.values() for t in values]
    print(f"   saturated (no think time): {result['saturated_rate']:.1f} requests/s, "
          f"p50 {statistics.median(all_times) * 1000 if all_times else float('nan'):.0f} ms, "
          f"{sum(saturated.errors.values())} errors")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="PostgreSQL database to use (emptied with --reset).")
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--reset", action="store_true", help="Empty the database and Redis db first.")
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think-s", type=float, default=3.0, help="Mean pause between a rep's steps.")
    parser.add_argument("--events-per-s", type=float, default=300)
    parser.add_argument("--workers", type=int, default=2, help="`ember worker` processes.")
    parser.add_argument("--web", default="1,2", help="Web process counts to measure, in order.")
    parser.add_argument("--saturation-reps", type=int, default=50)
    parser.add_argument("--saturation-s", type=float, default=20)
    parser.add_argument("--port", type=int, default=0, help="Port of the web app (default: a free one).")
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        parser.error("the load test runs on PostgreSQL, as a team installation does")
    if args.reset:
        reset(args.database_url, args.redis_url)
    args.port = args.port or free_port()
    with tempfile.TemporaryDirectory(prefix="ember-load-") as folder:
        data_dir = Path(folder)
        env = environment(args, data_dir)
        started = time.monotonic()
        reps, secret = populate(args, env, data_dir)
        print(f"set-up: {len(reps)} reps, {len(reps) * CONTACTS_PER_REP} active and {nurture_count(args)} nurture "
              f"contacts in {time.monotonic() - started:.0f} s")
        results = []
        for number, web in enumerate(int(n) for n in args.web.split(",")):
            results.append(phase(args, env, reps, secret, web, number, data_dir))
            report(results[-1])
        if len(results) >= 2:
            ratio = float(results[-1]["saturated_rate"]) / float(results[0]["saturated_rate"])  # type: ignore[arg-type]
            print(f"\nthroughput {results[-1]['web']} processes / {results[0]['web']}: {ratio:.2f}x")


if __name__ == "__main__":
    main()
