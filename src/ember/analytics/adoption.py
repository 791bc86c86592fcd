"""Putting what each team learned to work: its call targets grade its calls, its windows time its calls.

Run nightly by the worker (and by ``ember report --adopt``): for each team, the
learned benchmarks and call windows are worked out from all its reps' history
and kept as the team's learned settings, which sit under anything set on the
desk. When the windows change, the team's planned touches are re-timed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ember.analytics import repository as repo
from ember.analytics.adopt import thresholds_text, windows_text
from ember.analytics.repository import Scope
from ember.analytics.service import learned_for, team_options
from ember.settings import Settings
from ember.team_settings import repository as team_repo
from ember.team_settings.effective import settings_for


@dataclass(frozen=True, slots=True)
class Adoption:
    team_id: int
    thresholds: str  # the call targets now in use from the team's deals ("" = the published ones)
    windows: str  # the call windows now in use from the team's calls ("" = the published ones)
    windows_changed: bool


def adopt_for_team(session: Session, base: Settings, team_id: int) -> Adoption:
    """Learn the team's targets and windows from its history and keep them as its learned settings."""
    published = team_options(settings_for(session, base, team_id, learned=False))
    reps = tuple(r.id for r in repo.reps(session, team_id))
    learned, windows = learned_for(session, Scope(reps, None), published)
    values = {"analysis_thresholds": thresholds_text(learned, published.thresholds),
              "call_windows": windows_text(windows)}
    before = team_repo.learned(session, team_id).get("call_windows", "")
    team_repo.replace_learned(session, team_id, values)
    return Adoption(team_id, values["analysis_thresholds"], values["call_windows"],
                    windows_changed=before != values["call_windows"])
