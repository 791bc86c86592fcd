"""Today queue latency on a large database, against a plain indexed SELECT.

Build the data set once (about 15-25 minutes for the full size on 2 cores):

    .venv/bin/python bench/generate.py --contacts 1000000 --out /tmp/ember-1m.db

then measure, in one run, the median latency of one rep's Today queue (the
rep whose open deals are closest to 5,000) and of a plain indexed SELECT of
that rep's due planned touches, and print the ratio (goal: at most 3x):

    .venv/bin/python bench/today_queue.py --db /tmp/ember-1m.db [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, text

from ember.db import make_engine, session_factory
from ember.models import Contact, Deal, PlannedTouch, Touch, User
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
    args = parser.parse_args()
    engine = make_engine(f"sqlite:///{args.db}")
    with session_factory(engine)() as session:
        contacts = session.scalar(select(func.count(Contact.id)))
        touches = session.scalar(select(func.max(Touch.id)))
        open_deals = session.execute(
            select(Deal.owner_id, func.count(Deal.id)).where(Deal.stage.not_in([s.value for s in CLOSED_STAGES]))
            .group_by(Deal.owner_id)
        ).all()
        rep_id, deal_count = min(open_deals, key=lambda row: abs(row[1] - 5000))
        rep = session.get(User, rep_id)
        assert rep is not None
        actor = Actor.of(rep)
        now = datetime.now(UTC)
        until = end_of_today(rep.timezone, now)
        plain = (select(PlannedTouch.id, PlannedTouch.contact_id, PlannedTouch.due_at)
                 .where(PlannedTouch.rep_id == rep_id, PlannedTouch.status == "planned", PlannedTouch.due_at <= until)
                 .order_by(PlannedTouch.due_at).limit(200))
        items = queue_for(session, actor, now=now)
        baseline = _median_ms(lambda: session.execute(plain).all(), args.runs)
        queue = _median_ms(lambda: queue_for(session, actor, now=now), args.runs)
        plan = session.execute(text("EXPLAIN QUERY PLAN " + str(plain.compile(compile_kwargs={"literal_binds": True}))))
    print(f"database: {contacts:,} contacts, ~{touches:,} touches")
    print(f"rep {rep.email}: {deal_count:,} open deals, {len(items)} items in today's queue")
    print(f"plain indexed SELECT of due planned touches: median {baseline:.2f} ms")
    print(f"Today queue (plans, next steps, alerts, with names and messages): median {queue:.2f} ms")
    print(f"ratio: {queue / baseline:.2f}x (goal <= 3x)")
    print("baseline plan:", "; ".join(str(row[-1]) for row in plan))


if __name__ == "__main__":
    main()
