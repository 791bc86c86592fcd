"""The Today worklist as a rep works it in the browser: groups with counts, a page of
rows each, filters, and the actions on a row (snooze, skip, re-plan the stale backlog).

Groups, in the order a rep should work them: live alerts (interest is hottest now),
due now (due earlier today), overdue (before today, oldest first, with how late),
later today, and promises to check (next steps from calls).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ember.cadence import repository as cadence_repository
from ember.cadence.service import Planned, replan, replan_contact
from ember.cadence.timing import zone
from ember.contacts.service import contact_behind, get_contact
from ember.deals.repository import deal_by_id
from ember.errors import Conflict, InvalidInput, NotFound, Problem
from ember.messages.rules import missing_facts, readable
from ember.messages.service import library_for, load_library
from ember.models import PlannedTouch, User
from ember.settings.cadence import CadenceSettings
from ember.steps.service import due_of
from ember.today import repository
from ember.today.repository import AlertLine, LineContact, PlanLine, StepLine
from ember.today.service import NEXT_STEP_WORDS, THEIR_STEP_WORDS, queue_owner
from ember.users.access import Actor
from ember.users.repository import team_by_id
from ember.vocabulary import Channel, PlannedTouchStatus

GROUPS = (("alerts", "Live alerts"), ("due", "Due now"), ("overdue", "Overdue"), ("later", "Later today"),
          ("steps", "Promises to check"))
PAGE = 10
FACT_WORDS = {"goal": "their goal", "problem": "their problem", "next_step": "the next step agreed",
              "similar_company": "a similar customer", "proof": "a proof point", "referrer": "who referred them",
              "trigger": "what they just did", "rep_phone": "your phone number", "company": "their company"}
# Label filter: the words a rep reads, and the kinds of plan behind them.
LABELS = {"ftc": ("FTC attempts", "ftc"), "follow-up": ("Follow-ups", "follow_up"),
          "trigger": ("Trigger follow-ups", "trigger"), "multithread": ("Multi-threading", "multithread")}


@dataclass(frozen=True)
class Filters:
    channel: str | None = None
    label: str | None = None

    @classmethod
    def parse(cls, channel: str | None, label: str | None) -> Filters:
        known_channel = channel if channel in {c.value for c in Channel} else None
        return cls(known_channel, label if label in LABELS else None)

    @property
    def kind(self) -> str | None:
        return LABELS[self.label][1] if self.label else None

    @property
    def active(self) -> bool:
        return bool(self.channel or self.label)


@dataclass(frozen=True)
class Row:
    kind: str  # alert | step | plan kinds (ftc, follow_up, trigger, multithread, callback)
    id: int
    contact_id: int
    contact: str
    company: str | None
    email: str | None
    phone: str | None
    deal: str | None
    deal_id: int | None
    channel: str | None
    label: str | None
    purpose: str
    preview: str | None
    reason: str
    due_local: str  # when it is due, in the prospect's time
    their_now: str  # the prospect's local time now
    late: str | None  # "3 days late"
    needs: tuple[str, ...] = ()  # facts a proposed text lacks, when there is no readable preview


@dataclass
class Group:
    key: str
    title: str
    count: int
    rows: list[Row] = field(default_factory=list)
    offset: int = 0

    @property
    def more(self) -> int:
        return max(0, self.count - self.offset - len(self.rows))


@dataclass
class Worklist:
    rep: User
    groups: list[Group]
    stale: int
    filters: Filters

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups)


@dataclass(frozen=True)
class Window:
    """The instants that cut a rep's day into groups."""

    now: datetime
    start_of_day: datetime
    end_of_day: datetime
    stale_before: datetime
    undated_since: datetime

    @classmethod
    def of(cls, rep_tz: str, now: datetime, *, stale_days: int, step_days: int) -> Window:
        local = now.astimezone(ZoneInfo(rep_tz))
        start = datetime.combine(local.date(), time(0), tzinfo=local.tzinfo).astimezone(UTC)
        return cls(now, start, start + timedelta(days=1), now - timedelta(days=stale_days),
                   now - timedelta(days=step_days))


def how_late(due: datetime, now: datetime) -> str | None:
    late = now - due
    if late <= timedelta(minutes=1):
        return None
    if late < timedelta(hours=1):
        return f"{int(late.total_seconds() // 60)} min late"
    if late < timedelta(days=1):
        hours = int(late.total_seconds() // 3600)
        return f"{hours} hour{'s' if hours != 1 else ''} late"
    days = late.days
    return f"{days} day{'s' if days != 1 else ''} late"


def _local(moment: datetime, where: ZoneInfo, now: datetime) -> str:
    local, today = moment.astimezone(where), now.astimezone(where).date()
    day = "today" if local.date() == today else local.strftime("%a %d %b")
    return f"{day} {local:%H:%M}"


def _place(zone_name: str) -> str:
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")


def company_name(session: Session, rep: User, configured: str) -> str:
    """Our company as prospects know it: the setting, else the rep's team name."""
    if configured.strip():
        return configured.strip()
    team = team_by_id(session, rep.team_id) if rep.team_id else None
    return team.name if team else ""


class _RowMaker:
    def __init__(self, rep: User, now: datetime, our_company: str) -> None:
        self.rep, self.now = rep, now
        self.values = {"rep_name": rep.name, "rep_company": our_company}

    def contact(self, line: LineContact) -> tuple[str, ZoneInfo, str]:
        """The contact's name as shown, their zone, and their time now in words."""
        where = zone(line.contact_tz or line.account_tz or "UTC")
        their_now = f"{self.now.astimezone(where):%H:%M} in {_place(where.key)}"
        return f"{line.first_name} {line.last_name}".strip() or (line.email or "?"), where, their_now

    def preview(self, body: str | None, first: str, company: str | None) -> tuple[str | None, tuple[str, ...]]:
        """The readable text, or the facts it still needs (in words)."""
        if not body:
            return None, ()
        values = dict(self.values, first_name=first.split(" ")[0])
        if company:
            values["company"] = company
        values = {k: v for k, v in values.items() if v}
        text = readable(body, values)
        if text is not None:
            return text, ()
        return None, tuple(FACT_WORDS.get(name, name.replace("_", " ")) for name in missing_facts(body, values))

    def plan(self, plan: PlanLine) -> Row:
        name, where, their_now = self.contact(plan)
        text, needs = self.preview(plan.body, name, plan.company)
        return Row(plan.kind, plan.id, plan.contact_id, name, plan.company, plan.email, plan.phone, plan.deal_name,
                   plan.deal_id, plan.channel, plan.label, plan.purpose, text, plan.reason,
                   _local(plan.due_at, where, self.now), their_now, how_late(plan.due_at, self.now), needs)

    def step(self, step: StepLine, default_days: int) -> Row:
        name, where, their_now = self.contact(step)
        due = due_of(step.due_at, step.created_at, default_days)
        who = {"rep": "you promised", "prospect": "they promised"}.get(step.owner_side, "agreed")
        when = f", {step.due_phrase}" if step.due_phrase else ("" if step.due_at else ", no date agreed")
        words = THEIR_STEP_WORDS if step.owner_side == "prospect" else NEXT_STEP_WORDS
        return Row("step", step.id, step.contact_id, name, step.company, step.email, step.phone, step.deal_name,
                   step.deal_id, None, None, words.get(step.type, words["other"]), None,
                   f'From the last call ({who}{when}): "{step.quote or ""}"', _local(due, where, self.now),
                   their_now, how_late(due, self.now))

    def alert(self, alert: AlertLine) -> Row:
        name, where, their_now = self.contact(alert)
        purpose = (f"They {alert.summary}: follow up while the interest is fresh" if alert.summary
                   else "Follow up while their interest is fresh")
        return Row("alert", alert.id, alert.contact_id, name, alert.company, alert.email, alert.phone, None, None,
                   "call", None, purpose, None, "A trigger event: interest is hottest right now.",
                   _local(alert.created_at, where, self.now), their_now, None)


def _bounds(key: str, window: Window) -> tuple[datetime | None, datetime | None]:
    return {"due": (window.start_of_day, window.now), "overdue": (None, window.start_of_day),
            "later": (window.now, window.end_of_day)}[key]


def _group(session: Session, key: str, title: str, rep: User, window: Window, filters: Filters, maker: _RowMaker,
           offset: int, limit: int, step_days: int) -> Group:
    if key == "alerts":
        rows = [maker.alert(r) for r in repository.alert_page(session, rep.id, offset=offset, limit=limit)]
        return Group(key, title, repository.alert_count(session, rep.id), rows, offset)
    if key == "steps":
        until, since = window.end_of_day, window.undated_since
        rows = [maker.step(r, step_days) for r in repository.step_page(
            session, rep.id, until=until, undated_since=since, offset=offset, limit=limit)]
        return Group(key, title, repository.step_count(session, rep.id, until=until, undated_since=since), rows,
                     offset)
    after, before = _bounds(key, window)
    args: dict[str, Any] = {"after": after, "before": before, "channel": filters.channel, "kind": filters.kind}
    rows = [maker.plan(r) for r in repository.plan_page(session, rep.id, offset=offset, limit=limit, **args)]
    return Group(key, title, repository.plan_count(session, rep.id, **args), rows, offset)


def worklist(session: Session, actor: Actor, rep_email: str | None = None, *, filters: Filters = Filters(),
             now: datetime | None = None, stale_days: int = 7, step_days: int = 7, our_company: str = "",
             expand: str | None = None) -> Worklist:
    """Every group's count and first page (all of ``expand``'s rows up to 200)."""
    rep = queue_owner(session, actor, rep_email)
    now = now or datetime.now(UTC)
    window = Window.of(rep.timezone, now, stale_days=stale_days, step_days=step_days)
    maker = _RowMaker(rep, now, company_name(session, rep, our_company))
    # A channel or label filter narrows the planned touches; alerts and promises are not planned touches.
    keys = [(k, t) for k, t in GROUPS if not (filters.active and k in ("alerts", "steps"))]
    groups = [_group(session, key, title, rep, window, filters, maker, 0, 200 if key == expand else PAGE, step_days)
              for key, title in keys]
    stale = len(repository.stale_plan_contacts(session, rep.id, window.stale_before))
    return Worklist(rep, groups, stale, filters)


def more_rows(session: Session, actor: Actor, key: str, offset: int, rep_email: str | None = None, *,
              filters: Filters = Filters(), now: datetime | None = None, stale_days: int = 7, step_days: int = 7,
              our_company: str = "") -> Group:
    """The next page of one group (for "show more")."""
    titles = dict(GROUPS)
    if key not in titles:
        raise NotFound(f"no group {key!r} on Today")
    rep = queue_owner(session, actor, rep_email)
    now = now or datetime.now(UTC)
    window = Window.of(rep.timezone, now, stale_days=stale_days, step_days=step_days)
    maker = _RowMaker(rep, now, company_name(session, rep, our_company))
    return _group(session, key, titles[key], rep, window, filters, maker, max(0, offset), PAGE, step_days)


# ---- actions on a planned touch ----

def open_planned(session: Session, actor: Actor, plan_id: int) -> PlannedTouch:
    plan = cadence_repository.planned_touch_by_id(session, plan_id)
    missing = f"planned touch {plan_id} not found"
    if plan is None:
        raise NotFound(missing)
    # Someone else's plan is answered word for word as a missing one, never with its contact's id.
    contact_behind(session, actor, plan.contact_id, missing=missing)
    if plan.status != PlannedTouchStatus.PLANNED.value:
        raise Conflict(f"this touch is already {plan.status}; reload Today to see what is planned now")
    return plan


def snooze(session: Session, actor: Actor, plan_id: int, until: datetime, *,
           now: datetime | None = None) -> PlannedTouch:
    """Move a planned touch to a chosen time; it leaves Today until then."""
    now = now or datetime.now(UTC)
    if until <= now:
        raise InvalidInput("the snooze time has passed", [Problem("until", f"{until:%Y-%m-%d %H:%M} is not later "
                                                                           "than now", "choose a later time")])
    if until > now + timedelta(days=366):
        raise InvalidInput("the snooze time is more than a year away", [Problem(
            "until", f"{until:%Y-%m-%d}", "choose a time within a year, or skip the touch with a reason")])
    plan = open_planned(session, actor, plan_id)
    plan.due_at = until
    plan.reason = f"{plan.reason} Snoozed by {actor.name} to {until:%Y-%m-%d %H:%M} UTC.".strip()
    session.flush()
    return plan


SKIP_REASON_MAX = 500


def skip(session: Session, actor: Actor, plan_id: int, reason: str, *, settings: CadenceSettings,
         now: datetime | None = None) -> Planned:
    """Skip this attempt, saying why; the next attempt is planned from tomorrow on."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("say why you skip this touch", [Problem("reason", "is empty",
                                                                   "write a few words: the team reads them")])
    if len(reason) > SKIP_REASON_MAX:
        raise InvalidInput("the reason is too long", [Problem("reason", f"has {len(reason)} characters",
                                                              f"keep it under {SKIP_REASON_MAX}")])
    now = now or datetime.now(UTC)
    plan = open_planned(session, actor, plan_id)
    plan.status = PlannedTouchStatus.SKIPPED.value
    plan.reason = f"{plan.reason} Skipped by {actor.name}: {reason}".strip()
    session.flush()
    contact = get_contact(session, actor, plan.contact_id)
    deal = deal_by_id(session, plan.deal_id) if plan.deal_id else None
    tomorrow = Window.of(actor.timezone, now, stale_days=0, step_days=0).end_of_day
    return replan(session, contact, deal, now=max(now, tomorrow), settings=settings,
                  library=library_for(session, contact))


def replan_stale(session: Session, actor: Actor, *, settings: CadenceSettings, stale_days: int,
                 now: datetime | None = None) -> int:
    """Re-plan every contact of the actor whose planned touch is overdue by more than the setting allows."""
    now = now or datetime.now(UTC)
    rep = queue_owner(session, actor, None)
    library = load_library(session, team_id=rep.team_id)
    contacts = repository.stale_plan_contacts(session, rep.id, now - timedelta(days=stale_days))
    for contact_id in contacts:  # planned the way `ember replan` plans them
        replan_contact(session, get_contact(session, actor, contact_id), now=now, settings=settings,
                       library=library)
    return len(contacts)
