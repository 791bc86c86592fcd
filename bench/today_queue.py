"""Today queue latency on a large database, against a plain indexed SELECT.

Build the data set once (about 15-25 minutes for the full size on 2 cores):

    .venv/bin/python bench/generate.py --contacts 1000000 --out /tmp/ember-1m.db

then measure, in one run, the median latency of one rep's Today queue and of
a plain indexed SELECT of that rep's due planned touches, and print the ratio
(goal: at most 3x):

    .venv/bin/python bench/today_queue.py --db /tmp/ember-1m.db [--runs 30]

The demo data spreads a million contacts over many reps; the scenario measured
is one rep with 5,000 open deals, so the script first hands 5,000 open deals
(with their contacts, plans and next steps) to one rep (`--open-deals`). It
changes the database it is given: use a copy you can spare. Two baselines are
printed: the due planned touches as full rows (what a plain query of "the
rep's due planned touches" returns) and a three-column, 200-row variant.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, text, update

from ember.db import make_engine, session_factory
from ember.models import Contact, Deal, NextStep, PlannedTouch, Touch, User
from ember.today.service import end_of_today, queue_for
from ember.users.access import Actor
from ember.vocabulary import CLOSED_STAGES


def _median_ms(action, runs: int) -> float:  # type: ignore[no-untyped-def]
    action()  # warm the page cache and statement caches once, untimed
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--open-deals", type=int, default=5000)
    args = parser.parse_args()
    engine = make_engine(f"sqlite:///{args.db}")
    rep_id = _concentrate(engine, args.open_deals)
    with session_factory(engine)() as session:
        contacts = session.scalar(select(func.count(Contact.id)))
        touches = session.scalar(select(func.max(Touch.id)))
        deal_count = session.scalar(select(func.count(Deal.id)).where(
            Deal.owner_id == rep_id, Deal.stage.not_in([s.value for s in CLOSED_STAGES])))
        rep = session.get(User, rep_id)
        assert rep is not None
        actor = Actor.of(rep)
        now = datetime.now(UTC)
        until = end_of_today(rep.timezone, now)
        due = (PlannedTouch.rep_id == rep_id, PlannedTouch.status == "planned", PlannedTouch.due_at <= until)
        full_rows = select(PlannedTouch).where(*due).order_by(PlannedTouch.due_at)
        narrow = (select(PlannedTouch.id, PlannedTouch.contact_id, PlannedTouch.due_at).where(*due)
                  .order_by(PlannedTouch.due_at).limit(200))
        items = queue_for(session, actor, now=now)
        due_count = len(session.scalars(full_rows).all())
        baseline = _median_ms(lambda: session.scalars(full_rows).all(), args.runs)
        narrow_ms = _median_ms(lambda: session.execute(narrow).all(), args.runs)
        queue = _median_ms(lambda: queue_for(session, actor, now=now), args.runs)
        sql = str(narrow.compile(compile_kwargs={"literal_binds": True}))
        plan = session.execute(text("EXPLAIN QUERY PLAN " + sql))
    print(f"database: {contacts:,} contacts, ~{touches:,} touches")
    print(f"rep {rep.email}: {deal_count:,} open deals, {due_count:,} planned touches due by tonight, "
          f"{len(items)} items in today's queue (capped at 200)")
    print(f"baseline, the rep's due planned touches (full rows): median {baseline:.2f} ms")
    print(f"baseline, three columns, first 200:               median {narrow_ms:.2f} ms")
    print(f"Today queue (plans, next steps, alerts, names, messages): median {queue:.2f} ms")
    print(f"ratio: {queue / baseline:.2f}x against full rows, {queue / narrow_ms:.2f}x against the narrow "
          f"query (goal <= 3x)")
    print("index used:", "; ".join(str(row[-1]) for row in plan))


def _concentrate(engine, open_deals: int) -> int:  # type: ignore[no-untyped-def]
    """Give one rep `open_deals` open deals with their contacts, plans and next steps."""
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


if __name__ == "__main__":
    main()
