"""The team numbers as data (JSON, CSV rows), as charts, and as one self-contained HTML file.

The page and ``ember report`` both build from ``to_dict`` and ``charts``, so
the figures they show are the same figures.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ember.analytics.charts import CHART_CSS, Bar, bars, heatmap, paired_bars
from ember.analytics.metrics import WEEKDAYS, Rate, Summary
from ember.analytics.service import TeamNumbers, cycle_bins

# figure, params -> address of the deals behind it (None: no links, e.g. in a file)
Linker = Callable[..., str | None]


def _rate(rate: Rate) -> dict[str, Any]:
    return {"hits": rate.hits, "n": rate.n, "rate": rate.value, "low": round(rate.low, 4),
            "high": round(rate.high, 4)}


def _summary(summary: Summary) -> dict[str, Any]:
    return {"n": summary.n, "mean": summary.mean, "median": summary.median,
            "distribution": {str(v): c for v, c in summary.distribution}}


def to_dict(numbers: TeamNumbers) -> dict[str, Any]:
    view, learned, windows = numbers.view, numbers.learned, numbers.windows
    return {
        "scope": {"team": view.team_name, "rep": view.rep_name,
                  "since": view.since.isoformat() if view.since else None},
        "follow_ups_to_close": {"won": _summary(numbers.follow_ups_won), "lost": _summary(numbers.follow_ups_lost)},
        "ftc_attempts_to_first_conversation": {**_summary(numbers.ftc),
                                               "reached_by_attempt": {str(n): round(s, 4)
                                                                      for n, s in numbers.ftc_reached_by}},
        "connect_rate": {
            "overall": _rate(windows.overall), "windows_in_use": windows.in_use,
            "published_windows": list(windows.published),
            "team_windows": [{"window": name, **_rate(rate)} for name, rate in windows.team],
            "more_calls_needed": windows.more_needed,
            "by_local_hour": [{"weekday": WEEKDAYS[c.weekday], "hour": c.hour, **_rate(c.rate)}
                              for c in sorted(numbers.cells.values(), key=lambda c: (c.weekday, c.hour))],
        },
        "give_up": {**_summary(numbers.give_up.summary), "persistence": numbers.give_up.persistence,
                    "before_persistence": numbers.give_up.before_persistence,
                    "share_before_persistence": numbers.give_up.share_early},
        "cycle_days": {"won": _summary(numbers.cycle_won), "lost": _summary(numbers.cycle_lost)},
        "win_rate_by_call": {
            "in_use": learned.in_use, "closed_deals_with_calls": learned.closed_with_calls,
            "minimum": learned.minimum, "more_deals_needed": learned.more_needed,
            "overall": _rate(learned.overall),
            "figures": [{"metric": f.metric, "title": f.title, "published": f.published,
                         "team": f.team_target,
                         "bins": [{"bin": b.bin.key, "label": b.bin.label, **_rate(b.rate)} for b in f.bins]}
                        for f in learned.figures],
        },
        "nurture_funnel": [{"stage": name, "contacts": count, "share_of_previous": share}
                           for name, count, share in numbers.funnel.steps()],
        "reps": [{"email": r.email, "name": r.name, "due_today": r.due_today, "overdue": r.overdue,
                  "touches": r.activity.touches, "conversations": r.activity.conversations,
                  "calls_analysed": r.activity.calls_analysed, "by_channel": r.activity.by_channel,
                  "by_outcome": r.activity.by_outcome} for r in numbers.reps],
        "stalled_deals": [{"deal_id": d["deal_id"], "name": d["name"], "rep": d["rep"],
                           "stalled_at": d["stalled_at"].isoformat(), "follow_ups": d["follow_ups"]}
                          for d in numbers.stalled],
        "calls_to_coach": [{"call_id": c["call_id"], "rep": c["rep"], "contact": c["contact"],
                            "at": c["at"].isoformat(), "bad": [b.get("metric") for b in c["bad"]]}
                           for c in numbers.coaching],
    }


def csv_rows(data: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    """(section, figure, key, value): one line per number, easy to pivot in a spreadsheet."""
    rows: list[tuple[str, str, str, Any]] = []

    def summary(section: str, figure: str, s: dict[str, Any]) -> None:
        rows.extend((section, figure, key, s[key]) for key in ("n", "mean", "median"))
        rows.extend((section, figure, f"count at {v}", c) for v, c in s["distribution"].items())

    for outcome in ("won", "lost"):
        summary("follow-ups to close", outcome, data["follow_ups_to_close"][outcome])
        summary("cycle days", outcome, data["cycle_days"][outcome])
    summary("FTC attempts to first conversation", "all", data["ftc_attempts_to_first_conversation"])
    rows.extend(("FTC attempts to first conversation", "reached by attempt", n, s)
                for n, s in data["ftc_attempts_to_first_conversation"]["reached_by_attempt"].items())
    summary("give-up point", "lost or stalled, nobody said no", data["give_up"])
    for cell in data["connect_rate"]["by_local_hour"]:
        rows.append(("connect rate", f"{cell['weekday']} {cell['hour']:02d}:00", "calls", cell["n"]))
        rows.append(("connect rate", f"{cell['weekday']} {cell['hour']:02d}:00", "connected", cell["hits"]))
    for figure in data["win_rate_by_call"]["figures"]:
        for b in figure["bins"]:
            rows.append(("win rate by call", f"{figure['metric']} {b['label']}", "deals", b["n"]))
            rows.append(("win rate by call", f"{figure['metric']} {b['label']}", "won", b["hits"]))
    rows.extend(("nurture funnel", s["stage"], "contacts", s["contacts"]) for s in data["nurture_funnel"])
    for rep in data["reps"]:
        for key in ("touches", "conversations", "calls_analysed", "due_today", "overdue"):
            rows.append(("activity", rep["email"], key, rep[key]))
    return rows


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def charts(numbers: TeamNumbers, link: Linker) -> dict[str, Markup]:
    """Every chart of the dashboard; ``link`` gives each bar the address of its deals."""
    def series(summary: Summary, outcome: str, tone: str) -> list[Bar]:
        return [Bar(str(v), c, f"{_plural(c, outcome + ' deal')} needed {v} follow-ups",
                    link("follow-ups", outcome=outcome, value=str(v)), tone) for v, c in summary.distribution]

    out = {
        "follow_ups": paired_bars(series(numbers.follow_ups_won, "won", "a"),
                                  series(numbers.follow_ups_lost, "lost", "b"),
                                  label="Follow-ups per closed deal, won next to lost"),
        "ftc": bars([Bar(str(v), c, f"{_plural(c, 'contact')} first reached on attempt {v}",
                         link("ftc", value=str(v))) for v, c in numbers.ftc.distribution],
                    label="First-time-call attempts until the first conversation"),
        "give_up": bars([Bar(str(v), c, f"{_plural(c, 'deal')} dropped after {v} follow-ups",
                             link("give-up", value=str(v)), "b" if v < numbers.give_up.persistence else "a")
                         for v, c in numbers.give_up.summary.distribution],
                        label="Follow-ups made before a deal was given up"),
        "heat": heatmap(numbers.cells, seed=_seed_cells(numbers), team=_team_cells(numbers),
                        label="Connect rate by the prospect's local weekday and hour"),
    }
    for outcome, summary, tone in (("won", numbers.cycle_won, "a"), ("lost", numbers.cycle_lost, "b")):
        out[f"cycle_{outcome}"] = bars(
            [Bar(label, c, f"{_plural(c, outcome + ' deal')} took {label.replace('d', 'days')}",
                 link("cycle", outcome=outcome, value=value), tone) for label, value, c in cycle_bins(summary)],
            label=f"Days from first touch to close, {outcome} deals")
    for figure in numbers.learned.figures:
        out[f"call_{figure.metric}"] = bars(
            [Bar(b.bin.label, b.rate.value or 0.0,
                 f"{b.bin.label}: {b.rate.hits} of {_plural(b.rate.n, 'deal')} won",
                 link("call", metric=figure.metric, value=b.bin.key) if b.rate.n else None)
             for b in figure.bins], label=f"Win rate by {figure.title.lower()}", percent=True, width=320,
             height=170)
    return out


def _window_cells(names: tuple[str, ...]) -> set[tuple[int, int]]:
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    cells = set()
    for name in names:
        day, _, hours = name.partition(" ")
        start, _, end = hours.partition("-")
        if day in days and start and end:
            for hour in range(int(start[:2]), int(end[:2]) + (1 if end[3:5] not in ("", "00") else 0)):
                cells.add((days.index(day), hour))
    return cells


def _seed_cells(numbers: TeamNumbers) -> set[tuple[int, int]]:
    return _window_cells(numbers.windows.published)


def _team_cells(numbers: TeamNumbers) -> set[tuple[int, int]]:
    return _window_cells(tuple(name for name, _ in numbers.windows.team))


_ENV = Environment(loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
                   autoescape=select_autoescape(["html"]))


def render_html(numbers: TeamNumbers, *, generated: str) -> str:
    """One HTML file with its styles and charts inside: open it anywhere, offline."""
    template = _ENV.get_template("report.html")
    return template.render(n=numbers, d=to_dict(numbers), charts=charts(numbers, lambda *a, **k: None),
                           css=Markup(CHART_CSS), generated=generated)
