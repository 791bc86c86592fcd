"""Team numbers for one manager's (or admin's) view: whose, since when, and every figure.

The page, the report command and its JSON all call ``team_numbers``: one
computation, so they cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ember.analytics import repository as repo
from ember.analytics.learned import LearnedBenchmarks, WindowChoice, learn, learn_windows, window_name
from ember.analytics.metrics import (
    BEHAVIOUR_BY_METRIC,
    ActivityRow,
    Cell,
    Funnel,
    GiveUp,
    HourRow,
    RepActivity,
    Summary,
    activity,
    add_cells,
    bin_of,
    give_up,
    local_cells,
    share_reached_by,
    summarize,
)
from ember.analytics.repository import DealFilter, Part, Scope
from ember.calls.service import analysis_thresholds
from ember.conversation.benchmarks import Thresholds
from ember.errors import Forbidden, NotFound, Problem
from ember.settings import Settings
from ember.tallies.rules import first_midnight, first_whole_month, month_of, month_start
from ember.tallies.service import folded
from ember.users.access import Actor
from ember.vocabulary import DealOutcome, Role

# Cycle lengths are shown in these bins of days (the last one open-ended).
CYCLE_BINS: tuple[tuple[int, int | None], ...] = ((0, 15), (15, 30), (30, 60), (60, 90), (90, 180), (180, None))


@dataclass(frozen=True, slots=True)
class Options:
    """The settings the team numbers depend on."""

    persistence: int
    min_closed_deals: int
    min_window_calls: int
    min_calls_per_window: int
    published_windows: tuple[str, ...]
    thresholds: Thresholds


@dataclass(frozen=True, slots=True)
class View:
    """Whose numbers: the team and rep picked, and the reps that makes."""

    team_id: int | None
    team_name: str
    rep_id: int | None
    rep_name: str | None
    rep_ids: tuple[int, ...] | None
    since: datetime | None
    reps: tuple[repo.RepName, ...]  # every rep the viewer may pick
    teams: tuple[repo.TeamName, ...]  # every team the viewer may pick

    @property
    def scope(self) -> Scope:
        return Scope(self.rep_ids, self.since)


@dataclass(slots=True)
class RepLine:
    rep_id: int
    name: str
    email: str
    due_today: int
    overdue: int
    activity: RepActivity


@dataclass(slots=True)
class TeamNumbers:
    view: View
    follow_ups_won: Summary
    follow_ups_lost: Summary
    ftc: Summary
    ftc_reached_by: tuple[tuple[int, float], ...]
    cells: dict[tuple[int, int], Cell]
    give_up: GiveUp
    cycle_won: Summary
    cycle_lost: Summary
    learned: LearnedBenchmarks
    windows: WindowChoice
    funnel: Funnel
    reps: list[RepLine]
    stalled: list[dict[str, Any]]
    coaching: list[dict[str, Any]]


def resolve_view(session: Session, actor: Actor, *, team: str | None = None, rep: str | None = None,
                 since: datetime | None = None) -> View:
    """Managers see their own team, admins every team; anything else is not found."""
    if actor.role is Role.REP:
        raise Forbidden("team numbers are for managers and admins",
                        [Problem("user", f"{actor.email} is a rep", "ask your manager for the team view")])
    all_teams = repo.teams(session)
    teams = [t for t in all_teams if t.id == actor.team_id] if actor.role is Role.MANAGER else all_teams
    team_id = _pick_team(teams, team) if team else (actor.team_id if actor.role is Role.MANAGER else None)
    if actor.role is Role.MANAGER and team_id is None:
        raise NotFound("you are not in a team", [Problem("user", actor.email, "ask an admin to set your team")])
    visible = tuple(r for r in repo.reps(session, None) if actor.role is Role.ADMIN or r.team_id == actor.team_id)
    in_team = tuple(r for r in visible if team_id is None or r.team_id == team_id)
    picked = _pick_rep(in_team, rep) if rep else None
    rep_ids: tuple[int, ...] | None
    if picked is not None:
        rep_ids = (picked.id,)
    elif team_id is not None or actor.role is Role.MANAGER:
        rep_ids = tuple(r.id for r in in_team)
    else:
        rep_ids = None
    team_name = next((t.name for t in teams if t.id == team_id), "All teams")
    return View(team_id, team_name, picked.id if picked else None, picked.name if picked else None,
                rep_ids, since, visible, tuple(teams))


def _pick_team(teams: list[repo.TeamName], wanted: str) -> int:
    for team in teams:
        if wanted.strip().lower() in (team.name.lower(), str(team.id)):
            return team.id
    names = ", ".join(team.name for team in teams) or "none"
    raise NotFound(f"no team {wanted!r} that you may see",
                   [Problem("team", repr(wanted), f"use one of: {names}")])


def _pick_rep(reps: tuple[repo.RepName, ...], wanted: str) -> repo.RepName:
    for row in reps:
        if wanted.strip().lower() in (row.email.lower(), str(row.id)):
            return row
    raise NotFound(f"no rep {wanted!r} in the team you are looking at",
                   [Problem("rep", repr(wanted), "give the email of a rep of this team")])


def team_numbers(session: Session, view: View, options: Options, *, now: datetime | None = None) -> TeamNumbers:
    now = now or datetime.now(UTC)
    scope = view.scope
    talked = repo.conversation_outcomes(session)
    by_outcome: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    gave_up: dict[int, int] = defaultdict(int)
    split = _split(session, scope, talked)
    counted = _counted(split)
    for ended in repo.deal_follow_ups(session, scope, counted):
        if ended.outcome:
            by_outcome[ended.outcome][ended.follow_ups] += ended.deals
        if (ended.stalled or ended.outcome == DealOutcome.LOST.value) and not ended.said_no:
            gave_up[ended.follow_ups] += ended.deals
    cycles: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for cycle in repo.cycle_days(session, scope, counted):
        cycles[cycle.outcome][cycle.days] += cycle.deals
    ftc = _ftc(session, scope, talked, _by_day(split, scope))
    cells, learned, windows = _learned(session, scope, options, talked)
    return TeamNumbers(
        view=view,
        follow_ups_won=summarize(by_outcome[DealOutcome.WON.value]),
        follow_ups_lost=summarize(by_outcome[DealOutcome.LOST.value]),
        ftc=summarize(ftc), ftc_reached_by=share_reached_by(ftc),
        cells=cells,
        give_up=give_up(gave_up, options.persistence),
        cycle_won=summarize(cycles[DealOutcome.WON.value]),
        cycle_lost=summarize(cycles[DealOutcome.LOST.value]),
        learned=learned,
        windows=windows,
        funnel=repo.nurture_funnel(session, scope),
        reps=_rep_lines(session, view, scope, talked, now),
        stalled=repo.stalled_deals(session, scope),
        coaching=_to_coach(repo.calls_to_coach(session, scope)),
    )


@dataclass(frozen=True, slots=True)
class _Split:
    """Where a scope's touches are counted: the running counts from ``from_month`` on (when
    ``tallied``), and the touches read directly in ``parts`` (those not folded in yet, and the
    period's first partial month: added, or taken out of its whole month when that reads fewer days).
    With ``days``, the UTC days from the first up to the second come from the daily counts."""

    tallied: bool
    from_month: date | None
    parts: tuple[Part, ...]
    days: tuple[date, date] | None = None


def _split(session: Session, scope: Scope, talked: frozenset[str]) -> _Split:
    last = folded(session, talked)
    if last is None:
        return _Split(False, None, (Part(),))
    # Bounded on both sides, the touches not folded in yet are a short range of ids (an open range
    # looked like most of the table to SQLite, which then read a whole index).
    tail = Part(after_id=last, upto_id=max(repo.last_touch_id(session), last))
    if scope.since is None:
        return _Split(True, None, (tail,))
    first, own = first_whole_month(scope.since), month_of(scope.since)
    if own != first and scope.since - month_start(own) < month_start(first) - scope.since:
        # The period starts early in its month: that whole month from the counts, less the days before.
        return _Split(True, own, (tail, Part(since=month_start(own), before=scope.since, upto_id=last, sign=-1)))
    return _Split(True, first, (tail, Part(before=month_start(first), upto_id=last)))


def _by_day(split: _Split, scope: Scope) -> _Split:
    """For the figures counted by day as well (every rep's calls by hour and first conversations): the
    whole days of the period's first partial month from the daily counts, and from the touches only
    the hours before its first midnight. The daily counts hold every rep together, so a view of some
    reps reads their partial month from the touches as before."""
    if not split.tallied or scope.since is None or scope.rep_ids is not None:
        return split
    tail = split.parts[0]
    midnight, first = first_midnight(scope.since), first_whole_month(scope.since)
    hours = (Part(before=midnight, upto_id=tail.after_id),) if midnight > scope.since else ()
    return _Split(True, first, (tail, *hours), days=(midnight.date(), first) if midnight.date() < first else None)


def _counted(split: _Split) -> repo.Counted | None:
    """How the deal figures use the running counts: from the same months as the touches."""
    return repo.Counted(split.from_month, split.parts[0]) if split.tallied else None


def _read(split: _Split) -> tuple[Part, ...]:
    return tuple(part for part in split.parts if not part.empty)


def _ftc(session: Session, scope: Scope, talked: frozenset[str], split: _Split) -> dict[int, int]:
    histogram: dict[int, int] = defaultdict(int)
    for part in _read(split):
        for attempt, contacts in repo.ftc_attempts(session, scope, talked, part).items():
            histogram[attempt] += part.sign * contacts
    if split.tallied:
        for attempt, contacts in repo.tallied_ftc(session, scope, split.from_month).items():
            histogram[attempt] += contacts
    if split.days is not None:
        for attempt, contacts in repo.tallied_ftc_days(session, *split.days).items():
            histogram[attempt] += contacts
    return {attempt: contacts for attempt, contacts in histogram.items() if contacts}


def _call_cells(session: Session, scope: Scope, talked: frozenset[str]) -> dict[tuple[int, int], Cell]:
    split = _by_day(_split(session, scope, talked), scope)
    cells = local_cells(HourRow(row.timezone, row.utc_hour, part.sign * row.calls, part.sign * row.connects)
                        for part in _read(split) for row in repo.call_hours(session, scope, talked, part))
    counted = repo.tallied_hours(session, scope, split.from_month) if split.tallied else []
    if split.days is not None:
        counted += repo.tallied_day_hours(session, *split.days)
    add_cells(cells, ((c.weekday, c.hour, c.calls, c.connects) for c in counted))
    return {key: cell for key, cell in cells.items() if cell.calls or cell.connects}


def _activity_rows(session: Session, scope: Scope, talked: frozenset[str]) -> list[ActivityRow]:
    split = _split(session, scope, talked)
    rows: list[ActivityRow] = []
    for part in _read(split):
        found = repo.activity(session, scope, part)
        rows += found if part.sign > 0 else [row._replace(touches=-row.touches) for row in found]
    if split.tallied:
        rows += repo.tallied_activity(session, scope, split.from_month)
    return rows


def _learned(session: Session, scope: Scope, options: Options, talked: frozenset[str]
             ) -> tuple[dict[tuple[int, int], Cell], LearnedBenchmarks, WindowChoice]:
    """Connect rates by local hour, and what the closed deals and those rates teach."""
    cells = _call_cells(session, scope, talked)
    learned = learn(repo.discovery_calls(session, scope), minimum=options.min_closed_deals,
                    thresholds=options.thresholds)
    windows = learn_windows(cells, minimum_calls=options.min_window_calls,
                            per_window=options.min_calls_per_window, published=options.published_windows)
    return cells, learned, windows


def learned_for(session: Session, scope: Scope, options: Options) -> tuple[LearnedBenchmarks, WindowChoice]:
    """What the closed deals and the connect rates in this scope teach."""
    _, learned, windows = _learned(session, scope, options, repo.conversation_outcomes(session))
    return learned, windows


def _rep_lines(session: Session, view: View, scope: Scope, talked: frozenset[str], now: datetime) -> list[RepLine]:
    shown = [r for r in view.reps if view.rep_ids is None or r.id in view.rep_ids]
    per_rep = activity(_activity_rows(session, scope, talked), repo.calls_analysed(session, scope), talked)
    end_of_day = now + timedelta(hours=24)
    queues = repo.queue_sizes(session, [r.id for r in shown], end_of_day, now)
    empty = repo.QueueSize(0, 0)
    return [RepLine(r.id, r.name, r.email, queues.get(r.id, empty).due, queues.get(r.id, empty).overdue,
                    per_rep.get(r.id, RepActivity(r.id))) for r in shown]


def _to_coach(calls: list[dict[str, Any]], limit: int = 12) -> list[dict[str, Any]]:
    """Calls with at least one figure graded bad against the benchmarks, newest first."""
    out = []
    for call in calls:
        bad = [b for b in call["benchmarks"] if isinstance(b, dict) and b.get("verdict") == "bad"]
        if bad:
            out.append({**call, "bad": bad})
        if len(out) >= limit:
            break
    return out


# --- the deals (or contacts) behind one figure -------------------------------

FIGURES = ("follow-ups", "cycle", "give-up", "ftc", "call")


def behind(session: Session, view: View, figure: str, *, outcome: str | None = None, value: str = "",
           metric: str | None = None) -> list[dict[str, Any]]:
    """The rows a figure was computed from; the same filters as the figure itself."""
    scope = view.scope
    if figure == "follow-ups":
        return repo.deals_behind(session, scope, DealFilter(outcome=_outcome(outcome),
                                                            follow_ups=_int(value, "value")))
    if figure == "cycle":
        low, high = _days_range(value)
        return repo.deals_behind(session, scope, DealFilter(outcome=_outcome(outcome), days_low=low,
                                                            days_high=high, stalled=False))
    if figure == "give-up":
        rows = repo.deals_behind(session, scope, DealFilter(said_no=False, follow_ups=_int(value, "value")))
        return [r for r in rows if r["outcome"] == DealOutcome.LOST.value or r["outcome"] is None]
    if figure == "ftc":
        return repo.contacts_reached_at(session, scope, repo.conversation_outcomes(session), _int(value, "value"))
    if figure == "call":
        behaviour = BEHAVIOUR_BY_METRIC.get(metric or "")
        bin_ = bin_of(behaviour, value) if behaviour else None
        if behaviour is None or bin_ is None:
            raise NotFound("no such call figure", [Problem("metric", repr(metric), "follow a link from the page")])
        ids = tuple(r.deal_id for r in repo.discovery_calls(session, scope)
                    if (v := r.figure(behaviour.metric)) is not None and bin_.holds(v))
        return repo.deals_behind(session, scope, DealFilter(deal_ids=ids))
    raise NotFound(f"no figure {figure!r}", [Problem("figure", repr(figure), f"use one of: {', '.join(FIGURES)}")])


def _outcome(text: str | None) -> str:
    if text in (DealOutcome.WON.value, DealOutcome.LOST.value):
        return text
    raise NotFound("outcome must be won or lost", [Problem("outcome", repr(text), "use won or lost")])


def _int(text: str, where: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise NotFound(f"{text!r} is not a number", [Problem(where, repr(text), "follow a link from the page")]) \
            from None


def _days_range(text: str) -> tuple[int, int | None]:
    low, _, high = text.partition("-")
    return _int(low, "value"), (_int(high, "value") if high else None)


def cycle_bins(summary: Summary) -> list[tuple[str, str, int]]:
    """(label, link value, deals) per cycle-length bin."""
    out = []
    for low, high in CYCLE_BINS:
        count = sum(c for v, c in summary.distribution if v >= low and (high is None or v < high))
        label = f"{low}–{high} d" if high is not None else f"{low}+ d"
        out.append((label, f"{low}-{high if high is not None else ''}", count))
    return out


__all__ = ["Options", "TeamNumbers", "View", "behind", "cycle_bins", "resolve_view", "team_numbers",
           "window_name"]


def team_options(settings: Settings) -> Options:
    """The team-numbers options from the settings (cadence, team and analysis sections)."""
    cadence = settings.cadence.planning()
    windows = tuple(f"{w.describe()}" for w in cadence.call_windows)
    team = settings.team
    return Options(persistence=cadence.follow_ups_before_stalled, min_closed_deals=team.team_min_closed_deals,
                   min_window_calls=team.team_min_window_calls, min_calls_per_window=team.team_min_calls_per_window,
                   published_windows=windows, thresholds=analysis_thresholds(settings.analysis))
