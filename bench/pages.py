"""Page speed: p50/p95 server time of every main page, for a rep, in one run.

On the demo data (built into a temporary directory, about a minute):

    .venv/bin/python bench/pages.py [--runs 40]

On a big bench database, for one rep given many open deals (the database is
changed: pass a copy you can spare; build one with bench/generate.py):

    .venv/bin/python bench/pages.py --db /tmp/ember-big.db --open-deals 5000

Each page is asked for by a logged-in browser session through the whole app
(middleware, session, CSRF, templates) in this process, so the time is the
server's, without a network. Figures are printed per page with the ratio of
its median to the contacts list's, measured in the same run (absolute times on
a shared machine are noise; ratios are not), and with the CPU time each request
took in this process, which other programs' load does not inflate the way it
does the wall-clock p95. Goal: p95 under 100 ms on the demo
data, under 300 ms for the rep with 5,000 open deals.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update

from ember.app import create_app
from ember.db import make_engine, session_factory
from ember.migrate import upgrade
from ember.models import Alert, Call, Contact, Deal, NextStep, PlannedTouch, Touch, User
from ember.settings import Settings
from ember.users.passwords import hash_password
from ember.vocabulary import CLOSED_STAGES

PASSWORD = "bench-pages-password"
DEMO_REP = "sam.okafor@harborlight.example"


def _concentrate(engine: Engine, open_deals: int) -> int:
    """Give the first rep `open_deals` open deals, with their contacts, plans and next steps."""
    closed = [s.value for s in CLOSED_STAGES]
    with engine.begin() as conn:
        rep_id = conn.execute(select(User.id).where(User.role == "rep").order_by(User.id).limit(1)).scalar_one()
        deal_ids = [row[0] for row in conn.execute(
            select(Deal.id).where(Deal.stage.not_in(closed)).order_by(Deal.id).limit(open_deals))]
        for start in range(0, len(deal_ids), 500):
            chunk = deal_ids[start : start + 500]
            conn.execute(update(Deal).where(Deal.id.in_(chunk)).values(owner_id=rep_id))
            conn.execute(update(PlannedTouch).where(PlannedTouch.deal_id.in_(chunk)).values(rep_id=rep_id))
            conn.execute(update(NextStep).where(NextStep.deal_id.in_(chunk)).values(rep_id=rep_id))
            contact_ids = select(PlannedTouch.contact_id).where(PlannedTouch.deal_id.in_(chunk))
            conn.execute(update(Contact).where(Contact.id.in_(contact_ids)).values(owner_id=rep_id))
    return int(rep_id)


def _rep(engine: Engine, email: str | None, open_deals: int) -> User:
    rep_id = _concentrate(engine, open_deals) if email is None else None
    with session_factory(engine)() as session:
        rep = session.get(User, rep_id) if rep_id else session.scalar(select(User).where(User.email == email))
        assert rep is not None, "no such rep in this database"
        rep.password_hash = hash_password(PASSWORD)  # a bench database only: the rep logs in like anyone
        session.commit()
        session.expunge(rep)
        return rep


def _pages(engine: Engine, rep: User) -> list[str]:
    """The main pages, with a record of each kind that this rep may see."""
    with session_factory(engine)() as session:
        contact = session.scalar(select(Touch.contact_id).where(Touch.rep_id == rep.id)
                                 .group_by(Touch.contact_id).order_by(func.count().desc()).limit(1))
        deal = session.scalar(select(Deal.id).where(Deal.owner_id == rep.id).order_by(Deal.id).limit(1))
        call = session.scalar(select(Call.id).join(Touch, Touch.id == Call.touch_id)
                              .join(Contact, Contact.id == Touch.contact_id)
                              .where(Contact.owner_id == rep.id).order_by(Call.id).limit(1))
        alerts = session.scalar(select(func.count()).select_from(Alert).where(Alert.rep_id == rep.id))
        open_deals = session.scalar(select(func.count()).select_from(Deal).where(
            Deal.owner_id == rep.id, Deal.stage.not_in([s.value for s in CLOSED_STAGES])))
    print(f"rep {rep.email}: {open_deals:,} open deals, {alerts:,} alerts")
    pages = ["/contacts", "/today", "/deals", "/calls", "/alerts", "/nurture"]
    pages += [f"/contacts/{contact}", f"/contacts/{contact}/compose"] if contact else []
    pages += [f"/deals/{deal}"] if deal else []
    pages += [f"/calls/{call}"] if call else []
    return pages


def _log_in(client: TestClient, email: str) -> None:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert token, "no login form"
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf": token.group(1)})


def _measure(client: TestClient, path: str, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per request (the app runs in this process, so its CPU time is ours)."""
    for _ in range(2):  # warm caches (templates, statements, pages of the database file), untimed
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 200, f"{path} answered {response.status_code}"
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(path, headers={"Accept": "text/html"})
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return times, cpu


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a bench database (changed: use a copy); default: fresh demo data")
    parser.add_argument("--open-deals", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ember-bench-pages-"))
    path = args.db or workdir / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    if args.db is None:
        from ember.demo.generator import generate

        summary = generate(engine, contacts=800, seed=7)
        print(f"demo data built in {summary.seconds:.1f} s")
    rep = _rep(engine, DEMO_REP if args.db is None else None, args.open_deals)
    settings = Settings(data_dir=workdir, secret_key="bench-pages-secret-key-long-enough-to-sign",
                        database_url=f"sqlite:///{path}")
    with TestClient(create_app(settings, engine)) as client:
        _log_in(client, rep.email)
        results = {page: _measure(client, page, args.runs) for page in _pages(engine, rep)}
    base = statistics.median(results["/contacts"][0])
    # On a shared machine the wall-clock p95 is mostly other programs' load; the CPU p95 is the
    # page's own work, so both are shown.
    print(f"{'page':<28} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50':>8} {'CPU p95':>8} {'p50 vs /contacts':>17}")
    for page, (times, cpu) in results.items():
        p50 = statistics.median(times)
        print(f"{page:<28} {p50:>8.1f} {_p95(times):>8.1f} {statistics.median(cpu):>8.1f} {_p95(cpu):>8.1f} "
              f"{p50 / base:>16.2f}x")


if __name__ == "__main__":
    main()
