"""The worker's part in team numbers: every night, each team's learned targets and windows are brought up to date."""

from __future__ import annotations

from sqlalchemy import Engine

from ember.analytics import repository as repo
from ember.analytics.adoption import Adoption, adopt_for_team
from ember.db import unit_of_work
from ember.settings import Settings
from ember.team_settings.service import replan_run, start_system_replan


def adopt_learned(engine: Engine, settings: Settings, team_ids: list[int] | None = None, *,
                  retime: bool = True) -> list[Adoption]:
    """Learn each team's targets and windows (one transaction per team); re-time its plans when windows moved
    (``retime=False``: plans made so far stay as they are, new ones use the windows)."""
    if team_ids is None:
        with unit_of_work(engine) as session:
            team_ids = [team.id for team in repo.teams(session)]
    adoptions = []
    for team_id in team_ids:
        with unit_of_work(engine) as session:
            adoption = adopt_for_team(session, settings, team_id)
            run = start_system_replan(session, team_id) if adoption.windows_changed and retime else None
            run_id = run.id if run is not None else None
        if run_id is not None:
            replan_run(engine, settings, run_id)
        adoptions.append(adoption)
    return adoptions
