"""Benchmark: build a large demo data set into a fresh SQLite file.

    python bench/generate.py --contacts 100000 --out bench-demo.db

Prints rows, seconds, rows per second, peak memory and the database size.
The large target shape is 1,000,000 contacts with 10,000,000 touches
(``--contacts 1000000``; ten touches a contact is this script's default).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from ember.db import make_engine
from ember.demo.generator import generate
from ember.migrate import upgrade


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--touches-per-contact", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True, help="SQLite file to create")
    args = parser.parse_args()
    if args.out.exists():
        parser.error(f"{args.out} exists; give a new file")
    engine = make_engine(f"sqlite:///{args.out}")
    upgrade(engine)
    last = [time.perf_counter()]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 30 or done == total:
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"  {done:>10,} / {total:,} contacts  peak {rss:,.0f} MB", flush=True)
            last[0] = now

    summary = generate(engine, contacts=args.contacts, seed=args.seed,
                       touches_per_contact=args.touches_per_contact, progress=progress)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    rows = sum(summary.counts.values())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"contacts {summary.counts['contacts']:,}  touches {summary.counts['touches']:,}  "
          f"rows {rows:,}")
    print(f"seconds {summary.seconds:,.1f}  rows/s {rows / summary.seconds:,.0f}  "
          f"touches/s {summary.counts['touches'] / summary.seconds:,.0f}")
    print(f"peak memory {peak:,.0f} MB  database {args.out.stat().st_size / 1e9:.2f} GB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
