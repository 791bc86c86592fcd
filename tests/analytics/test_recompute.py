"""Every figure of the team numbers, recomputed naively from the raw rows of a generated data set.

The second implementation below reads every touch, deal and call and works
from first principles (it labels attempts itself instead of trusting the
stored labels), so a wrong query, a wrong join or a wrong period filter in
the real one shows up as a difference.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ember.analytics.metrics import BEHAVIOURS
from ember.analytics.service import TeamNumbers, resolve_view, team_numbers, team_options
from ember.contacts.schemas import ContactFields
from ember.contacts.service import update_contact
from ember.db import unit_of_work
from ember.deals.schemas import DealCreate, DealFields
from ember.deals.service import change_stage, create_deal, delete_deal, update_deal
from ember.demo.generator import generate
from ember.dialer.service import mark_gatekeeper
from ember.models import (
    Alert,
    Call,
    Contact,
    Deal,
    DealStakeholder,
    NextStep,
    NurtureMembership,
    PlannedTouch,
    Touch,
    User,
)
from ember.settings import Settings
from ember.settings.cadence import CadenceSettings
from ember.tallies.service import refresh
from ember.touches.service import delete_touch, log_touch
from ember.users.access import Actor
from ember.vocabulary import CONVERSATION_OUTCOMES

pytestmark = pytest.mark.db
NOW = datetime(2026, 3, 11, 15, 30, tzinfo=UTC)
TALKED = {str(o) for o in CONVERSATION_OUTCOMES}
ADMIN = "admin@harborlight.example"


@pytest.fixture
def data(engine: Engine) -> Engine:
    generate(engine, contacts=260, seed=23, now=NOW)
    return engine


def _raw(session: Session) -> dict[str, list[Any]]:
    return {
        "touches": list(session.execute(select(Touch.id, Touch.contact_id, Touch.deal_id, Touch.rep_id,
                                               Touch.channel, Touch.outcome, Touch.occurred_at))),
        "deals": list(session.execute(select(Deal.id, Deal.owner_id, Deal.outcome, Deal.created_at,
                                             Deal.closed_at, Deal.stalled_at))),
        "contacts": {r[0]: r for r in session.execute(select(Contact.id, Contact.timezone, Contact.owner_id))},
        "calls": list(session.execute(select(Call.id, Call.touch_id, Call.analysis))),
        "steps": list(session.execute(select(NextStep.call_id))),
        "nurture": list(session.execute(select(NurtureMembership.contact_id, NurtureMembership.started_at,
                                               NurtureMembership.ended_at, NurtureMembership.ended_reason))),
        "alerts": list(session.execute(select(Alert.contact_id, Alert.created_at))),
        "stakes": list(session.execute(select(DealStakeholder.deal_id, DealStakeholder.contact_id))),
        "plans": list(session.execute(select(PlannedTouch.rep_id, PlannedTouch.status, PlannedTouch.due_at))),
    }


def _follow_ups(touches: list[Any]) -> dict[int, int]:
    """Per deal: its touches that came after that contact's first conversation."""
    by_contact: dict[int, list[Any]] = defaultdict(list)
    for t in touches:
        by_contact[t.contact_id].append(t)
    counts: dict[int, int] = Counter()
    for history in by_contact.values():
        history.sort(key=lambda t: (t.occurred_at, t.id))
        talked = False
        for t in history:
            if talked and t.deal_id is not None:
                counts[t.deal_id] += 1
            talked = talked or t.outcome in TALKED
    return counts


def _stats(values: list[float]) -> tuple[int, float | None, float | None]:
    if not values:
        return 0, None, None
    ordered = sorted(values)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return len(values), sum(values) / len(values), float(median)


def _naive(raw: dict[str, list[Any]], reps: set[int] | None, since: datetime | None) -> dict[str, Any]:
    def mine(rep: int) -> bool:
        return reps is None or rep in reps

    def recent(at: datetime | None) -> bool:
        return since is None or (at is not None and at >= since)

    follow_ups = _follow_ups(raw["touches"])
    said_no = {t.deal_id for t in raw["touches"] if t.outcome == "said-no" and t.deal_id}
    won, lost, gave_up, cycle_won, cycle_lost = [], [], [], [], []
    for d in raw["deals"]:
        ended = d.closed_at or d.stalled_at
        if not mine(d.owner_id) or ended is None or not recent(ended):
            continue
        fu = follow_ups.get(d.id, 0)
        if d.outcome == "won":
            won.append(fu)
        if d.outcome == "lost":
            lost.append(fu)
        if (d.outcome == "lost" or d.outcome is None) and d.id not in said_no:
            gave_up.append(fu)
        if d.outcome and d.closed_at:
            days = max(math.floor((d.closed_at - d.created_at).total_seconds() / 86400), 0)
            (cycle_won if d.outcome == "won" else cycle_lost).append(days)
    by_contact: dict[int, list[Any]] = defaultdict(list)
    for t in raw["touches"]:
        by_contact[t.contact_id].append(t)
    ftc = []
    for history in by_contact.values():
        history.sort(key=lambda t: (t.occurred_at, t.id))
        first = next((i for i, t in enumerate(history) if t.outcome in TALKED), None)
        if first is not None and mine(history[first].rep_id) and recent(history[first].occurred_at):
            ftc.append(first + 1)
    cells: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for t in raw["touches"]:
        if t.channel == "call" and mine(t.rep_id) and recent(t.occurred_at):
            tz = raw["contacts"][t.contact_id].timezone or "UTC"
            local = t.occurred_at.astimezone(ZoneInfo(tz))
            cells[(local.weekday(), local.hour)][0] += 1
            cells[(local.weekday(), local.hour)][1] += t.outcome in TALKED
    touch_by_id = {t.id: t for t in raw["touches"]}
    deal_by_id = {d.id: d for d in raw["deals"]}
    steps = Counter(s.call_id for s in raw["steps"])
    firsts: dict[int, tuple[Any, Any]] = {}
    for c in sorted(raw["calls"], key=lambda c: (touch_by_id[c.touch_id].occurred_at, c.id)):
        t = touch_by_id[c.touch_id]
        d = deal_by_id.get(t.deal_id) if t.deal_id else None
        if c.analysis is None or d is None or d.outcome is None or not mine(d.owner_id) or not recent(d.closed_at):
            continue
        firsts.setdefault(d.id, (c, d))
    discovery = {deal_id: (d.outcome == "won", steps[c.id], c.analysis["questions"]["rep"],
                           c.analysis["rep_talk_ratio"], c.analysis["longest_rep_monologue_s"],
                           len(c.analysis["engaging_moments"])) for deal_id, (c, d) in firsts.items()}
    nurtured = [n for n in raw["nurture"] if mine(raw["contacts"][n.contact_id].owner_id) and recent(n.started_at)]
    triggered = {n.contact_id for n in nurtured
                 if any(a.contact_id == n.contact_id and a.created_at >= n.started_at for a in raw["alerts"])}
    reopened = [n for n in nurtured if n.ended_reason == "trigger"]
    won_after = {n.contact_id for n in reopened for s in raw["stakes"]
                 if s.contact_id == n.contact_id and deal_by_id[s.deal_id].outcome == "won"
                 and deal_by_id[s.deal_id].closed_at >= n.ended_at}
    activity: dict[int, Counter[str]] = defaultdict(Counter)
    for t in raw["touches"]:
        if mine(t.rep_id) and recent(t.occurred_at):
            activity[t.rep_id]["touches"] += 1
            activity[t.rep_id]["conversations"] += t.outcome in TALKED
            activity[t.rep_id]["channel:" + t.channel] += 1
    for c in raw["calls"]:
        t = touch_by_id[c.touch_id]
        if c.analysis is not None and mine(t.rep_id) and recent(t.occurred_at):
            activity[t.rep_id]["analysed"] += 1
    due = Counter(p.rep_id for p in raw["plans"] if p.status == "planned" and p.due_at <= NOW + timedelta(hours=24))
    return {"won": _stats(won), "lost": _stats(lost), "gave_up": _stats(gave_up),
            "early": sum(1 for v in gave_up if v < 5), "cycle_won": _stats(cycle_won),
            "cycle_lost": _stats(cycle_lost), "ftc": _stats(ftc), "ftc_values": Counter(ftc),
            "cells": {k: tuple(v) for k, v in cells.items()}, "discovery": discovery,
            "funnel": (len({n.contact_id for n in nurtured}), len(triggered), len({n.contact_id for n in reopened}),
                       len(won_after)),
            "activity": activity, "due": due}


def _figures(n: TeamNumbers) -> dict[str, Any]:
    def stats(s: Any) -> tuple[int, float | None, float | None]:
        return s.n, s.mean, s.median

    return {"won": stats(n.follow_ups_won), "lost": stats(n.follow_ups_lost), "gave_up": stats(n.give_up.summary),
            "early": n.give_up.before_persistence, "cycle_won": stats(n.cycle_won),
            "cycle_lost": stats(n.cycle_lost), "ftc": stats(n.ftc)}


def _compare(n: TeamNumbers, naive: dict[str, Any]) -> None:
    for key, value in _figures(n).items():
        expected = naive[key]
        if isinstance(value, tuple):
            assert value[0] == expected[0], key
            assert value[1] == pytest.approx(expected[1]), key
            assert value[2] == pytest.approx(expected[2]), key
        else:
            assert value == expected, key
    assert dict(n.ftc.distribution) == dict(naive["ftc_values"])
    assert {k: (c.calls, c.connects) for k, c in n.cells.items()} == naive["cells"]
    total = len(naive["discovery"])
    assert n.learned.closed_with_calls == total
    assert n.learned.overall.hits == sum(1 for v in naive["discovery"].values() if v[0])
    for figure, behaviour in zip(n.learned.figures, BEHAVIOURS, strict=True):
        index = {"next_steps": 1, "questions": 2, "talk_ratio": 3, "monologue": 4, "engaging": 5}[behaviour.metric]
        for bin_rate in figure.bins:
            inside = [v for v in naive["discovery"].values() if v[index] is not None and bin_rate.bin.holds(v[index])]
            assert (bin_rate.rate.hits, bin_rate.rate.n) == (sum(1 for v in inside if v[0]), len(inside)), \
                (behaviour.metric, bin_rate.bin.key)
    funnel = n.funnel
    assert (funnel.nurtured, funnel.triggered, funnel.reopened, funnel.won) == naive["funnel"]
    for line in n.reps:
        counts = naive["activity"][line.rep_id]
        assert line.activity.touches == counts["touches"]
        assert line.activity.conversations == counts["conversations"]
        assert line.activity.calls_analysed == counts["analysed"]
        assert line.activity.by_channel == {k[8:]: v for k, v in counts.items() if k.startswith("channel:")}
        assert line.due_today == naive["due"][line.rep_id]


def _actor(session: Session, email: str) -> Actor:
    user = session.scalar(select(User).where(User.email == email))
    assert user is not None
    return Actor.of(user)


def test_every_team_figure_matches_a_naive_recount(data: Engine) -> None:
    options = team_options(Settings())
    with Session(data) as session:
        raw = _raw(session)
        manager = _actor(session, "maya.chen@harborlight.example")
        view = resolve_view(session, manager)
        numbers = team_numbers(session, view, options, now=NOW)
        assert numbers.follow_ups_won.n > 10 and numbers.ftc.n > 50  # the data set is not trivial
        _compare(numbers, _naive(raw, set(view.rep_ids or ()), None))


def test_one_rep_over_a_period_matches_a_naive_recount(data: Engine) -> None:
    options = team_options(Settings())
    since = NOW - timedelta(days=90)
    with Session(data) as session:
        raw = _raw(session)
        admin = _actor(session, "admin@harborlight.example")
        view = resolve_view(session, admin, rep="lena.fischer@harborlight.example", since=since)
        numbers = team_numbers(session, view, options, now=NOW)
        assert numbers.ftc.n > 0
        _compare(numbers, _naive(raw, set(view.rep_ids or ()), since))
        everyone = team_numbers(session, resolve_view(session, admin), options, now=NOW)
        _compare(everyone, _naive(raw, None, None))


def test_figures_read_from_the_running_counts_match_a_naive_recount(data: Engine) -> None:
    """Counted so far, plus touches logged since the last fold, plus a corrected and a deleted call."""
    options = team_options(Settings())
    refresh(data)
    with Session(data) as session:
        cells_before = team_numbers(session, resolve_view(session, _actor(session, ADMIN)), options, now=NOW).cells
    with unit_of_work(data) as session:
        rep = _actor(session, "lena.fischer@harborlight.example")
        contact = session.scalars(select(Contact).where(Contact.owner_id == rep.id, Contact.status == "active")
                                  .order_by(Contact.id)).first()
        assert contact is not None
        for hours, outcome in ((50, "no-answer"), (3, "conversation")):
            log_touch(session, rep, contact_id=contact.id, channel="call", outcome=outcome,
                      settings=CadenceSettings(), now=NOW, occurred_at=NOW - timedelta(hours=hours))
        calls = session.scalars(select(Touch).where(Touch.channel == "call", Touch.outcome.in_(sorted(TALKED)))
                                .order_by(Touch.id)).all()
        mark_gatekeeper(session, _actor(session, ADMIN), calls[0].id, cadence=CadenceSettings(), now=NOW)
        delete_touch(session, _actor(session, ADMIN), calls[1].id, settings=CadenceSettings(), now=NOW)
        # A call logged before a contact's whole history relabels every later touch of theirs.
        early = session.scalars(select(Touch).where(Touch.deal_id.is_not(None)).order_by(Touch.id)).first()
        assert early is not None
        first = min(t.occurred_at for t in session.scalars(select(Touch).where(Touch.contact_id == early.contact_id)))
        log_touch(session, _actor(session, ADMIN), contact_id=early.contact_id, channel="call", outcome="no-answer",
                  settings=CadenceSettings(), now=NOW, occurred_at=first - timedelta(days=1))
    since = NOW - timedelta(days=90)
    with Session(data) as session:
        raw = _raw(session)
        admin = _actor(session, ADMIN)
        everyone = team_numbers(session, resolve_view(session, admin), options, now=NOW)
        assert everyone.cells != cells_before  # the new and changed calls show
        _compare(everyone, _naive(raw, None, None))
        one = resolve_view(session, admin, rep="lena.fischer@harborlight.example", since=since)
        _compare(team_numbers(session, one, options, now=NOW), _naive(raw, set(one.rep_ids or ()), since))
        # Every team over a period: whole months from the counts, the first partial month from the touches.
        _compare(team_numbers(session, resolve_view(session, admin, since=since), options, now=NOW),
                 _naive(raw, None, since))
    # Folded in "later": on PostgreSQL a touch is folded once it has settled.
    assert refresh(data, now=datetime.now(UTC) + timedelta(hours=1)) > 0  # the three new touches
    with Session(data) as session:
        _compare(team_numbers(session, resolve_view(session, _actor(session, ADMIN)), options, now=NOW),
                 _naive(raw, None, None))


def _deal(session: Session, *where: Any) -> Deal:
    found = session.scalars(select(Deal).where(*where).order_by(Deal.id)).first()
    assert found is not None
    return found


def test_deal_figures_follow_deals_changed_after_the_counts_were_made(data: Engine) -> None:
    """Deals closed, re-opened, given to another rep, deleted and added after the fold, and a "said no"
    logged on an ended deal that no fold has seen yet: every figure as recounted, over periods that read the
    running counts each way (by whole months, a month less its first days, all history less its first months)."""
    options = team_options(Settings())
    refresh(data)
    with unit_of_work(data) as session:
        admin = _actor(session, ADMIN)
        touched = select(Touch.deal_id).where(Touch.deal_id.is_not(None))
        won = _deal(session, Deal.outcome.is_(None), Deal.stalled_at.is_(None), Deal.id.in_(touched))
        change_stage(session, admin, won.id, "closed_won", reason=None, now=NOW - timedelta(days=75))
        reopened = _deal(session, Deal.outcome == "lost", Deal.id.in_(touched))
        change_stage(session, admin, reopened.id, "proposal", reason=None, now=NOW)
        moved = _deal(session, Deal.outcome == "won", Deal.id != won.id, Deal.owner_id != admin.id)
        update_deal(session, admin, moved.id, DealFields(owner_email="lena.fischer@harborlight.example"))
        delete_deal(session, admin, _deal(session, Deal.stalled_at.is_not(None), Deal.id.in_(touched)).id)
        for days in (88, 95):  # in the last 90 days; in its first month, before them
            create_deal(session, admin, DealCreate(name=f"Renewal lost {days} days ago", stage="closed_lost",
                                                   outcome="lost", closed_at=NOW - timedelta(days=days)))
        ended = _deal(session, Deal.outcome == "lost", Deal.id.in_(touched), Deal.id != reopened.id)
        contact_id = session.scalar(select(Touch.contact_id).where(Touch.deal_id == ended.id).limit(1))
        assert contact_id is not None
        log_touch(session, admin, contact_id=contact_id, channel="call", outcome="said-no", deal_id=ended.id,
                  settings=CadenceSettings(), now=NOW, occurred_at=NOW - timedelta(hours=5))
    with Session(data) as session:
        raw = _raw(session)
        admin = _actor(session, ADMIN)
        for days in (None, 365, 200, 90, 80):
            since = NOW - timedelta(days=days) if days else None
            _compare(team_numbers(session, resolve_view(session, admin, since=since), options, now=NOW),
                     _naive(raw, None, since))
        team = resolve_view(session, _actor(session, "maya.chen@harborlight.example"), since=NOW - timedelta(days=90))
        _compare(team_numbers(session, team, options, now=NOW), _naive(raw, set(team.rep_ids or ()), team.since))


def _first_conversations(session: Session, start: datetime, end: datetime) -> list[Touch]:
    """Touches that were their contact's first conversation, in [start, end)."""
    touches = session.scalars(select(Touch).order_by(Touch.contact_id, Touch.occurred_at, Touch.id)).all()
    seen: set[int] = set()
    out = []
    for touch in touches:
        if touch.contact_id in seen or touch.outcome not in TALKED:
            continue
        seen.add(touch.contact_id)
        if start <= touch.occurred_at < end:
            out.append(touch)
    return out


def test_periods_starting_within_a_month_read_whole_days_from_the_daily_counts_as_a_recount_would(
        data: Engine) -> None:
    """Every team's calls by hour and first conversations over periods that start within a month (early,
    late, late in a day, on a midnight) come from the monthly counts, the daily counts and the hours before
    the first midnight; corrected after the fold in those days: a deleted call, a contact moved to another
    time zone, attempts labelled again, and calls no fold has seen yet."""
    options = team_options(Settings())
    refresh(data)
    since_78 = NOW - timedelta(days=78)  # 23 December 15:30: late in its month
    first_month = datetime(2026, 1, 1, tzinfo=UTC)
    with unit_of_work(data) as session:
        admin = _actor(session, ADMIN)
        whole_days = (Touch.occurred_at >= since_78 + timedelta(hours=9), Touch.occurred_at < first_month)
        calls = session.scalars(select(Touch).where(Touch.channel == "call", *whole_days).order_by(Touch.id)).all()
        assert len(calls) > 3  # the data set has calls on the partial month's whole days
        delete_touch(session, admin, calls[0].id, settings=CadenceSettings(), now=NOW)
        moved = session.get(Contact, calls[1].contact_id)
        assert moved is not None
        zone = "Asia/Kathmandu" if moved.timezone != "Asia/Kathmandu" else "Europe/Oslo"
        update_contact(session, admin, moved.id, ContactFields(timezone=zone))
        # A call logged before a contact's whole history labels each of their touches again: their first
        # conversation, on one of the partial month's days, comes one attempt later.
        reached = _first_conversations(session, since_78 + timedelta(hours=9), first_month)
        assert reached
        history = session.scalars(select(Touch).where(Touch.contact_id == reached[0].contact_id)).all()
        first = min(t.occurred_at for t in history)
        log_touch(session, admin, contact_id=reached[0].contact_id, channel="call", outcome="no-answer",
                  settings=CadenceSettings(), now=NOW, occurred_at=first - timedelta(days=1))
        rep = _actor(session, "lena.fischer@harborlight.example")
        contact = session.scalars(select(Contact).where(Contact.owner_id == rep.id, Contact.status == "active")
                                  .order_by(Contact.id)).first()
        assert contact is not None
        for days, outcome in ((70, "no-answer"), (44, "conversation")):  # not folded yet, in the periods' first days
            log_touch(session, rep, contact_id=contact.id, channel="call", outcome=outcome,
                      settings=CadenceSettings(), now=NOW, occurred_at=NOW - timedelta(days=days, hours=5))
    starts = [NOW - timedelta(days=days) for days in (78, 45, 68, 40)]  # late, late, early, late in their months
    starts += [datetime(2026, 1, 13, 23, 50, tzinfo=UTC),  # late in a day
               datetime(2026, 2, 17, tzinfo=UTC),  # on a midnight
               datetime(2026, 1, 31, 6, tzinfo=UTC)]  # on the month's last day
    with Session(data) as session:
        raw = _raw(session)
        admin = _actor(session, ADMIN)
        for since in starts:
            _compare(team_numbers(session, resolve_view(session, admin, since=since), options, now=NOW),
                     _naive(raw, None, since))
        team = resolve_view(session, _actor(session, "maya.chen@harborlight.example"), since=starts[0])
        _compare(team_numbers(session, team, options, now=NOW), _naive(raw, set(team.rep_ids or ()), team.since))
    assert refresh(data, now=datetime.now(UTC) + timedelta(hours=1)) > 0  # folded "later"
    with Session(data) as session:
        admin = _actor(session, ADMIN)
        for since in starts[:2]:
            _compare(team_numbers(session, resolve_view(session, admin, since=since), options, now=NOW),
                     _naive(raw, None, since))
