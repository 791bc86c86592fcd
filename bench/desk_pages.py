"""Desk page speed: p50/p95 server time of every /settings page for the demo manager, in one run.

    .venv/bin/python bench/desk_pages.py [--runs 40]

Builds the demo data in a temporary directory (about a minute), logs the
manager in, and asks for each page through the whole app in this process.
Each page's median is printed as a ratio to the contacts list's, measured in
the same run (absolute times on a shared machine are noise). Goal: p95 under
100 ms on the demo data.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from fastapi.testclient import TestClient
from pages import PASSWORD, _log_in, _measure, _p95, _rep  # bench/pages.py, beside this file

from ember.app import create_app
from ember.db import make_engine
from ember.migrate import upgrade
from ember.settings import Settings

MANAGER = "maya.chen@harborlight.example"
PAGES = ["/contacts", "/settings", "/settings/users", "/settings/teams", "/settings/alerts", "/settings/rules",
         "/settings/messages", "/settings/templates", "/settings/stories", "/settings/cadence", "/settings/analysis",
         "/settings/smtp", "/settings/import"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ember-bench-desk-"))
    path = workdir / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    from ember.demo.generator import generate

    print(f"demo data built in {generate(engine, contacts=800, seed=7).seconds:.1f} s")
    manager = _rep(engine, MANAGER, 0)  # sets the bench password
    settings = Settings(data_dir=workdir, secret_key="bench-desk-secret-key-long-enough-to-sign",
                        database_url=f"sqlite:///{path}")
    assert PASSWORD
    with TestClient(create_app(settings, engine)) as client:
        _log_in(client, manager.email)
        results = {page: _measure(client, page, args.runs) for page in PAGES}
    base = statistics.median(results["/contacts"])
    print(f"{'page':<24} {'p50 ms':>8} {'p95 ms':>8} {'p50 vs /contacts':>17}")
    for page, times in results.items():
        p50 = statistics.median(times)
        print(f"{page:<24} {p50:>8.1f} {_p95(times):>8.1f} {p50 / base:>16.2f}x")


if __name__ == "__main__":
    main()
