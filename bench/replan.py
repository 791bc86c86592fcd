"""Benchmark, pure part: re-plan the next touch for every contact.

As after a settings change: every contact's history is planned again with
``plan_next``. Contacts are synthetic, with short histories, built in memory
by each worker before the clock starts (building is timed and printed apart).

    python bench/replan.py                   # 1,000,000 contacts, 2 workers
    python bench/replan.py --contacts 20000 --workers 1

Goal: at most 60 s for 1,000,000 contacts on a 2-core machine.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from ember.cadence.attempts import TouchFact
from ember.cadence.rules import CadenceSettings, ContactFacts, TriggerFact, plan_next
from ember.messages.defaults import default_library
from ember.vocabulary import ContactStatus, Outcome, PreferredChannel

NOW = datetime(2025, 5, 12, 13, 0, tzinfo=UTC)
ZONES = [("Europe/Berlin", "DE"), ("America/New_York", "US"), ("America/Chicago", "US"),
         ("America/Los_Angeles", "US-CA"), ("Europe/London", "GB"), ("Europe/Paris", "FR"),
         ("Australia/Sydney", "AU"), ("Asia/Kolkata", "IN"), ("America/Sao_Paulo", "BR"),
         ("Asia/Tokyo", "JP"), ("Europe/Madrid", "ES"), ("America/Toronto", "CA")]
# Rough shape of a real touch log: mostly unanswered attempts.
OUTCOMES = ([Outcome.NO_ANSWER] * 30 + [Outcome.VOICEMAIL] * 20 + [Outcome.EMAIL_SENT] * 20
            + [Outcome.GATEKEEPER] * 8 + [Outcome.CONVERSATION] * 10 + [Outcome.EMAIL_REPLIED] * 3
            + [Outcome.MEETING_HELD] * 3 + [Outcome.NOT_NOW] * 2 + [Outcome.SAID_NO] * 2
            + [Outcome.WRONG_NUMBER, Outcome.EMAIL_BOUNCED, Outcome.NO_SHOW])
PREFERRED: list[PreferredChannel | None] = [*([None] * 6), *PreferredChannel]
EMAIL_OUTCOMES = {Outcome.EMAIL_SENT, Outcome.EMAIL_REPLIED, Outcome.EMAIL_BOUNCED}


@dataclass(frozen=True, slots=True)
class Synthetic:
    contact: ContactFacts
    history: tuple[TouchFact, ...]
    received: frozenset[str]
    deal_id: int | None


def _history(rnd: random.Random, first_id: int, keys: list[str]) -> tuple[
    tuple[TouchFact, ...], frozenset[str]
]:
    size = rnd.choice((0, 1, 2, 3, 3, 4, 5, 6))
    at = NOW - timedelta(days=rnd.randint(1, 60), minutes=rnd.randint(0, 600))
    touches, received = [], set()
    for n in range(size):
        outcome = rnd.choice(OUTCOMES)
        key = rnd.choice(keys) if rnd.random() < 0.7 else None
        if key:
            received.add(key)
        callback = at + timedelta(days=rnd.randint(1, 40)) if outcome == Outcome.NOT_NOW else None
        channel = "email" if outcome in EMAIL_OUTCOMES else "call"
        touches.append(TouchFact(first_id + n, at, outcome, channel, 7, key, callback))
        at += timedelta(days=rnd.randint(0, 6), hours=rnd.randint(0, 8))
    return tuple(touches), frozenset(received)


def build(start: int, count: int, seed: int) -> list[Synthetic]:
    rnd = random.Random(seed * 1_000_003 + start)
    keys = [v.key for v in default_library().variants]
    out = []
    for i in range(start, start + count):
        tz, country = rnd.choice(ZONES)
        history, received = _history(rnd, i * 10, keys)
        trigger = TriggerFact(NOW - timedelta(hours=3), "looked at the pricing page") if (
            rnd.random() < 0.02) else None
        status = ContactStatus.NURTURE if rnd.random() < 0.03 else ContactStatus.ACTIVE
        contact = ContactFacts(tz, country, rnd.choice(PREFERRED), status,
                               has_social=rnd.random() < 0.5, last_trigger=trigger,
                               referred_by="a customer" if rnd.random() < 0.05 else None)
        out.append(Synthetic(contact, history, received, 7))
    return out


Result = tuple[float, float, float, Counter[str]]  # build s, plan wall s, plan CPU s


def worker(start: int, count: int, seed: int, barrier: Barrier, out: Queue[Result]) -> None:
    t0 = time.perf_counter()
    contacts = build(start, count, seed)
    settings, library = CadenceSettings(), default_library()
    built = time.perf_counter() - t0
    barrier.wait(timeout=600)
    counts: Counter[str] = Counter()
    t1, cpu = time.perf_counter(), time.process_time()
    for c in contacts:
        decision = plan_next(c.history, c.contact, NOW, settings, c.received, library,
                             deal_id=c.deal_id)
        plan = decision.plan
        counts[plan.channel.value if plan else f"stop:{decision.stop}"] += 1
    out.put((built, time.perf_counter() - t1, time.process_time() - cpu, counts))


def _run(args: argparse.Namespace) -> None:
    share = -(-args.contacts // args.workers)
    ctx = mp.get_context("fork")
    # Processes, not a Pool: a barrier can only be shared by inheritance. It
    # starts every worker's clock together, once all have built their contacts.
    barrier = ctx.Barrier(args.workers + 1)
    out: Queue[Result] = ctx.Queue()
    procs = [ctx.Process(target=worker, args=(w * share, min(share, args.contacts - w * share),
                                              args.seed, barrier, out))
             for w in range(args.workers)]
    for proc in procs:
        proc.start()
    barrier.wait(timeout=600)
    t0 = time.perf_counter()
    results = [out.get(timeout=600) for _ in procs]
    wall = time.perf_counter() - t0
    for proc in procs:
        proc.join()
    counts: Counter[str] = Counter()
    for *_, c in results:
        counts.update(c)
    print(f"contacts: {args.contacts:,}  workers: {args.workers}")
    print(f"build (not timed as re-planning): {max(r[0] for r in results):.1f} s")
    print(f"re-planning wall time: {wall:.1f} s  "
          f"({wall / args.contacts * 1e6:.1f} µs per contact, "
          f"{args.contacts / wall:,.0f} contacts/s)")
    print("per-worker planning: " + ", ".join(
        f"{r[1]:.1f} s wall / {r[2]:.1f} s CPU" for r in results))
    cpu = sum(r[2] for r in results)
    print(f"CPU per contact: {cpu / args.contacts * 1e6:.1f} µs (what an idle core would take; "
          "the wall time includes waiting for the CPU when the machine is shared)")
    print(f"goal: <= 60 s for 1,000,000 contacts; at this rate 1,000,000 take "
          f"{wall / args.contacts * 1e6:.1f} s wall, "
          f"{cpu / args.workers / args.contacts * 1e6:.1f} s on {args.workers} idle cores")
    print("decisions:", ", ".join(f"{k} {v:,}" for k, v in counts.most_common()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=3)
    _run(parser.parse_args())


if __name__ == "__main__":
    main()
