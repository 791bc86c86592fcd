"""The manager's dashboard: the team's numbers with charts, and the deals behind every figure."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from ember.analytics.report import charts, to_dict
from ember.analytics.service import TeamNumbers, View, behind, resolve_view, team_numbers, team_options
from ember.api.deps import Db
from ember.cadence.timing import zone
from ember.errors import NotFound
from ember.tallies.service import catch_up
from ember.team_settings.effective import settings_for
from ember.users.access import Actor
from ember.vocabulary import Role
from ember.web.desk import PageUser
from ember.web.templating import render

router = APIRouter(include_in_schema=False)

# (value, label): the periods offered; numbers count deals closed, contacts reached and touches made in it.
PERIODS = (("30", "Last 30 days"), ("90", "Last 90 days"), ("180", "Last 6 months"), ("365", "Last 12 months"),
           ("all", "All history"))
DEFAULT_PERIOD = "365"
# The figures of one view are computed at most once a minute per process: a
# manager flipping between reps and periods gets answers at once, and numbers
# over months of history hardly move in a minute. The page says when they were computed.
FRESH_FOR_S = 60.0
_recent: dict[tuple[Any, ...], tuple[float, TeamNumbers, datetime]] = {}
_recent_lock = threading.Lock()


def _since(period: str, now: datetime) -> datetime | None:
    if period == "all":
        return None
    return now - timedelta(days=int(period))


def _filters(team: str, rep: str, period: str) -> dict[str, str]:
    return {k: v for k, v in (("team", team), ("rep", rep), ("period", period)) if v}


def _view(db: Db, actor: Actor, team: str, rep: str, period: str) -> tuple[View, str]:
    if actor.role is Role.REP:
        raise NotFound("page not found", [])
    period = period if period in dict(PERIODS) else DEFAULT_PERIOD
    return resolve_view(db, actor, team=team or None, rep=rep or None, since=_since(period, datetime.now(UTC))), period


@router.get("/team")
def team_page(request: Request, db: Db, actor: PageUser, team: str = "", rep: str = "",
              period: str = DEFAULT_PERIOD) -> Response:
    view, period = _view(db, actor, team, rep, period)
    numbers, computed_at = _numbers(db, view, period, request.app.state.settings, request.app.state.engine)
    filters = _filters(team, rep, period)

    def link(figure: str, **params: str) -> str:
        return "/team/deals?" + urlencode({"figure": figure, **params, **filters})

    return render(request, "team.html", n=numbers, d=to_dict(numbers), charts=charts(numbers, link), view=view,
                  periods=PERIODS, period=period, team=team, rep=rep, filters=urlencode(filters),
                  is_admin=actor.role is Role.ADMIN, computed_at=computed_at.astimezone(zone(actor.timezone)))


def _numbers(db: Db, view: View, period: str, base: Any, engine: Engine) -> tuple[TeamNumbers, datetime]:
    key = (id(base), view.team_id, view.rep_ids, period)
    now = time.monotonic()
    with _recent_lock:
        hit = _recent.get(key)
        if hit is not None and now - hit[0] < FRESH_FOR_S:
            return hit[1], hit[2]
    catch_up(engine)  # the touches logged since the worker's last fold, into the running counts
    # Published targets as the team's settings have them, so the learned ones show beside them.
    numbers = team_numbers(db, view, team_options(settings_for(db, base, view.team_id, learned=False)))
    computed_at = datetime.now(UTC)
    with _recent_lock:
        if len(_recent) > 64:  # old views go first; a handful of managers keep it small anyway
            for stale in [k for k, v in _recent.items() if now - v[0] >= FRESH_FOR_S] or list(_recent)[:32]:
                _recent.pop(stale, None)
        _recent[key] = (now, numbers, computed_at)
    return numbers, computed_at


_TITLES = {"follow-ups": "{outcome} deals that needed {value} follow-ups",
           "cycle": "{outcome} deals that took {value} days", "give-up": "Deals dropped after {value} follow-ups",
           "ftc": "Contacts first reached on attempt {value}", "call": "Deals whose discovery call had {label}"}


@router.get("/team/deals")
def deals_behind_page(request: Request, db: Db, actor: PageUser, figure: str = "", outcome: str = "", value: str = "",
                      metric: str = "", team: str = "", rep: str = "", period: str = DEFAULT_PERIOD) -> Response:
    view, period = _view(db, actor, team, rep, period)
    rows = behind(db, view, figure, outcome=outcome or None, value=value, metric=metric or None)
    title = _TITLES.get(figure, "").format(outcome=outcome.capitalize(), value=value.rstrip("-") +
                                           ("+" if value.endswith("-") else ""),
                                           label=f"{metric.replace('_', ' ')} {value}")
    back = "/team?" + urlencode(_filters(team, rep, period))
    context: dict[str, Any] = {"rows": rows, "title": title, "figure": figure, "view": view, "back": back,
                               "period_label": dict(PERIODS)[period]}
    return render(request, "team_deals.html", **context)
