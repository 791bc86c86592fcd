"""Re-plan every contact at once (after a settings change), fast.

Contacts are read in id ranges; each range is planned in a worker process
from plain rows (no ORM objects), and the main process swaps the range's open
plans for the new ones in one transaction. The result per contact is the
same ``plan_next`` decision the one-contact path makes.
"""

from __future__ import annotations

import os
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from ember.cadence.rules import plan_next
from ember.cadence.service import QUALIFYING_STAGES, build_contact_facts, plan_kind
from ember.cadence.settings import CadenceSettings
from ember.db import make_engine, unit_of_work
from ember.messages.rules import VariantLibrary
from ember.messages.service import load_library
from ember.models import Account, Alert, Contact, Deal, MessageVariant, PlannedTouch, Touch, TouchOutcome, User
from ember.touches.rules import TouchFact
from ember.vocabulary import CLOSED_STAGES, PlannedTouchStatus

CHUNK = 20_000
REPLANNED_KINDS = ("ftc", "follow_up", "callback", "trigger")


@dataclass(frozen=True)
class ChunkResult:
    low: int
    high: int
    plans: list[dict[str, Any]]
    statuses: dict[int, str]  # contacts whose status the plan changes


_worker: dict[str, Any] = {}


def _worker_state(url: str) -> tuple[Engine, VariantLibrary, dict[int, dict[str, bool]]]:
    """Per process: one engine, the library and the team outcomes, read once."""
    if _worker.get("url") != url:
        engine = make_engine(url)
        with unit_of_work(engine) as session:
            library = load_library(session)
            custom: dict[int, dict[str, bool]] = defaultdict(dict)
            teams = dict(session.execute(select(User.id, User.team_id)).all())
            outcomes = session.execute(select(TouchOutcome.team_id, TouchOutcome.name,
                                              TouchOutcome.counts_as_conversation)).all()
            for user_id, team_id in teams.items():
                for outcome_team, name, counts in outcomes:
                    if outcome_team in (None, team_id):
                        custom[user_id][name] = counts
        _worker.update(url=url, engine=engine, library=library, custom=custom)
    return _worker["engine"], _worker["library"], _worker["custom"]


def _read(engine: Engine, low: int, high: int) -> tuple[Any, dict[int, list[TouchFact]], dict[int, Any],
                                                          dict[int, Any]]:
    with engine.connect() as conn:
        contacts = conn.execute(
            select(Contact.id, Contact.owner_id, Contact.timezone, Contact.country, Contact.preferred_channel,
                   Contact.status, Contact.phone, Contact.email, Contact.linkedin_url, Account.timezone,
                   Account.country)
            .outerjoin(Account, Account.id == Contact.account_id)
            .where(Contact.id >= low, Contact.id < high)
        ).all()
        touches: dict[int, list[TouchFact]] = defaultdict(list)
        rows = conn.execute(
            select(Touch.contact_id, Touch.id, Touch.occurred_at, Touch.outcome, Touch.channel, Touch.deal_id,
                   MessageVariant.key, Touch.callback_at)
            .outerjoin(MessageVariant, MessageVariant.id == Touch.message_variant_id)
            .where(Touch.contact_id >= low, Touch.contact_id < high)
        )
        for contact_id, touch_id, occurred_at, outcome, channel, deal_id, key, callback_at in rows:
            touches[contact_id].append(TouchFact(touch_id, occurred_at, outcome, channel, deal_id, key, callback_at))
        deal_ids = {t.deal_id for facts in touches.values() for t in facts if t.deal_id}
        deals = {row[0]: row for row in conn.execute(
            select(Deal.id, Deal.stage, Deal.source, Deal.referred_by_name).where(Deal.id.in_(deal_ids)))}
        alerts = {row[0]: row for row in conn.execute(
            select(Alert.contact_id, Alert.created_at, Alert.summary)
            .where(Alert.contact_id >= low, Alert.contact_id < high).order_by(Alert.created_at))}
    return contacts, touches, deals, alerts


def plan_range(url: str, low: int, high: int, settings: CadenceSettings, now: datetime) -> ChunkResult:
    engine, library, custom = _worker_state(url)
    contacts, touches, deals, alerts = _read(engine, low, high)
    plans: list[dict[str, Any]] = []
    statuses: dict[int, str] = {}
    for cid, owner, ctz, country, preferred, status, phone, email, linkedin, atz, acountry in contacts:
        history = touches.get(cid, [])
        deal_id = next((t.deal_id for t in sorted(history, key=lambda t: t.occurred_at, reverse=True)
                        if t.deal_id and deals.get(t.deal_id) and deals[t.deal_id][1] not in CLOSED_STAGES), None)
        deal = deals.get(deal_id) if deal_id else None
        alert = alerts.get(cid)
        facts = build_contact_facts(
            timezone=ctz or atz or "UTC", country=country or acountry, preferred_channel=preferred, status=status,
            phone=phone, email=email, linkedin_url=linkedin, deal_source=deal[2] if deal else None,
            referred_by_name=deal[3] if deal else None, trigger_at=alert[1] if alert else None,
            trigger_summary=alert[2] if alert else None)
        decision = plan_next(history, facts, now, settings, {t.variant_key for t in history if t.variant_key},
                             library, deal_id=deal_id, qualifying=deal is None or deal[1] in QUALIFYING_STAGES,
                             custom_outcomes=custom.get(owner))
        if decision.contact_status.value != status:
            statuses[cid] = decision.contact_status.value
        plan = decision.plan
        if plan is not None:
            plans.append({"contact_id": cid, "deal_id": deal_id, "rep_id": owner, "kind": plan_kind(plan),
                          "channel": plan.channel.value, "due_at": plan.at, "label": plan.label.text,
                          "purpose": plan.purpose, "variant_key": plan.variant_key, "reason": plan.reason})
    return ChunkResult(low, high, plans, statuses)


def _ranges(engine: Engine, chunk: int) -> Iterator[tuple[int, int]]:
    with engine.connect() as conn:
        low, high = conn.execute(select(func.min(Contact.id), func.max(Contact.id))).one()
    if low is None:
        return
    for start in range(low, high + 1, chunk):
        yield start, start + chunk


def _write(engine: Engine, result: ChunkResult, variant_ids: dict[str, int], now: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(update(PlannedTouch).where(
            PlannedTouch.contact_id >= result.low, PlannedTouch.contact_id < result.high,
            PlannedTouch.status == PlannedTouchStatus.PLANNED.value, PlannedTouch.kind.in_(REPLANNED_KINDS),
        ).values(status=PlannedTouchStatus.CANCELLED.value))
        rows = [{**{k: v for k, v in plan.items() if k != "variant_key"},
                 "message_variant_id": variant_ids.get(plan["variant_key"] or ""),
                 "status": PlannedTouchStatus.PLANNED.value, "created_at": now, "caused_by_touch_id": None}
                for plan in result.plans]
        if rows:
            conn.execute(insert(PlannedTouch), rows)
        for contact_id, status in result.statuses.items():
            conn.execute(update(Contact).where(Contact.id == contact_id).values(status=status))


def replan_all(engine: Engine, settings: CadenceSettings, *, workers: int | None = None, chunk: int = CHUNK,
               now: datetime | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Re-plan every contact; returns how many plans were written."""
    now = now or datetime.now(UTC)
    url = engine.url.render_as_string(hide_password=False)
    with unit_of_work(engine) as session:
        load_library(session)  # seeds the defaults once, before workers read them
        variant_ids = dict(session.execute(select(MessageVariant.key, MessageVariant.id)).all())
    written = 0
    workers = workers or os.cpu_count() or 1
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[ChunkResult]] = deque()
        for low, high in _ranges(engine, chunk):
            pending.append(pool.submit(plan_range, url, low, high, settings, now))
            # Keep a few ranges in flight, not all: memory stays bounded on a million contacts.
            if len(pending) > 2 * workers:
                written += _finish(engine, pending.popleft(), variant_ids, now, progress)
        while pending:
            written += _finish(engine, pending.popleft(), variant_ids, now, progress)
    return written


def _finish(engine: Engine, future: Future[ChunkResult], variant_ids: dict[str, int], now: datetime,
            progress: Callable[[int], None] | None) -> int:
    result = future.result()
    _write(engine, result, variant_ids, now)
    if progress:
        progress(result.high - result.low)
    return len(result.plans)
