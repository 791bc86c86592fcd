"""The settings a team works with: the environment, then the desk's everyone-level, then the team's own.

Below all of these sit the values the team learned from its own closed deals
(call targets and call windows, see analytics/adopt.py): they replace the
published defaults only, so a value anyone set on purpose still wins.

Kept apart from the desk's use cases so that any service (planning, sending,
analysis) can read its team's settings without importing them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from ember import secretbox
from ember.conversation.benchmarks import Thresholds
from ember.settings import Settings
from ember.settings.cadence import TeamCadence, parse_windows
from ember.team_settings import repository
from ember.team_settings.fields import BY_NAME


def read(settings: Settings, name: str) -> Any:
    """A setting by its flat name, wherever the Settings object keeps it (top level or a section)."""
    if name in type(settings).model_fields:
        return getattr(settings, name)
    for section in type(settings).model_fields:
        holder = getattr(settings, section)
        if name in getattr(type(holder), "model_fields", {}):
            return getattr(holder, name)
    raise KeyError(name)


def _typed(values: Mapping[str, str], key: str | None) -> dict[str, Any]:
    typed: dict[str, Any] = {}
    for name, text in values.items():
        field = BY_NAME.get(name)
        if field is None:
            continue  # a setting the desk no longer offers: ignored, not fatal
        if field.secret and secretbox.is_sealed(text):
            try:
                text = secretbox.unseal(key, text)
            except secretbox.NotReadable:
                continue  # the key changed: the environment's value stands until someone enters it again
        try:
            typed[name] = field.parse(text)
        except ValueError:
            continue  # stored before a stricter check: the environment's value stands
    return typed


def settings_for(session: Session, base: Settings, team_id: int | None, *, learned: bool = True) -> Settings:
    """The settings a team works with (team None: the everyone-level); ``learned=False``: as published."""
    found = repository.levels(session, team_id)
    stored, taught = found.explicit, found.taught
    values = _typed(stored, base.inbox.inbox_key)
    if learned and taught:
        values.update(_adopted(base, stored, taught))
    return base.model_copy(update=values) if values else base


def team_cadence(session: Session, base: Settings) -> TeamCadence:
    """The planning settings of every team (its own, the everyone-level and learned windows included):
    what a re-plan across teams plans each contact with."""
    teams = {team_id: settings_for(session, base, team_id).cadence.planning()
             for team_id in repository.team_ids(session)}
    return TeamCadence(settings_for(session, base, None).cadence.planning(), teams)


def _is_published(base: Settings, name: str) -> bool:
    """The environment leaves this setting at the value Ember ships with."""
    for section in type(base).model_fields:
        fields = getattr(type(getattr(base, section)), "model_fields", {})
        if name in fields:
            return bool(getattr(getattr(base, section), name) == fields[name].default)
    return False


def _adopted(base: Settings, stored: Mapping[str, str], taught: Mapping[str, str]) -> dict[str, Any]:
    """The learned values that apply: windows only where nobody chose any, targets under any chosen ones."""
    adopted: dict[str, Any] = {}
    windows = taught.get("call_windows", "")
    if windows and "call_windows" not in stored and _is_published(base, "call_windows"):
        try:
            parse_windows(windows)
            adopted["call_windows"] = windows
        except ValueError:
            pass  # learned under older rules: the published windows stand
    targets = taught.get("analysis_thresholds", "")
    if targets:
        chosen = stored.get("analysis_thresholds", read(base, "analysis_thresholds"))
        combined = f"{targets}, {chosen}" if chosen else targets  # later names win: the chosen ones
        try:
            Thresholds().with_overrides(combined)
            adopted["analysis_thresholds"] = combined
        except ValueError:
            pass
    return adopted
