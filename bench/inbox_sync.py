"""Speed of inbox sync against a plain imapclient fetch of the same headers, in one run.

    python bench/inbox_sync.py [--messages 100000] [--contacts 500] [--replies 0.01] [--rounds 3]

A real dovecot (Debian's dovecot-imapd, run unprivileged from a generated
config) serves one mailbox of ``--messages`` messages, written straight into
its maildir; a share ``--replies`` of them come from Ember contacts (replies
that Ember reads in full and acts on), the rest from strangers. Timed on the
same mailbox after the server has indexed it:

* baseline: imapclient logs in, lists every UID and fetches the same header
  fields Ember asks for, in batches of the same size;
* Ember: ``sync_mailbox`` on a fresh mailbox (SQLite database in a temporary
  folder): headers, matching, the bodies of contacts' messages, the rules, the
  touches and plans, and the resumable cursor.

The two alternate, ``--rounds`` times, the baseline first in odd rounds and Ember first in even
ones, so that the load of other programs on a shared machine weighs on both sides alike. Each
round gives a ratio of rates (wall clock); the median is the result. The CPU time of this process
on each side is shown too (the server's is not in it), which the load disturbs less.

The target: Ember's rate at least 0.5x the baseline's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from imapclient import IMAPClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.inbox.imap_server import dovecot

from ember.db import make_engine, unit_of_work
from ember.inbox import imap, secrets, service
from ember.inbox.sync import sync_mailbox
from ember.migrate import upgrade
from ember.models import Account, Contact, User
from ember.settings import Settings
from ember.users.access import Actor
from ember.users.service import add_user

USER, PASSWORD = "rep@acme.example", "bench-password"


def _write_maildir(root: Path, count: int, contacts: int, reply_share: float) -> None:
    folder = root / "mail" / USER / "cur"
    folder.mkdir(parents=True, exist_ok=True)
    for sub in ("new", "tmp"):
        (folder.parent / sub).mkdir(exist_ok=True)
    every = max(1, round(1 / reply_share)) if reply_share > 0 else 0
    start = datetime.now(UTC) - timedelta(days=5)
    for n in range(count):
        when = format_datetime(start + timedelta(seconds=n * 4))
        if every and n % every == 0:
            # Contacts' messages take turns over every contact (n itself would reach only a few of them,
            # piling a long touch history on each).
            buyer = (n // every) % contacts
            sender, subject, body = f"buyer{buyer}@customer{buyer}.example", "Re: our call", \
                "Thanks, Thursday works for us.\n\nOn Mon, Dana wrote:\n> Hi"
        else:
            sender, subject, body = f"news{n % 997}@vendor{n % 89}.example", f"Weekly digest {n}", "Read more."
        text = (f"From: {sender}\r\nTo: {USER}\r\nSubject: {subject}\r\nDate: {when}\r\n"
                f"Message-ID: <m{n}@bench.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n")
        (folder / f"{1700000000 + n}.M{n}P1.bench:2,S").write_text(text)


@dataclass(frozen=True)
class Timed:
    wall_s: float
    cpu_s: float  # of this process, every thread
    messages: int


def _baseline(server, batch: int) -> Timed:  # type: ignore[no-untyped-def]
    started, cpu = time.perf_counter(), time.process_time()
    with IMAPClient(server.host, port=server.port, ssl=True, ssl_context=server.ssl_context()) as client:
        client.login(USER, PASSWORD)
        client.select_folder("INBOX", readonly=True)
        uids = client.search(["ALL"])
        fetched = 0
        for begin in range(0, len(uids), batch):
            fetched += len(client.fetch(uids[begin:begin + batch], [imap.HEADER_ITEM, b"INTERNALDATE"]))
    return Timed(time.perf_counter() - started, time.process_time() - cpu, fetched)


def _ember(server, folder: Path, contacts: int, batch: int) -> tuple[Timed, int]:  # type: ignore[no-untyped-def]
    """Ember's first sync of the mailbox into a new database in ``folder``; its time, and how many
    messages concerned a contact."""
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.new_key()
    settings = Settings(data_dir=folder, database_url=f"sqlite:///{folder / 'ember.db'}", inbox_key=key,
                        inbox_ca_file=str(server.ca_file), inbox_backfill_days=3650, inbox_batch=batch)
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    with unit_of_work(engine) as session:
        user = add_user(session, email=USER, name="Dana", role="rep", team=None, password=None, timezone="UTC")
        account = Account(name="Customers", owner_id=user.id)
        session.add(account)
        session.flush()
        session.add_all([Contact(owner_id=user.id, account_id=account.id, first_name="Buyer", last_name=str(i),
                                 email=f"buyer{i}@customer{i}.example", timezone="UTC") for i in range(contacts)])
        session.flush()
        service.connect_mailbox(session, Actor.of(session.get(User, user.id)), host=server.host,  # type: ignore[arg-type]
                                port=server.port, username=USER, secret=PASSWORD, key=key,
                                ca_file=str(server.ca_file))
        mailbox_id = service.mailbox_id_of(session, Actor.of(session.get(User, user.id)))  # type: ignore[arg-type]
    started, cpu = time.perf_counter(), time.process_time()
    report = sync_mailbox(engine, settings, mailbox_id)
    timed = Timed(time.perf_counter() - started, time.process_time() - cpu, report.read)
    engine.dispose()
    if report.error:
        sys.exit(f"sync failed: {report.error}")
    return timed, report.matched


def _rate(timed: Timed, clock: str) -> float:
    return timed.messages / (timed.wall_s if clock == "wall" else timed.cpu_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=500)
    parser.add_argument("--replies", type=float, default=0.01, help="share of messages from contacts")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of the baseline and Ember")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="ember-dovecot-"))
    os.chmod(root, 0o755)
    work = Path(tempfile.mkdtemp(prefix="ember-bench-"))
    rounds: list[tuple[Timed, Timed]] = []
    try:
        _write_maildir(root, args.messages, args.contacts, args.replies)
        with dovecot(root, {USER: PASSWORD}) as server:
            _baseline(server, args.batch)  # the server indexes the new maildir once, untimed
            print(f"mailbox of {args.messages:,} messages; load average {os.getloadavg()[0]:.1f} at the start")
            for number in range(1, max(args.rounds, 1) + 1):
                folder = work / f"round-{number}"
                if number % 2:
                    plain = _baseline(server, args.batch)
                    ember, matched = _ember(server, folder, args.contacts, args.batch)
                else:
                    ember, matched = _ember(server, folder, args.contacts, args.batch)
                    plain = _baseline(server, args.batch)
                rounds.append((plain, ember))
                print(f"  round {number}: plain {plain.wall_s:6.2f} s (CPU {plain.cpu_s:5.2f} s), "
                      f"ember {ember.wall_s:6.2f} s (CPU {ember.cpu_s:5.2f} s), {matched:,} from contacts: "
                      f"{_rate(ember, 'wall') / _rate(plain, 'wall'):.2f}x; load {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    for clock in ("wall", "cpu"):
        ratios = sorted(_rate(ember, clock) / _rate(plain, clock) for plain, ember in rounds)
        print(f"  rate ratio ember/plain, {clock + ' clock' if clock == 'wall' else 'CPU time of the process'}: "
              f"median {statistics.median(ratios):.2f}x of {', '.join(f'{r:.2f}' for r in ratios)}"
              f"{'  (target: at least 0.5x)' if clock == 'wall' else ''}")


if __name__ == "__main__":
    main()
