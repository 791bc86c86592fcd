"""Background work of inbox sync: read every connected mailbox."""

from __future__ import annotations

from sqlalchemy import Engine

from ember.db import unit_of_work
from ember.inbox.service import all_mailbox_ids
from ember.inbox.sync import sync_mailbox
from ember.settings import Settings


def sync_inboxes_once(engine: Engine, settings: Settings) -> dict[str, int]:
    """Read every connected mailbox; one failing server shows on its own mailbox, not on the others."""
    with unit_of_work(engine) as session:
        ids = all_mailbox_ids(session)
    counts = {"mailboxes": len(ids), "matched": 0, "failed": 0}
    for mailbox_id in ids:
        report = sync_mailbox(engine, settings, mailbox_id)
        counts["matched"] += report.matched
        counts["failed"] += report.error is not None
    return counts
