"""The settings a team works with: the environment, then the desk's everyone-level, then the team's own.

Kept apart from the desk's use cases so that any service (planning, sending,
analysis) can read its team's settings without importing them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from ember.settings import Settings
from ember.team_settings import repository
from ember.team_settings.fields import BY_NAME


def read(settings: Settings, name: str) -> Any:
    """A setting by its flat name, wherever the Settings object keeps it (top level or a section)."""
    if name in type(settings).model_fields:
        return getattr(settings, name)
    for section in type(settings).model_fields:
        holder = getattr(settings, section)
        if hasattr(holder, "model_fields") and name in type(holder).model_fields:
            return getattr(holder, name)
    raise KeyError(name)


def _typed(values: Mapping[str, str]) -> dict[str, Any]:
    typed: dict[str, Any] = {}
    for name, text in values.items():
        field = BY_NAME.get(name)
        if field is None:
            continue  # a setting the desk no longer offers: ignored, not fatal
        try:
            typed[name] = field.parse(text)
        except ValueError:
            continue  # stored before a stricter check: the environment's value stands
    return typed


def settings_for(session: Session, base: Settings, team_id: int | None) -> Settings:
    """The settings a team works with (team None: the everyone-level)."""
    stored = repository.overrides(session, team_id)
    return base.model_copy(update=_typed(stored)) if stored else base
