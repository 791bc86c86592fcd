"""Benchmark: /team on the demo data against /contacts, in one run (p50 and p95 of each, and the ratio).

    python bench/team_page.py --db demo.db [--runs 40]      # a file built by `ember demo`

Logged in as the demo manager, it alternates the two pages so both see the
same machine load, and prints each page's median and 95th percentile.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import statistics
import sys
import time

from fastapi.testclient import TestClient

from ember.app import create_app
from ember.db import make_engine
from ember.settings import Settings

MANAGER = "maya.chen@harborlight.example"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=pathlib.Path, required=True)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    engine = make_engine(f"sqlite:///{args.db}")
    settings = Settings(data_dir=args.db.parent, database_url=f"sqlite:///{args.db}",
                        secret_key="bench-secret-key-long-enough-for-sessions")
    times: dict[str, list[float]] = {"/team": [], "/contacts": []}
    with TestClient(create_app(settings, engine)) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
        assert token is not None
        client.post("/login", data={"email": MANAGER, "password": "ember-demo", "csrf": token.group(1)})
        for page in times:  # warm up: templates compiled, caches filled
            assert client.get(page).status_code == 200
        for _ in range(args.runs):
            for page, seen in times.items():
                start = time.perf_counter()
                assert client.get(page).status_code == 200
                seen.append(time.perf_counter() - start)
    for page, seen in times.items():
        p95 = statistics.quantiles(seen, n=20)[-1]
        print(f"{page:10} p50 {statistics.median(seen) * 1000:6.1f} ms · p95 {p95 * 1000:6.1f} ms")
    team, contacts = (statistics.median(times[p]) for p in ("/team", "/contacts"))
    print(f"/team takes {team / contacts:.1f}x the time of /contacts (medians, same run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
