"""Every tunable of cadence planning and call timing, with the defaults, and how they are read.

Defaults come from published follow-up research:

* Wednesday 16:00-17:00 (the prospect's last working hour) is the best call
  window, Thursday and Friday at the same hour workable; 08:00-09:00 works
  for follow-ups while still qualifying.
* Most closed sales needed about five follow-up calls, while most reps give
  up after one to four rejections: keep going until five follow-ups in a row
  went unanswered before calling a deal stalled.

Times are wall-clock times in the *contact's* time zone. Windows with a lower
``priority`` number are better (1 = best).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from functools import lru_cache

from ember.errors import InvalidInput, Problem

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW_RE = re.compile(
    r"^\s*(?P<day>[a-z]{3})[a-z]*\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})"
    r"(?:\s+(?P<priority>\d+))?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class CallWindow:
    """A weekly call window: ``weekday`` 0=Monday, ``[start, end)`` local time."""

    weekday: int
    start: time
    end: time
    priority: int = 1

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"call window weekday must be 0 (Monday) to 6, got {self.weekday}")
        if self.start >= self.end:
            raise ValueError(f"call window {self.describe()} must start before it ends")
        if self.priority < 1:
            raise ValueError(f"call window {self.describe()}: priority must be 1 or more")

    @property
    def day_name(self) -> str:
        return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                "Sunday")[self.weekday]

    def describe(self) -> str:
        return f"{self.day_name} {self.start:%H:%M}-{self.end:%H:%M}"

    @classmethod
    def parse(cls, text: str) -> CallWindow:
        """Read ``"wed 16:00-17:00 1"`` (day, start-end, optional priority)."""
        match = _WINDOW_RE.match(text)
        if match is None or match["day"].lower() not in _DAYS:
            raise ValueError(
                f"call window {text!r} is not like 'wed 16:00-17:00 1' "
                "(day, start-end in 24 h, optional priority)"
            )
        return cls(
            weekday=_DAYS.index(match["day"].lower()),
            start=time.fromisoformat(match["start"].zfill(5)),
            end=time.fromisoformat(match["end"].zfill(5)),
            priority=int(match["priority"] or 1),
        )


def parse_windows(text: str) -> tuple[CallWindow, ...]:
    """Read windows separated by ``;`` or ``,`` (the form used in env vars)."""
    parts = [p for p in re.split(r"[;,]", text) if p.strip()]
    return tuple(CallWindow.parse(p) for p in parts)


def _weekdays(start: time, end: time, priority: int, days: range) -> tuple[CallWindow, ...]:
    return tuple(CallWindow(d, start, end, priority) for d in days)


DEFAULT_CALL_WINDOWS: tuple[CallWindow, ...] = (
    CallWindow(2, time(16), time(17), 1),  # Wednesday, last working hour: best
    CallWindow(3, time(16), time(17), 2),  # Thursday: workable
    CallWindow(4, time(16), time(17), 2),  # Friday: workable
)
# Early-morning calls work while qualifying in the follow-up phase.
DEFAULT_QUALIFYING_WINDOWS: tuple[CallWindow, ...] = _weekdays(time(8), time(9), 2, range(5))


@dataclass(frozen=True)
class CadenceSettings:
    """Cadence and timing settings (one object per team or deployment).

    call_windows: windows for every call (FTC and follow-up).
    qualifying_windows: extra windows for follow-up calls while the deal is
        still being qualified.
    working_hours: nothing is ever planned outside [start, end) local time.
    working_days: weekdays (0=Monday) on which anything may be planned.
    email_hour: local time at which emails (and social/SMS) are planned.
    skip_public_holidays: skip the public holidays of the contact's country.
    holidays_country: the country whose holidays count for a contact (and
        account) with no country; None: such contacts have no holidays.
    better_window_within_hours: take a better-priority window over the
        earliest one if it starts at most this many hours later.
    search_days: how far ahead to look for a call window before falling back
        to plain working hours.
    ftc_spacing_days: days to wait after FTC attempt n (index n-1; the last
        value repeats). Counted in the contact's calendar days.
    follow_up_spacing_days: days to wait after the conversation (index 0)
        and after the k-th unanswered follow-up (index k).
    follow_ups_before_stalled: unanswered follow-up attempts in a row after
        which the deal is called stalled and nothing more is planned.
    ftc_attempts_before_pause: FTC attempts without any conversation after
        which planning pauses until a trigger event; None = never pause.
    not_now_default_days: callback delay after "not now" with no date said.
    no_show_retry_days: delay before calling to re-book a missed meeting.
    nudge_after_days: days of silence since the last conversation after
        which follow-up messages become "nudge after silence" messages.
    pair_email_at_once: send the paired email right after a voicemail
        (within working hours) instead of at the email hour.
    """

    call_windows: tuple[CallWindow, ...] = DEFAULT_CALL_WINDOWS
    qualifying_windows: tuple[CallWindow, ...] = DEFAULT_QUALIFYING_WINDOWS
    working_hours: tuple[time, time] = (time(8), time(18))
    working_days: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))
    email_hour: time = time(9)
    skip_public_holidays: bool = True
    holidays_country: str | None = None
    better_window_within_hours: int = 24
    search_days: int = 35
    ftc_spacing_days: tuple[int, ...] = (1, 2, 3, 5, 7)
    follow_up_spacing_days: tuple[int, ...] = (2, 3, 5, 7, 7)
    follow_ups_before_stalled: int = 5
    ftc_attempts_before_pause: int | None = 10
    not_now_default_days: int = 30
    no_show_retry_days: int = 1
    nudge_after_days: int = 14
    pair_email_at_once: bool = True

    def __post_init__(self) -> None:
        start, end = self.working_hours
        if start >= end:
            raise ValueError("working_hours: the start must be before the end")
        if not self.working_days or not self.working_days <= frozenset(range(7)):
            raise ValueError("working_days: give at least one weekday, 0 (Monday) to 6")
        if not start <= self.email_hour < end:
            raise ValueError(
                f"email_hour {self.email_hour:%H:%M} is outside working hours "
                f"{start:%H:%M}-{end:%H:%M}"
            )
        for name in ("ftc_spacing_days", "follow_up_spacing_days"):
            values = getattr(self, name)
            if not values or min(values) < 0:
                raise ValueError(f"{name}: give one or more day counts, none negative")
        if self.follow_ups_before_stalled < 1:
            raise ValueError("follow_ups_before_stalled must be 1 or more")
        if self.search_days < 7:
            raise ValueError("search_days must be 7 or more (one full week)")


@dataclass(frozen=True)
class TeamCadence:
    """The cadence each team plans with: its own settings where the desk set any, else everyone's.

    Every re-plan that spans teams (``ember replan``, the bulk path) plans each contact with the
    settings of its owner's team, as a touch logged by that owner would."""

    everyone: CadenceSettings
    teams: dict[int, CadenceSettings] = field(default_factory=dict)

    def of(self, team_id: int | None) -> CadenceSettings:
        if team_id is None:
            return self.everyone
        return self.teams.get(team_id, self.everyone)


def _days(text: str, name: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.replace(";", ",").split(",") if part.strip())
    except ValueError as exc:
        raise InvalidInput(f"{name} is not a list of days",
                           [Problem(name, f"{text!r} is not numbers", "write days like 1,2,3,5,7")]) from exc
    if not values or min(values) < 0:
        raise InvalidInput(f"{name} is empty or negative", [Problem(name, repr(text), "write days like 1,2,3,5,7")])
    return values


def _hours(text: str, name: str) -> tuple[time, time]:
    try:
        start, end = (time.fromisoformat(part.strip().zfill(5)) for part in text.split("-"))
    except ValueError as exc:
        raise InvalidInput(f"{name} is not a time range",
                           [Problem(name, repr(text), "write it like 08:00-18:00")]) from exc
    return start, end


@lru_cache(maxsize=8)
def build_cadence_settings(items: tuple[tuple[str, object], ...]) -> CadenceSettings:
    """The planning settings from the environment's values (name, value) pairs.

    Cached on the values: planning a million contacts parses them once.
    """
    values: dict[str, object] = dict(items)
    name = ""
    try:
        name = "EMBER_CALL_WINDOWS"
        calls = parse_windows(str(values["call_windows"]))
        name = "EMBER_QUALIFYING_WINDOWS"
        qualifying = parse_windows(str(values["qualifying_windows"]))
        name = "EMBER_EMAIL_HOUR"
        email_hour = time.fromisoformat(str(values["email_hour"]).strip().zfill(5))
        return CadenceSettings(
            call_windows=calls,
            qualifying_windows=qualifying,
            working_hours=_hours(str(values["working_hours"]), "EMBER_WORKING_HOURS"),
            email_hour=email_hour,
            skip_public_holidays=bool(values["skip_public_holidays"]),
            holidays_country=str(values["holidays_country"]).strip().upper() or None,
            ftc_spacing_days=_days(str(values["ftc_spacing_days"]), "EMBER_FTC_SPACING_DAYS"),
            follow_up_spacing_days=_days(str(values["follow_up_spacing_days"]), "EMBER_FOLLOW_UP_SPACING_DAYS"),
            follow_ups_before_stalled=_int(values["follow_ups_before_stalled"]),
            ftc_attempts_before_pause=_int(values["ftc_attempts_before_pause"]) or None,
            not_now_default_days=_int(values["not_now_default_days"]),
            nudge_after_days=_int(values["nudge_after_days"]),
        )
    except ValueError as exc:
        raise InvalidInput(f"the setting {name or 'cadence'} is not valid",
                           [Problem(name or "cadence settings", str(exc), "see docs/configuration.md")]) from exc


def _int(value: object) -> int:
    return value if isinstance(value, int) else int(str(value))
