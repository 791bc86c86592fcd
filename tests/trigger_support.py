"""Helpers for the trigger-event tests: sources, signed requests, contacts, running queued jobs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from standardwebhooks import Webhook

from ember.db import unit_of_work
from ember.events.service import add_source
from ember.jobs.registry import get_jobs
from ember.models import Contact, NurtureMembership
from ember.settings import Settings


def make_source(engine: Engine, name: str = "website") -> str:
    with unit_of_work(engine) as session:
        return add_source(session, name).secret


def signed(secret: str, body: Any, *, msg_id: str = "msg_1",
           at: datetime | None = None) -> tuple[bytes, dict[str, str]]:
    """The body as bytes and the Standard Webhooks headers that sign it."""
    raw = json.dumps(body) if not isinstance(body, str | bytes) else body
    text = raw.decode() if isinstance(raw, bytes) else raw
    moment = at or datetime.now(UTC)
    signature = Webhook(secret).sign(msg_id, moment, text)
    return text.encode(), {"webhook-id": msg_id, "webhook-timestamp": str(int(moment.timestamp())),
                           "webhook-signature": signature, "content-type": "application/json"}


def make_contact(engine: Engine, owner_id: int, email: str, *, nurture: bool = False, first: str = "Nora",
                 last: str = "Quinn") -> int:
    with unit_of_work(engine) as session:
        contact = Contact(owner_id=owner_id, first_name=first, last_name=last, email=email, phone="+4930123456",
                          status="nurture" if nurture else "active", timezone="Europe/Berlin", country="DE")
        session.add(contact)
        session.flush()
        if nurture:
            session.add(NurtureMembership(contact_id=contact.id, reason="said-no"))
        return contact.id


def event(type_: str = "page_view", *, id_: str = "e1", email: str | None = "nora@prospect.example",
          url: str | None = "https://acme.example/pricing", source: str = "website",
          at: datetime | None = None, **extra: Any) -> dict[str, Any]:
    body = {"source": source, "type": type_, "id": id_, "occurred_at": (at or datetime.now(UTC)).isoformat(),
            **extra}
    if email is not None:
        body["email"] = email
    if url is not None:
        body["url"] = url
    return body


def drain(settings: Settings, limit: int = 1000) -> int:
    """Run every queued job in this thread, as a worker would, and wait for the batch thread that
    writes out stored tracking batches (it queues jobs of its own); how many jobs ran. Batches the
    intake stored are announced at once rather than at the end of the announcements' interval."""
    jobs = get_jobs(settings)
    jobs.batch_announcer.flush()
    ran = 0
    while ran < limit:
        task = jobs.huey.dequeue()
        if task is None:
            assert jobs.expander.wait_idle(60), "the batch thread did not write out its batches"
            task = jobs.huey.dequeue()
            if task is None:
                return ran
        jobs.huey.execute(task)
        ran += 1
    raise AssertionError("the queue did not run dry")
