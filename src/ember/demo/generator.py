"""Build the demo data set: deterministic, realistic, and streamed.

Determinism: one ``random.Random(seed)`` drives every choice, in a fixed
order. Random draws never depend on the calendar: they pick working-day
offsets and local minutes, which ``clock.Calendar`` maps onto real dates
around an *anchor* date. The anchor defaults to today, so the data always ends
"now" and the Today queue has due and overdue items. Hence:

* same seed, same anchor and ``now`` → identical databases;
* same seed on another day → the same people, companies, deals and touch
  sequences, moved in time to stay recent.

Streaming: accounts are generated one at a time with their contacts, deals
and history; rows are buffered and written every ~50,000 rows (one
transaction each), so memory stays flat whatever ``--contacts`` asks for.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from ember.conversation import analyze_text
from ember.db import unit_of_work
from ember.demo import activity, fixtures, repository
from ember.demo.cadence import MAX_HISTORY, Shape, Step, labeller, outcomes, place, stamp
from ember.demo.clock import Calendar, anchor_for, random_minute
from ember.demo.context import Context, Rep, Scale
from ember.demo.repository import Writer, bulk_session
from ember.demo.world import (
    EXTRA_STAKEHOLDERS,
    AccountFacts,
    ContactFacts,
    DealPlan,
    contact_count,
    contacts_for,
    deal_count,
    make_account,
    mark_closed,
    plan_deal,
    primary_shape,
    secondary_shape,
)
from ember.vocabulary import Channel, DealStage, Outcome

FLUSH_ROWS = 50_000
DEFAULT_CONTACTS = 800
DEFAULT_SEED = 7
# Conversations and meetings on deals per contact, measured on the default
# set: turns the wanted number of calls into a chance per conversation.
_RECORDABLE_PER_CONTACT = 0.9


@dataclass(slots=True)
class Summary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    labels_from: str = ""
    analysed: bool = False
    variants: int = 0


def existing_demo(engine: Engine) -> str:
    """"none", "complete", or "partial" (a build was interrupted part-way).

    The demo manager is written first and the event sources last, so the two
    together tell a finished data set from an interrupted one: large builds
    commit in chunks and cannot be rolled back as a whole.
    """
    with unit_of_work(engine) as session:
        manager = repository.user_id_with_email(session, fixtures.MANAGER_EMAIL)
        finished = repository.has_source(session, "website")
    if manager is None:
        return "none"
    return "complete" if finished else "partial"


def generate(
    engine: Engine,
    *,
    contacts: int = DEFAULT_CONTACTS,
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
    touches_per_contact: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Fill an (empty or non-demo) database with the demo data set."""
    started = time.perf_counter()
    now = (now or datetime.now(UTC)).astimezone(UTC)
    rng = random.Random(seed)
    scale = Scale.for_contacts(contacts, touches_per_contact)
    with unit_of_work(engine) as session:
        reps = fixtures.create_users(session)
        team_id = repository.team_id_named(session, fixtures.TEAM)
        variant_ids = fixtures.message_library(session)
        has_rules = repository.has_trigger_rules(session)
        pricing_rule = repository.first_rule_for_url(session, "pricing")
        sources = repository.source_names(session)
        fixtures.drop_sample_stories(session)
    summary = Summary()
    with bulk_session(engine) as connection:
        writer = Writer(connection)
        reps += fixtures.extra_reps(writer, contacts, now)
        labels_from, label_fn = labeller()
        ctx = Context(rng=rng, seed=seed, now=now, calendar=Calendar(anchor_for(now)),
                      writer=writer, scale=scale, reps=reps, labels=label_fn,
                      analyze=analyze_text)
        ctx.calls_left, ctx.events_left = scale.calls, scale.events
        ctx.call_chance = min(1.0, 1.3 * scale.calls / (contacts * _RECORDABLE_PER_CONTACT))
        ctx.variant_ids = variant_ids
        ctx.pricing_rule_id = pricing_rule
        summary.variants = len(variant_ids)
        while ctx.contacts_made < contacts:
            _account(ctx, contacts - ctx.contacts_made)
            if writer.pending >= FLUSH_ROWS:
                writer.flush()
                connection.commit()
                if progress:
                    progress(ctx.contacts_made, contacts)
        # Last, because their presence marks the data set as complete.
        if not has_rules:
            fixtures.trigger_rules(writer, team_id, now)
        fixtures.proof_points(writer, now)
        fixtures.event_sources(writer, rng, now, sources)
        writer.flush()
        writer.fix_sequences()
        connection.commit()
    summary.counts = dict(writer.counts)
    summary.seconds = time.perf_counter() - started
    summary.labels_from = labels_from
    summary.analysed = ctx.analyze is not None
    if progress:
        progress(ctx.contacts_made, contacts)
    return summary


def _account(ctx: Context, room: int) -> None:
    """One account with its people, deals and everything that happened with them."""
    account = make_account(ctx)
    people = contacts_for(ctx, account, min(contact_count(ctx), room))
    plans = _deals(ctx, account, people)
    history: dict[int, list[tuple[Step, int | None]]] = {p.id: [] for p in people}
    said_no: dict[int, datetime] = {}
    for plan in plans:
        _deal_history(ctx, account, plan, history, said_no)
    in_open_deal = {c.id for p in plans if p.row["outcome"] is None
                    for c in [p.primary, *p.others]}
    loose = [c for c in people if not any(c in [p.primary, *p.others] for p in plans)]
    fates = {c.id: _loose_history(ctx, account, c, history[c.id]) for c in loose}
    deal_rows = {p.id: p.row for p in plans}
    logged_by_contact = {}
    for contact in people:
        logged = activity.write_touches(ctx, account, contact, history[contact.id])
        logged_by_contact[contact.id] = logged
        activity.record_calls(ctx, account, contact, logged, deal_rows)
        fate = fates[contact.id][0] if contact.id in fates else None
        _statuses(ctx, contact, logged, said_no, fate, in_open_deal)
        activity.events_for(ctx, contact, warm=contact.row["status"] == "nurture")
    _plans(ctx, account, plans, loose, fates, logged_by_contact)


def _deals(ctx: Context, account: AccountFacts, people: list[ContactFacts]) -> list[DealPlan]:
    """Deals of an account; each takes an unused contact as primary where it can."""
    wanted = deal_count(ctx)
    if ctx.deals_made >= ctx.scale.deals:
        wanted = 0
    unused = list(people)
    plans = []
    for _ in range(wanted):
        primary = unused.pop(0) if unused else people[0]
        extra_count = EXTRA_STAKEHOLDERS.pick(ctx.rng)
        others = [unused.pop(0) for _ in range(min(extra_count, len(unused)))]
        plan = plan_deal(ctx, account, primary, others)
        for index, contact in enumerate([primary, *others]):
            ctx.writer.add("deal_stakeholders", {
                "deal_id": plan.id, "contact_id": contact.id, "role": contact.role,
                "is_primary": index == 0, "created_at": ctx.now,
            })
        plans.append(plan)
    return plans


def _deal_history(ctx: Context, account: AccountFacts, plan: DealPlan,
                  history: dict[int, list[tuple[Step, int | None]]],
                  said_no: dict[int, datetime]) -> None:
    rng = ctx.rng
    shape = primary_shape(ctx, plan)
    steps = outcomes(rng, shape)
    start = place(rng, steps, plan.end, MAX_HISTORY)
    stamp(ctx.calendar, account.country, account.tz, steps)
    for other in plan.others:
        extra = outcomes(rng, secondary_shape(ctx, plan))
        end = plan.end + int(rng.random() * max(start - plan.end, 1))
        place(rng, extra, end, start)
        stamp(ctx.calendar, account.country, account.tz, extra)
        history[other.id].extend((s, plan.id) for s in extra)
    history[plan.primary.id].extend((s, plan.id) for s in steps)
    first, last = steps[0].instant, steps[-1].instant
    mark_closed(plan, last, first, rng, ctx.now)
    # A stakeholder may have been reached before the primary contact.
    earliest = [s.at for o in plan.others for s, d in history[o.id] if d == plan.id and s.at]
    if earliest and min(earliest) < plan.row["created_at"]:
        plan.row["created_at"] = min(earliest)
    _came_back(ctx, account, plan, start, history)
    if plan.stage == DealStage.CLOSED_WON:
        ctx.referrers.append((plan.primary.id, plan.primary.name))
    if shape.ending == "said_no":
        said_no[plan.primary.id] = last


# Share of won and open deals whose contact had said no before, sat on the nurture list and
# came back through a trigger (a visit to the pricing page): the nurture funnel's last steps.
CAME_BACK = 0.16


def _came_back(ctx: Context, account: AccountFacts, plan: DealPlan, start: int,
               history: dict[int, list[tuple[Step, int | None]]]) -> None:
    """Maybe give the deal's contact an earlier "no", a stay on the nurture list and the alert that re-opened them."""
    if plan.row["outcome"] == "lost":
        return
    # A stream of its own, so the rest of the data set does not shift with this choice.
    rng = random.Random(f"{ctx.seed}:came-back:{plan.id}")
    if rng.random() >= CAME_BACK:
        return
    reopened = plan.row["created_at"] - timedelta(days=1 + rng.random() * 3)
    no = Step(Channel.CALL, Outcome.SAID_NO, offset=start + 30 + int(rng.random() * 60), minute=random_minute(rng))
    if no.offset > MAX_HISTORY:
        return
    stamp(ctx.calendar, account.country, account.tz, [no])
    if no.instant > reopened - timedelta(days=14):
        return
    history[plan.primary.id].append((no, None))
    activity.came_back(ctx, plan.primary, said_no=no.instant, reopened=reopened)


def _loose_history(ctx: Context, account: AccountFacts, contact: ContactFacts,
                   history: list[tuple[Step, int | None]]) -> tuple[str, int]:
    """A contact outside any deal: still being tried, given up on, said no, or new."""
    rng = ctx.rng
    pick = rng.random()
    if pick < 0.38:
        fate, shape, end = "trying", Shape(ctx.stretch(1 + int(rng.random() * 5)), False, 0,
                                           "open"), 1 + int(rng.random() * 6)
    elif pick < 0.58:
        fate, shape, end = "gave_up", Shape(ctx.stretch(3 + int(rng.random() * 6)), False, 0,
                                            "open"), 20 + int(rng.random() * 150)
    elif pick < 0.86:
        fate, shape, end = "nurture", Shape(ctx.stretch(int(rng.random() * 4)), True,
                                            int(rng.random() * 3), "said_no"), \
            3 + int(rng.random() * 150)
    elif pick < 0.9:
        fate, shape, end = "dnc", Shape(1 + int(rng.random() * 3), True, 0, "said_no"), \
            10 + int(rng.random() * 150)
    else:
        return "new", 1 + int(rng.random() * 4)  # a fresh lead: first attempt due about now
    steps = outcomes(rng, shape)
    place(rng, steps, end, MAX_HISTORY)
    stamp(ctx.calendar, account.country, account.tz, steps)
    history.extend((s, None) for s in steps)
    return fate, end


def _statuses(ctx: Context, contact: ContactFacts, logged: list[activity.Logged],
              said_no: dict[int, datetime], fate: str | None, in_open_deal: set[int]) -> None:
    """Nurture for those who said no (unless a live deal says otherwise); a few do-not-contact."""
    if fate in ("nurture", "dnc"):
        last_no = next(t.step.instant for t in reversed(logged)
                       if t.step.outcome == Outcome.SAID_NO)
        activity.nurture(ctx, contact, last_no, dnc=fate == "dnc")
    elif (contact.id in said_no and contact.id not in in_open_deal and logged
          and logged[-1].step.outcome == Outcome.SAID_NO):
        activity.nurture(ctx, contact, said_no[contact.id], dnc=False)


def _plans(ctx: Context, account: AccountFacts, plans: list[DealPlan],
           loose: list[ContactFacts], fates: dict[int, tuple[str, int]],
           logged_by_contact: dict[int, list[activity.Logged]]) -> None:
    """Next touches for open deals and for contacts still in their FTC attempts."""
    for plan in plans:
        if plan.row["outcome"] is not None:
            continue
        logged = logged_by_contact[plan.primary.id]
        activity.plan_next(ctx, account, plan.primary, logged, plan.id, plan.end, plan.stalled)
        last = logged[-1].step.at if logged else None
        if last is not None and ctx.rng.random() < 0.3:
            activity.loose_next_step(ctx, plan.primary, plan.id, account.owner.id, last)
    for contact in loose:
        fate, end = fates[contact.id]
        if fate in ("trying", "new"):
            activity.plan_next(ctx, account, contact, logged_by_contact[contact.id], None, end,
                               False)


__all__ = ["DEFAULT_CONTACTS", "DEFAULT_SEED", "Rep", "Summary", "existing_demo", "generate"]
