"""Re-plan every contact at once (after a settings change), fast.

Contacts are read in id ranges; each range is planned in a worker process
from plain rows (no ORM objects), and the main process swaps the range's open
plans for the new ones in one transaction. The result per contact is the
same ``plan_next`` decision the one-contact path makes.

Where the time goes on a million contacts (SQLite, see bench/replan_db.py):
reading ten million touches and planning dominate, both in the workers. The
workers therefore hand back plan rows already in the database's storage
format, so the main process only runs the statements, while the workers
plan the next ranges.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Engine

from ember.cadence import repository
from ember.cadence.attempts import TouchFact
from ember.cadence.facts import ContactFacts
from ember.cadence.repository import ContactRow, CoreReader, DealRow, RangeRows, SQLiteReader, connect_sqlite
from ember.cadence.rules import Plan, deal_in_play
from ember.cadence.service import build_contact_facts, decide, plan_kind
from ember.db import make_engine, unit_of_work
from ember.messages import repository as message_repository
from ember.messages.rules import Exhausted, VariantLibrary
from ember.messages.service import TeamLibraries, load_library
from ember.models.base import scope_of
from ember.settings.cadence import CadenceSettings, TeamCadence
from ember.vocabulary import CLOSED_STAGES, PlannedTouchStatus

# Ranges small enough that the last one (planned while the other worker idles)
# is short, large enough that per-range costs (queries, a commit) stay small.
CHUNK = 10_000
_CLOSED = frozenset(stage.value for stage in CLOSED_STAGES)
_PLANNED = PlannedTouchStatus.PLANNED.value
_NO_TOUCHES: list[TouchFact] = []


@dataclass(frozen=True)
class ChunkResult:
    low: int
    high: int
    plans: list[tuple[Any, ...]]  # repository.PLAN_COLUMNS, values in the database's storage format
    statuses: list[tuple[int, str]]  # (contact id, new status) where the plan changes it


class _Reader(Protocol):
    def read(self, low: int, high: int) -> RangeRows: ...


@dataclass(frozen=True)
class _Reference:
    """What planning reads besides the contacts, by the owner (user id) whose team it belongs to."""

    libraries: dict[int, VariantLibrary]  # the owner's team's message library
    custom: dict[int, dict[str, bool]]  # team outcome -> counts as conversation
    teams: dict[int, int | None]  # user id -> team id: whose settings plan the user's contacts
    variant_ids: dict[int, dict[str, int]]  # the owner's team's {key: variant row id}
    shared: VariantLibrary  # for an owner the database no longer has
    shared_ids: dict[str, int]

    def library(self, owner: int) -> VariantLibrary:
        return self.libraries.get(owner, self.shared)

    def ids(self, owner: int) -> dict[str, int]:
        return self.variant_ids.get(owner, self.shared_ids)


@dataclass
class _WorkerState:
    url: str
    pid: int
    reader: _Reader
    ref: _Reference
    sqlite: bool
    cadence: TeamCadence | None = None
    # Many contacts share the same planning facts (zone, country, channels):
    # ContactFacts is immutable, so one object serves them all.
    facts: dict[tuple[Any, ...], ContactFacts] = field(default_factory=dict)


_worker: dict[str, _WorkerState] = {}


def _load_reference_data(engine: Engine) -> _Reference:
    with unit_of_work(engine) as session:
        libraries = TeamLibraries()
        custom: dict[int, dict[str, bool]] = {}
        teams = repository.user_teams(session)
        outcomes = repository.team_outcomes(session)
        for user_id, team_id in teams.items():
            custom[user_id] = {o.name: o.counts_as_conversation for o in outcomes if o.team_id in (None, team_id)}
        by_scope = message_repository.ids_by_team_and_key(session)
        shared_ids = by_scope.get(scope_of(None), {})
        # A team's own rows stand in for the shared ones under the same key.
        ids = {user_id: {**shared_ids, **by_scope.get(scope_of(team_id), {})} if team_id is not None else shared_ids
               for user_id, team_id in teams.items()}
        return _Reference({user_id: libraries.of_team(session, team_id) for user_id, team_id in teams.items()},
                          custom, teams, ids, libraries.of_team(session, None), shared_ids)


def _worker_state(url: str) -> _WorkerState:
    """Per process: one reader, the library and the team outcomes, read once.

    Keyed by pid too: a forked worker must not reuse its parent's connections.
    """
    state = _worker.get("state")
    if state is None or state.url != url or state.pid != os.getpid():
        engine = make_engine(url)
        ref = _load_reference_data(engine)
        sqlite = engine.dialect.name == "sqlite"
        reader: _Reader = SQLiteReader(connect_sqlite(engine.url.database or "")) if sqlite else CoreReader(engine)
        state = _WorkerState(url, os.getpid(), reader, ref, sqlite)
        _worker["state"] = state
    return state


def plan_range(url: str, low: int, high: int, cadence: TeamCadence, now: datetime) -> ChunkResult:
    state = _worker_state(url)
    # Each range arrives with its own unpickled settings; keep the first equal one,
    # so timing's per-settings tables (and their day cache) survive across ranges.
    if state.cadence != cadence:
        state.cadence = cadence
    return plan_rows(state.reader.read(low, high), low, high, state, state.cadence or cadence, now)


def _contact_facts(state: _WorkerState, contact: ContactRow, deal: DealRow | None,
                   alert: tuple[datetime, str] | None) -> ContactFacts:
    _, _, ctz, country, preferred, status, phone, email, linkedin, no_calls, no_email, atz, acountry = contact
    source, referred = (deal[1], deal[2]) if deal else (None, None)
    trigger_at, summary = alert if alert else (None, None)
    key = (ctz or atz or "UTC", country or acountry, preferred, status, bool(phone), bool(email), bool(linkedin),
           bool(no_calls), bool(no_email), source, referred, trigger_at, summary)
    facts = state.facts.get(key)
    if facts is None:
        if len(state.facts) > 100_000:  # alerts make keys unique: keep the cache bounded
            state.facts.clear()
        facts = state.facts[key] = build_contact_facts(
            timezone=key[0], country=key[1], preferred_channel=preferred, status=status, phone=phone, email=email,
            linkedin_url=linkedin, deal_source=source, referred_by_name=referred, trigger_at=trigger_at,
            trigger_summary=summary, do_not_call=key[7], do_not_email=key[8])
    return facts


def plan_rows(rows: RangeRows, low: int, high: int, state: _WorkerState, cadence: TeamCadence,
              now: datetime) -> ChunkResult:
    """Plan every contact of a range read by a reader; plan rows come out ready to insert."""
    store = _sqlite_text if state.sqlite else _aware
    created = store(now)
    plans: list[tuple[Any, ...]] = []
    statuses: list[tuple[int, str]] = []
    open_deals = {deal_id for deal_id, deal in rows.deals.items() if deal[0] not in _CLOSED}
    for contact in rows.contacts:
        cid, owner, status = contact[0], contact[1], contact[5]
        history = rows.touches.get(cid, _NO_TOUCHES)
        deal_id = deal_in_play(history, open_deals)
        deal = rows.deals[deal_id] if deal_id is not None else None
        facts = _contact_facts(state, contact, deal, rows.alerts.get(cid))
        decision = decide(
            history, facts, now=now, settings=cadence.of(state.ref.teams.get(owner)),
            received={t.variant_key for t in history if t.variant_key}, library=state.ref.library(owner),
            deal_id=deal_id, deal_stage=deal[0] if deal else None, custom_outcomes=state.ref.custom.get(owner),
            presorted=True)
        if decision.contact_status.value != status:
            statuses.append((cid, decision.contact_status.value))
        plan = decision.plan
        if plan is not None:
            plans.append((cid, deal_id, owner, plan_kind(plan), plan.channel.value, store(plan.at), plan.label.text,
                          plan.purpose, state.ref.ids(owner).get(plan.variant_key or ""), _stored_reason(plan),
                          _PLANNED, created))
    return ChunkResult(low, high, plans, statuses)


def _stored_reason(plan: Plan) -> str:
    # What service._store writes: an exhausted library says so in the reason.
    if isinstance(plan.variant, Exhausted):
        return f"{plan.reason} {plan.variant.message}".strip()
    return plan.reason


def _sqlite_text(moment: datetime) -> str:
    """The text UTCDateTime stores on SQLite: naive UTC with microseconds."""
    return moment.astimezone(UTC).isoformat(" ", "microseconds")[:26]  # drop the "+00:00"


def _aware(moment: datetime) -> datetime:
    return moment


def _ranges(engine: Engine, chunk: int) -> Iterator[tuple[int, int]]:
    ids = repository.contact_id_range(engine)
    if ids is None:
        return
    for start in range(ids.low, ids.high + 1, chunk):
        yield start, start + chunk


def replan_all(engine: Engine, settings: TeamCadence | CadenceSettings, *, workers: int | None = None,
               chunk: int = CHUNK, now: datetime | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Re-plan every contact, each with its owner's team settings (one CadenceSettings: the same for
    everyone); returns how many plans were written."""
    cadence = settings if isinstance(settings, TeamCadence) else TeamCadence(settings)
    now = now or datetime.now(UTC)
    url = engine.url.render_as_string(hide_password=False)
    with unit_of_work(engine) as session:
        load_library(session, team_id=None)  # seeds the defaults once, before workers read them
    written = 0
    workers = workers or os.cpu_count() or 1
    with ProcessPoolExecutor(max_workers=workers) as pool, engine.connect() as conn:
        old_pragmas = repository.tune_for_writes(conn)
        conn.commit()  # PRAGMA reads open SQLAlchemy's implicit transaction
        try:
            pending: deque[Future[ChunkResult]] = deque()
            for low, high in _ranges(engine, chunk):
                pending.append(pool.submit(plan_range, url, low, high, cadence, now))
                # A few ranges in flight, not all: memory stays bounded on a million
                # contacts, and the workers plan ahead while this process writes.
                if len(pending) > 2 * workers:
                    written += _finish(conn, pending.popleft(), progress)
            while pending:
                written += _finish(conn, pending.popleft(), progress)
        finally:
            repository.set_pragmas(conn, old_pragmas)
            conn.commit()
    return written


def _finish(conn: Connection, future: Future[ChunkResult], progress: Callable[[int], None] | None) -> int:
    result = future.result()
    repository.swap_plans(conn, result.low, result.high, result.plans, result.statuses)
    if progress:
        progress(result.high - result.low)
    return len(result.plans)
