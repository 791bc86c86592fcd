"""Import 100,000 contacts from a HubSpot-style CSV into SQLite.

Reports seconds and peak memory of `import_csv` (encoding check, validation,
owner checks, matching by external id, email and phone, account matching,
batched upserts) and the ratio to a baseline measured in the same run: a
SQLAlchemy Core executemany insert of the same rows, already parsed. Each side
runs in its own process on a fresh migrated database, so peak memory is that
process's own. Both wall-clock and CPU seconds are given: on a shared machine
the CPU ratio is the steadier of the two. Goal: at most 3x; peak memory under
300 MB, also at --rows 1000000.

    .venv/bin/python bench/import_contacts.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COUNTRIES = ["Germany", "United States", "FR", "GB", "Netherlands", "AU", "Canada", "India", "SG", "Brazil"]
TITLES = ["Head of Operations", "CFO", "Analyst", "VP Sales", "IT Manager", "Procurement Lead", "CTO"]
HEADER = ["First Name", "Last Name", "Email", "Phone Number", "Job Title", "Company Name", "Country/Region",
          "City", "Contact owner", "Lifecycle Stage", "Record ID"]


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(7)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for index in range(rows):
            company = f"Company {index // 40}"
            writer.writerow([f"First{index}", f"Last{index}", f"person{index}@company{index // 40}.example",
                             f"+1 555 {index:07d}", rng.choice(TITLES), company, rng.choice(COUNTRIES), "City",
                             "rep@bench.example", "lead", str(100000 + index)])


def _fresh_db(folder: Path):  # type: ignore[no-untyped-def]
    from ember.db import make_engine, unit_of_work
    from ember.migrate import upgrade
    from ember.users.service import add_user

    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    upgrade(engine)
    with unit_of_work(engine) as session:
        add_user(session, email="rep@bench.example", name="Bench Rep", role="admin")
    return engine


def run_ember(csv_path: Path, folder: Path) -> tuple[float, float]:
    from ember.db import unit_of_work
    from ember.imports.service import import_csv
    from ember.users.access import Actor
    from ember.users.repository import user_by_email

    engine = _fresh_db(folder)
    start, cpu = time.perf_counter(), time.process_time()
    with unit_of_work(engine) as session:
        user = user_by_email(session, "rep@bench.example")
        assert user is not None
        report = import_csv(session, Actor.of(user), "contacts", csv_path)
    elapsed = time.perf_counter() - start, time.process_time() - cpu
    assert report.created > 0 and report.rejected == 0
    return elapsed


def run_baseline(csv_path: Path, folder: Path) -> tuple[float, float]:
    """Rows parsed up front (not timed); then one Core executemany insert (timed)."""
    from sqlalchemy import insert

    from ember.models import Contact

    engine = _fresh_db(folder)
    with csv_path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [{"first_name": r["First Name"], "last_name": r["Last Name"], "email": r["Email"],
                 "phone": r["Phone Number"], "title": r["Job Title"], "owner_id": 1, "status": "active",
                 "decision_role": "unknown", "external_id": r["Record ID"]} for r in reader]
    start, cpu = time.perf_counter(), time.process_time()
    with engine.begin() as conn:
        conn.execute(insert(Contact), rows)
    return time.perf_counter() - start, time.process_time() - cpu


def child(mode: str, csv_path: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        seconds, cpu = (run_ember if mode == "ember" else run_baseline)(csv_path, Path(folder))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb}))


def measure(mode: str, csv_path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--csv", str(csv_path)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", choices=["ember", "baseline"])
    parser.add_argument("--csv", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.csv)
        return
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "hubspot_contacts.csv"
        write_csv(csv_path, args.rows)
        baseline = measure("baseline", csv_path)
        ember = measure("ember", csv_path)
    ratio, cpu_ratio = ember["seconds"] / baseline["seconds"], ember["cpu"] / baseline["cpu"]
    print(f"rows: {args.rows:,}")
    print(f"baseline (Core executemany, pre-parsed): {baseline['seconds']:.2f} s ({baseline['cpu']:.2f} s CPU), "
          f"peak {baseline['peak_mb']:.0f} MB")
    print(f"ember import_csv (validate + upsert):     {ember['seconds']:.2f} s ({ember['cpu']:.2f} s CPU), "
          f"peak {ember['peak_mb']:.0f} MB")
    print(f"ratio: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU (goal <= 3x); peak memory goal < 300 MB: "
          f"{'met' if ember['peak_mb'] < 300 else 'NOT met'}")


if __name__ == "__main__":
    main()
