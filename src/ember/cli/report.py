"""`ember report`: the team numbers in the terminal, as JSON, as CSV or as a self-contained HTML file."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ember.analytics import repository as analytics_repo
from ember.analytics.report import csv_rows, render_html, to_dict
from ember.analytics.service import View, resolve_view, team_numbers, team_options
from ember.analytics.tasks import adopt_learned
from ember.cli.common import (
    AS_OPTION,
    JSON_OPTION,
    acting_user,
    console,
    engine,
    print_json,
    transaction,
    user_errors,
)
from ember.errors import InvalidInput, Problem
from ember.settings import get_settings
from ember.tallies.service import catch_up
from ember.team_settings.effective import settings_for
from ember.validation import parse_date


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        day = parse_date(value)
    except ValueError as exc:
        raise InvalidInput(f"--since {value!r} is not a date",
                           [Problem("option --since", repr(value), "write it like 2026-01-31")]) from exc
    return datetime.combine(day, time(0), tzinfo=UTC)


def report(
    team: str | None = typer.Option(None, "--team", help="Team name (admins; managers see their own team)."),
    rep: str | None = typer.Option(None, "--rep", help="Only this rep (email)."),
    since: str | None = typer.Option(None, "--since", help="Only deals closed, contacts reached and touches "
                                                           "made since this date (YYYY-MM-DD)."),
    as_json: bool = JSON_OPTION,
    csv_file: Path | None = typer.Option(None, "--csv", help="Write every figure as CSV rows to this file."),
    html_file: Path | None = typer.Option(None, "--html", help="Write a self-contained HTML report with charts."),
    adopt: bool = typer.Option(False, "--adopt", help="First put the team's own call targets and windows to work "
                                                      "now, where its history suffices (the worker does it nightly)."),
    as_user: str | None = AS_OPTION,
) -> None:
    """The team's numbers: follow-ups to close, FTC attempts, call windows, give-up points, benchmarks."""
    with user_errors():
        start = _since(since)
    if adopt:
        _adopt(team, as_user)
    with user_errors():
        catch_up(engine())  # the touches logged since the worker's last fold, into the running counts
    with transaction() as session:
        actor = acting_user(session, as_user)
        view = resolve_view(session, actor, team=team, rep=rep, since=start)
        # Published targets as the team's settings have them, so both figures show side by side.
        published = settings_for(session, get_settings(), view.team_id, learned=False)
        numbers = team_numbers(session, view, team_options(published))
        data = to_dict(numbers)
        html = render_html(numbers, generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")) if html_file else ""
    if csv_file:
        with csv_file.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["section", "figure", "key", "value"])
            writer.writerows(csv_rows(data))
        console.print(f"Wrote {csv_file}")
    if html_file:
        html_file.write_text(html, encoding="utf-8")
        console.print(f"Wrote {html_file}")
    if as_json:
        print_json(data)
    elif not (csv_file or html_file):
        _print(data)


def _adopt(team: str | None, as_user: str | None) -> None:
    with transaction() as session:
        view: View = resolve_view(session, acting_user(session, as_user), team=team)
        names = {team.id: team.name for team in analytics_repo.teams(session)}
    team_ids = [view.team_id] if view.team_id is not None else list(names)
    with user_errors():
        adopted = adopt_learned(engine(), get_settings(), team_ids)
    for a in adopted:
        targets = a.thresholds or "the published targets (not enough closed deals yet)"
        windows = a.windows or "the published windows (not enough calls yet)"
        console.print(f"{names.get(a.team_id, a.team_id)}: call targets {targets}; call windows {windows}"
                      + ("; planned calls re-timed" if a.windows_changed and a.windows else ""))


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _print(d: dict[str, Any]) -> None:
    scope = d["scope"]
    console.print(f"[bold]Team numbers — {scope['team']}{', ' + scope['rep'] if scope['rep'] else ''}[/] "
                  f"({'since ' + scope['since'][:10] if scope['since'] else 'all history'})")
    table = Table("figure", "mean", "median", "behind it", title="Counts")
    fu, cy = d["follow_ups_to_close"], d["cycle_days"]
    ftc, gu = d["ftc_attempts_to_first_conversation"], d["give_up"]
    for name, s, unit in (("follow-ups to close, won", fu["won"], "deals"),
                          ("follow-ups to close, lost", fu["lost"], "deals"),
                          ("FTC attempts to first conversation", ftc, "contacts"),
                          ("follow-ups before giving up", gu, "deals"),
                          ("cycle days, won", cy["won"], "deals"), ("cycle days, lost", cy["lost"], "deals")):
        table.add_row(name, _num(s["mean"]), _num(s["median"], 0), f"{s['n']} {unit}")
    console.print(table)
    reached = ", ".join(f"#{n}: {_pct(s)}" for n, s in ftc["reached_by_attempt"].items())
    console.print(f"Reached by attempt: {reached}")
    console.print(f"Given up before {gu['persistence']} follow-ups: {gu['before_persistence']} of {gu['n']} deals "
                  f"({_pct(gu['share_before_persistence'])})")
    cr = d["connect_rate"]
    windows = "; ".join(f"{w['window']} {_pct(w['rate'])} ({w['n']} calls)" for w in cr["team_windows"])
    console.print(f"Calls connected: {cr['overall']['hits']} of {cr['overall']['n']} ({_pct(cr['overall']['rate'])}); "
                  f"windows in use: {cr['windows_in_use']} — "
                  + (windows if cr["team_windows"] else "; ".join(cr["published_windows"])))
    wr = d["win_rate_by_call"]
    note = (f"the team's own (at least {wr['minimum']} deals)" if wr["in_use"] == "team"
            else f"published; {wr['more_deals_needed']} more closed deals with a recorded call needed")
    bench = Table("call figure", "published", "team", title=f"Win rate by discovery call — benchmarks in use: {note}")
    for f in wr["figures"]:
        bench.add_row(f["title"], f["published"], f["team"] or "–")
    console.print(bench)
    reps = Table("rep", "due today", "overdue", "touches", "conversations", "calls analysed", title="Reps")
    for r in d["reps"]:
        reps.add_row(r["email"], str(r["due_today"]), str(r["overdue"]), str(r["touches"]), str(r["conversations"]),
                     str(r["calls_analysed"]))
    console.print(reps)
    funnel = " → ".join(f"{s['stage'].lower()} {s['contacts']}" for s in d["nurture_funnel"])
    console.print(f"Nurture: {funnel}")
