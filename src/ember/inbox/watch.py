"""New mail at once: IMAP IDLE on each connected inbox, where the server supports it.

One thread per mailbox holds an IDLE command on the inbox; when the server
announces a new message, the mailbox is synced (the same exactly-once sync
the schedule runs). A server without IDLE is left to the schedule. A failure
waits a minute and tries again; the schedule keeps running meanwhile.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from sqlalchemy import Engine

from ember.db import unit_of_work
from ember.errors import EmberError
from ember.inbox import imap, repository
from ember.inbox.sync import logged_in, sync_mailbox
from ember.settings import Settings

log = logging.getLogger(__name__)
RETRY_S = 60.0


def watch_mailbox(engine: Engine, settings: Settings, mailbox_id: int, stop: threading.Event, *,
                  idle_s: float = 30.0) -> None:
    """Sync the mailbox whenever its server announces new mail, until ``stop`` is set."""
    while not stop.is_set():
        try:
            with unit_of_work(engine) as session:
                found = repository.mailbox_with_owner(session, mailbox_id)
                if found is None:
                    return  # disconnected
                mailbox = found.mailbox
                session.expunge(mailbox)
                folder = mailbox.inbox_folder
            with logged_in(engine, settings, mailbox, settings.inbox.inbox_timeout_s + idle_s) as client:
                if not imap.supports_idle(client):
                    log.info("mailbox %s: the server has no IDLE; read on the schedule only", mailbox_id)
                    return
                imap.open_folder(client, folder)
                # The server announces only mail that arrives after the folder is open: read what came
                # before (since the last read) now, or it would wait for the schedule.
                sync_mailbox(engine, settings, mailbox_id)
                while not stop.is_set():
                    if imap.wait_for_new_mail(client, idle_s):
                        sync_mailbox(engine, settings, mailbox_id)
        except (imap.MailServerError, EmberError, OSError) as exc:
            log.warning("mailbox %s: waiting for new mail failed (%s); trying again in a minute", mailbox_id, exc)
            stop.wait(RETRY_S)


@dataclass
class Watchers:
    """The IDLE threads of a worker process: one per connected mailbox, refreshed as mailboxes come and go."""

    engine: Engine
    settings: Settings
    stop: threading.Event = field(default_factory=threading.Event)
    threads: dict[int, threading.Thread] = field(default_factory=dict)

    def refresh(self) -> None:
        with unit_of_work(self.engine) as session:
            ids = repository.mailbox_ids(session)
        for mailbox_id in ids:
            thread = self.threads.get(mailbox_id)
            if thread is None or not thread.is_alive():
                thread = threading.Thread(target=watch_mailbox, name=f"ember-idle-{mailbox_id}", daemon=True,
                                          args=(self.engine, self.settings, mailbox_id, self.stop))
                thread.start()
                self.threads[mailbox_id] = thread

    def run(self) -> None:
        """Refresh every few minutes until stopped (a thread of its own in the worker)."""
        while not self.stop.is_set():
            try:
                self.refresh()
            except Exception:  # the database is away: the next round tries again
                log.exception("inbox watchers: refresh failed")
            self.stop.wait(max(self.settings.inbox.inbox_sync_minutes, 1) * 60)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="ember-idle-watchers", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads.values():
            thread.join(timeout=5)
