"""The desk's settings: cadence, call analysis and the mail server, per team; the re-plan after a change.

A manager changes their own team's values; an admin those of everyone or of any
team (``?team=ID``). Each value shows what it would be without the change.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ember.api.deps import Db
from ember.calls.service import analysis_thresholds
from ember.conversation import Thresholds
from ember.errors import EmberError, NotFound
from ember.team_settings import service
from ember.team_settings.effective import settings_for
from ember.team_settings.fields import BY_NAME, GROUPS
from ember.users import management
from ember.users.access import Actor
from ember.web.desk import DeskUser, checked_form, done, failed
from ember.web.settings_pages import desk, sections_for
from ember.web.templating import render

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form()]

TITLES = {"cadence": ("Cadence", "When and how often reps follow up. Times are in the contact's own time zone."),
          "analysis": ("Call analysis", "Targets the call reviews hold each call against."),
          "smtp": ("Email sending", "The mail server follow-up emails leave through.")}


def _team(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _context(request: Request, db: Db, actor: Actor, group: str, team: int | None) -> dict[str, Any]:
    if group not in GROUPS:
        raise NotFound(f"no settings named {group!r}")
    base = request.app.state.settings
    team_id = service.scope_team(db, actor, team)
    teams = management.visible_teams(db, actor)
    run = service.repository.latest_run(db, team_id) if group == "cadence" else None
    published = Thresholds()
    in_use = analysis_thresholds(settings_for(db, base, team_id).analysis) if group == "analysis" else published
    names = {f.name for f in GROUPS[group]}
    learned = {BY_NAME[name].label: value for name, value in service.repository.learned(db, team_id).items()
               if name in names} if team_id is not None else {}
    return {"section": group, "group": group, "title": TITLES[group],
            "rows": service.shown(db, actor, base, group, team), "team_id": team_id, "teams": teams,
            "team_name": next((t.name for t in teams if t.id == team_id), None), "run": run, "learned": learned,
            "thresholds": [(name, getattr(published, name), getattr(in_use, name))
                           for name in published.__dataclass_fields__] if group == "analysis" else None}


def _page(group: str):  # type: ignore[no-untyped-def]
    def page(request: Request, db: Db, actor: DeskUser, team: str | None = None) -> Response:
        return desk(request, "settings/config.html", actor, **_context(request, db, actor, group, _team(team)))
    return page


def _save(group: str):  # type: ignore[no-untyped-def]
    async def save(request: Request, db: Db, actor: DeskUser) -> Response:
        return await save_group(request, db, actor, group)
    return save


def _suffix(team_id: int | None, actor: Actor) -> str:
    return f"?team={team_id}" if actor.is_admin and team_id is not None else ""


async def save_group(request: Request, db: Db, actor: DeskUser, group: str) -> Response:
    form = {key: str(value) for key, value in (await request.form()).items()}
    checked_form(request, form.pop("csrf", ""))
    team = _team(form.pop("team", None))
    base = request.app.state.settings
    try:
        if form.pop("action", "save") == "reset":
            service.reset(db, actor, group, team)
            return done(request, "Back to the values everyone else uses.", f"/settings/{group}{_suffix(team, actor)}")
        changed = service.save(db, actor, base, group, team, form)
    except EmberError as exc:
        if isinstance(exc, NotFound):
            raise
        db.rollback()
        context = _context(request, db, actor, group, team)
        return failed(request, db, "settings/config.html", exc, sections=sections_for(actor, request), form=form,
                      **context)
    team_id = service.scope_team(db, actor, team)
    if group == "cadence" and changed:
        request.session["offer_replan"] = True
    said = f"Saved: {', '.join(name.replace('_', ' ') for name in changed)}." if changed else "Nothing changed."
    return done(request, said, f"/settings/{group}{_suffix(team_id, actor)}")


for _group in GROUPS:
    router.add_api_route(f"/settings/{_group}", _page(_group), methods=["GET"])
    router.add_api_route(f"/settings/{_group}", _save(_group), methods=["POST"])


@router.post("/settings/smtp/test")
def test_email(request: Request, db: Db, actor: DeskUser, test_to: FormText = "", team: FormText = "",
               csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    try:
        said = service.send_test_email(db, actor, request.app.state.settings, _team(team), test_to)
    except EmberError as exc:
        if isinstance(exc, NotFound):
            raise
        context = _context(request, db, actor, "smtp", _team(team))
        return failed(request, db, "settings/config.html", exc, sections=sections_for(actor, request),
                      test_to=test_to, **context)
    return done(request, said, f"/settings/smtp{_suffix(_team(team), actor)}")


# ---- re-plan ---------------------------------------------------------------------------------

@router.post("/settings/cadence/replan")
def start_replan(request: Request, db: Db, actor: DeskUser, team: FormText = "", csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    run = service.start_replan(db, actor, _team(team))
    db.commit()  # the run's row exists before the work starts in the background
    service.replan_in_background(request.app.state.engine, request.app.state.settings, run.id)
    request.session.pop("offer_replan", None)
    if request.headers.get("hx-request"):
        return render(request, "settings/_replan.html", run=run)
    return done(request, "Re-planning started.", f"/settings/cadence{_suffix(run.team_id, actor)}")


@router.get("/settings/cadence/replan/{run_id}")
def replan_progress(request: Request, db: Db, actor: DeskUser, run_id: int) -> Response:
    """The progress bar (htmx polls it every second while the re-plan runs)."""
    return render(request, "settings/_replan.html", run=service.run_view(db, actor, run_id))
