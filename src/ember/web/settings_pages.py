"""The desk: people, teams and alert channels (/settings).

Managers run their team here, admins everything; a rep only reaches their own
alert channels. Every change goes through the users and alerts services, which
enforce the same rules as the API and the CLI.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ember.alerts import service as alert_service
from ember.alerts.delivery import send_test
from ember.alerts.destinations import destination_policy
from ember.api.deps import Db
from ember.errors import EmberError, NotFound
from ember.models import User
from ember.users import management
from ember.users.access import Actor
from ember.users.management import UserInput
from ember.users.service import current_user
from ember.vocabulary import Role
from ember.web.desk import DeskUser, PageUser, checked_form, done, failed
from ember.web.templating import render

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form()]

SECTIONS = (
    ("users", "/settings/users", "People", "Add people, set roles, teams and time zones, reset passwords, API tokens."),
    ("teams", "/settings/teams", "Teams", "The teams people belong to."),
    ("alerts", "/settings/alerts", "Alert channels", "Where each person's alerts go besides the app."),
    ("mailbox", "/settings/mailbox", "Mailbox", "Your own mailbox: replies, bounces and sent mail log themselves."),
    ("sources", "/settings/sources", "Event sources", "Sites and tools that send events: secrets, snippet."),
    ("rules", "/settings/rules", "Trigger rules", "Which events mean a contact is warm again."),
    ("messages", "/settings/messages", "Message library", "Voicemails, emails and lines reps rotate through."),
    ("templates", "/settings/templates", "Templates", "Notes, openers, briefs and emails, with a live preview."),
    ("stories", "/settings/stories", "Customer stories", "Stories and proof points briefs and openers draw on."),
    ("cadence", "/settings/cadence", "Cadence", "Call windows, spacing, persistence and holidays."),
    ("analysis", "/settings/analysis", "Call analysis", "Benchmark thresholds for the call reviews."),
    ("smtp", "/settings/smtp", "Email sending", "The mail server follow-ups are sent through."),
    ("import", "/settings/import", "Import CSV", "Contacts, accounts, deals or touches from a spreadsheet or CRM."),
    ("audit", "/admin/audit", "Audit trail",
     "Who changed people, contacts, rules, templates, sources and settings, and when."),
)
ADMIN_ONLY = frozenset({"sources", "audit"})
EVERYONE = frozenset({"alerts", "mailbox"})  # what a rep may open: their own


def sections_for(actor: Actor, request: Request | None = None) -> list[tuple[str, str, str, str]]:
    """The sections this person may open: a rep only their alert channels and mailbox, admins everything."""
    return [s for s in SECTIONS
            if (s[0] in EVERYONE or actor.role is not Role.REP) and (s[0] not in ADMIN_ONLY or actor.is_admin)]


def desk(request: Request, template: str, actor: Actor, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A desk page: the section list beside it."""
    return render(request, template, status_code=status_code, sections=sections_for(actor, request), **context)


@router.get("/settings")
def settings_home(request: Request, actor: PageUser) -> Response:
    if actor.role is Role.REP:
        return RedirectResponse("/settings/alerts", status_code=303)
    return desk(request, "settings/index.html", actor, section="")


# ---- people ----------------------------------------------------------------------------

def _users_page(request: Request, db: Db, actor: Actor, status_code: int = 200, **extra: Any) -> HTMLResponse:
    teams = management.visible_teams(db, actor)
    extra.setdefault("form", {"role": "rep", "timezone": actor.timezone,
                              "team_id": str(actor.team_id or "")})
    return desk(request, "settings/users.html", actor, status_code, section="users",
                users=management.managed_users(db, actor), teams=teams,
                team_names={t.id: t.name for t in teams}, roles=_roles(actor), **extra)


def _roles(actor: Actor) -> list[str]:
    return [r.value for r in Role if r is not Role.ADMIN or actor.role is Role.ADMIN]


def _team_id(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


@router.get("/settings/users")
def users_page(request: Request, db: Db, actor: DeskUser) -> Response:
    return _users_page(request, db, actor)


@router.post("/settings/users")
def add_user(request: Request, db: Db, actor: DeskUser, email: FormText = "", name: FormText = "",
             role: FormText = "rep", team_id: FormText = "", timezone: FormText = "UTC", password: FormText = "",
             csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    form = {"email": email, "name": name, "role": role, "team_id": team_id, "timezone": timezone}
    try:
        user = management.create_user(db, actor, email=email, password=password,
                                      data=UserInput(name, role, _team_id(team_id), timezone.strip()))
    except EmberError as exc:
        teams = management.visible_teams(db, actor)
        return failed(request, db, "settings/users.html", exc, sections=sections_for(actor, request), section="users",
                      users=management.managed_users(db, actor), teams=teams,
                      team_names={t.id: t.name for t in teams}, roles=_roles(actor), form=form)
    return done(request, f"Added {user.name} ({user.role}). They log in as {user.email} with the password you set.",
                f"/settings/users/{user.id}")


def _user_page(request: Request, db: Db, actor: Actor, user: User, status_code: int = 200,
               **extra: Any) -> HTMLResponse:
    extra.setdefault("form", {"name": user.name, "role": user.role, "team_id": str(user.team_id or ""),
                              "timezone": user.timezone})
    return desk(request, "settings/user.html", actor, status_code, section="users", person=user,
                teams=management.visible_teams(db, actor), roles=_roles(actor),
                tokens=management.tokens_of(db, actor, user.id), **extra)


@router.get("/settings/users/{user_id}")
def user_page(request: Request, db: Db, actor: DeskUser, user_id: int) -> Response:
    return _user_page(request, db, actor, management.managed_user(db, actor, user_id))


@router.post("/settings/users/{user_id}")
def change_user(request: Request, db: Db, actor: DeskUser, user_id: int, name: FormText = "", role: FormText = "",
                team_id: FormText = "", timezone: FormText = "", csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    form = {"name": name, "role": role, "team_id": team_id, "timezone": timezone}
    try:
        user = management.update_user(db, actor, user_id, UserInput(name, role, _team_id(team_id), timezone.strip()))
    except EmberError as exc:
        if isinstance(exc, NotFound):
            raise
        db.rollback()
        person = management.managed_user(db, actor, user_id)
        return failed(request, db, "settings/user.html", exc, sections=sections_for(actor, request), section="users",
                      person=person, teams=management.visible_teams(db, actor), roles=_roles(actor),
                      tokens=management.tokens_of(db, actor, user_id), form=form)
    return done(request, f"Saved {user.name}.", f"/settings/users/{user.id}")


@router.post("/settings/users/{user_id}/active")
def set_active(request: Request, db: Db, actor: DeskUser, user_id: int, active: FormText = "",
               csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    user = management.set_user_active(db, actor, user_id, active == "1")
    words = "can log in again" if user.is_active else "is deactivated: logins, sessions and API tokens stopped"
    return done(request, f"{user.name} {words}.", f"/settings/users/{user.id}")


@router.post("/settings/users/{user_id}/password")
def reset_password(request: Request, db: Db, actor: DeskUser, user_id: int, csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    user, password = management.reset_password(db, actor, user_id)
    return _user_page(request, db, actor, user, secret=("password", password))


@router.post("/settings/users/{user_id}/tokens")
def add_token(request: Request, db: Db, actor: DeskUser, user_id: int, token_name: FormText = "",
              csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    user = management.managed_user(db, actor, user_id)
    try:
        token = management.new_token(db, actor, user_id, token_name)
    except EmberError as exc:
        return failed(request, db, "settings/user.html", exc, sections=sections_for(actor, request), section="users",
                      person=user, teams=management.visible_teams(db, actor), roles=_roles(actor),
                      tokens=management.tokens_of(db, actor, user_id),
                      form={"name": user.name, "role": user.role, "team_id": str(user.team_id or ""),
                            "timezone": user.timezone, "token_name": token_name})
    return _user_page(request, db, actor, user, secret=("API token", token))


@router.post("/settings/users/{user_id}/tokens/{token_id}/revoke")
def revoke_token(request: Request, db: Db, actor: DeskUser, user_id: int, token_id: int,
                 csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    management.revoke_token(db, actor, user_id, token_id)
    return done(request, "Token revoked: it no longer works.", f"/settings/users/{user_id}")


# ---- teams -----------------------------------------------------------------------------

def _teams_page(request: Request, db: Db, actor: Actor, status_code: int = 200, **extra: Any) -> HTMLResponse:
    return desk(request, "settings/teams.html", actor, status_code, section="teams",
                teams=management.visible_teams(db, actor), sizes=management.team_sizes(db), **extra)


@router.get("/settings/teams")
def teams_page(request: Request, db: Db, actor: DeskUser) -> Response:
    return _teams_page(request, db, actor)


@router.post("/settings/teams")
def add_team(request: Request, db: Db, actor: DeskUser, name: FormText = "", csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    try:
        team = management.add_team(db, actor, name)
    except EmberError as exc:
        db.rollback()
        return failed(request, db, "settings/teams.html", exc, sections=sections_for(actor, request), section="teams",
                      teams=management.visible_teams(db, actor), sizes=management.team_sizes(db),
                      form={"name": name})
    return done(request, f"Team {team.name} added.", "/settings/teams")


@router.post("/settings/teams/{team_id}")
def rename_team(request: Request, db: Db, actor: DeskUser, team_id: int, name: FormText = "",
                csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    try:
        team = management.rename_team(db, actor, team_id, name)
    except EmberError as exc:
        if isinstance(exc, NotFound):
            raise
        db.rollback()
        return failed(request, db, "settings/teams.html", exc, sections=sections_for(actor, request), section="teams",
                      teams=management.visible_teams(db, actor), sizes=management.team_sizes(db),
                      renaming=team_id, form={"rename": name})
    return done(request, f"Team renamed to {team.name}.", "/settings/teams")


# ---- alert channels ----------------------------------------------------------------------

def _channel_owner(db: Db, actor: Actor, user_id: int | None) -> User:
    """Your own channels, or (managers, admins) those of someone you manage."""
    if user_id is None or user_id == actor.id:
        return current_user(db, actor)
    return management.managed_user(db, actor, user_id)


def _channels_context(db: Db, actor: Actor, owner: User) -> dict[str, Any]:
    people = management.managed_users(db, actor) if actor.role is not Role.REP else []
    return {"section": "alerts", "owner": owner, "urls": alert_service.notify_urls(db, owner), "people": people}


@router.get("/settings/alerts")
def channels_page(request: Request, db: Db, actor: PageUser, user: int | None = None) -> Response:
    owner = _channel_owner(db, actor, user)
    return desk(request, "settings/alerts.html", actor, **_channels_context(db, actor, owner))


@router.post("/settings/alerts/{user_id}")
def change_channels(request: Request, db: Db, actor: PageUser, user_id: int, add: FormText = "",
                    remove: FormText = "", csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    owner = _channel_owner(db, actor, user_id)
    policy = destination_policy(request.app.state.settings)
    try:
        alert_service.set_notify_urls(db, owner, policy=policy, add=[add] if add.strip() else [],
                                      remove=[remove] if remove else [])
    except EmberError as exc:
        db.rollback()
        owner = _channel_owner(db, actor, user_id)
        return failed(request, db, "settings/alerts.html", exc, sections=sections_for(actor, request),
                      form={"add": add}, **_channels_context(db, actor, owner))
    said = "Channel added." if add.strip() else "Channel removed."
    return done(request, said, f"/settings/alerts?user={owner.id}")


@router.post("/settings/alerts/{user_id}/test")
def test_channel(request: Request, db: Db, actor: PageUser, user_id: int, url: FormText = "",
                 add: FormText = "", csrf: FormText = "") -> Response:
    """Send a test notification now (the same checks as a real alert); answers a short result for htmx."""
    checked_form(request, csrf)
    owner = _channel_owner(db, actor, user_id)
    policy = destination_policy(request.app.state.settings)
    try:
        problem = send_test(alert_service.checked_url(url or add, policy), policy)
    except EmberError as exc:
        problem = f"{exc.message}; {exc.problems[0].fix}" if exc.problems else exc.message
    result = {"ok": problem is None, "text": problem or "Test sent: check that it arrived."}
    if request.headers.get("hx-request"):
        return render(request, "settings/_test_result.html", result=result)
    return desk(request, "settings/alerts.html", actor, 200 if problem is None else 422, test=result,
                form={"add": add}, **_channels_context(db, actor, owner))
