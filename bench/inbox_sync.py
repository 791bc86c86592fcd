"""Speed of inbox sync against a plain imapclient fetch of the same headers, in one run.

    python bench/inbox_sync.py [--messages 100000] [--contacts 500] [--replies 0.01]

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

The issue's target: Ember's rate at least 0.5x the baseline's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
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
            sender, subject, body = f"buyer{n % contacts}@customer{n % contacts}.example", "Re: our call", \
                "Thanks, Thursday works for us.\n\nOn Mon, Dana wrote:\n> Hi"
        else:
            sender, subject, body = f"news{n % 997}@vendor{n % 89}.example", f"Weekly digest {n}", "Read more."
        text = (f"From: {sender}\r\nTo: {USER}\r\nSubject: {subject}\r\nDate: {when}\r\n"
                f"Message-ID: <m{n}@bench.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n")
        (folder / f"{1700000000 + n}.M{n}P1.bench:2,S").write_text(text)


def _baseline(server, batch: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    with IMAPClient(server.host, port=server.port, ssl=True, ssl_context=server.ssl_context()) as client:
        client.login(USER, PASSWORD)
        client.select_folder("INBOX", readonly=True)
        uids = client.search(["ALL"])
        fetched = 0
        for begin in range(0, len(uids), batch):
            fetched += len(client.fetch(uids[begin:begin + batch], [imap.HEADER_ITEM, b"INTERNALDATE"]))
    return time.perf_counter() - started, fetched


def _ember(server, folder: Path, contacts: int, batch: int) -> tuple[float, int, int]:  # type: ignore[no-untyped-def]
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
    started = time.perf_counter()
    report = sync_mailbox(engine, settings, mailbox_id)
    elapsed = time.perf_counter() - started
    if report.error:
        sys.exit(f"sync failed: {report.error}")
    return elapsed, report.read, report.matched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=500)
    parser.add_argument("--replies", type=float, default=0.01, help="share of messages from contacts")
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="ember-dovecot-"))
    os.chmod(root, 0o755)
    work = Path(tempfile.mkdtemp(prefix="ember-bench-"))
    try:
        _write_maildir(root, args.messages, args.contacts, args.replies)
        with dovecot(root, {USER: PASSWORD}) as server:
            _baseline(server, args.batch)  # the server indexes the new maildir once, untimed
            plain_s, plain_n = _baseline(server, args.batch)
            ember_s, ember_n, matched = _ember(server, work, args.contacts, args.batch)
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    plain_rate, ember_rate = plain_n / plain_s, ember_n / ember_s
    print(f"mailbox of {args.messages:,} messages, {matched:,} from contacts (read in full and acted on)")
    print(f"  plain imapclient header fetch: {plain_s:7.2f} s  {plain_rate:9,.0f} messages/s")
    print(f"  ember inbox sync:              {ember_s:7.2f} s  {ember_rate:9,.0f} messages/s")
    print(f"  rate ratio ember/plain:        {ember_rate / plain_rate:7.2f}x  (target: at least 0.5x)")


if __name__ == "__main__":
    main()
