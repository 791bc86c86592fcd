"""Settings changed on the desk: read as one Settings object per team, changed only when valid.

What a team works with: the environment (``EMBER_*``), then what an admin set
for everyone, then what the team's manager (or an admin) set for the team.
``settings_for`` gives that as the same ``Settings`` object the rest of Ember
reads, so domain code needs no second way of reading settings.

Who may change what: an admin changes the everyone-level and any team; a
manager only their own team; a rep nothing.
"""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ember import secretbox, validation
from ember.cadence.service import replan_contact
from ember.calls.service import analysis_thresholds
from ember.contacts.repository import contact_by_id
from ember.db import unit_of_work
from ember.errors import Conflict, EmberError, Forbidden, InvalidInput, NotFound, Problem, ProblemList
from ember.messages.service import TeamLibraries
from ember.models import ReplanRun
from ember.outbound.mail import SmtpConfig, transmit
from ember.settings import Settings
from ember.team_settings import repository
from ember.team_settings.effective import read, settings_for
from ember.team_settings.fields import BY_NAME, GROUPS, Field, as_text
from ember.users.access import Actor, require_manager
from ember.users.repository import team_by_id
from ember.vocabulary import Role

REPLAN_BATCH = 200
# A run still "running" after this long lost its process (a restart): a new one may start.
ABANDONED_AFTER = timedelta(hours=1)


# ---- the desk's view ----------------------------------------------------------------------

@dataclass(frozen=True)
class Shown:
    field: Field
    value: str  # what the form shows (secrets: empty)
    inherited: str  # what applies without an override at this level
    overridden: bool


def _scope_team(session: Session, actor: Actor, team_id: int | None) -> int | None:
    """The level the actor works on: an admin any team or everyone (None), a manager their own team."""
    require_manager(actor)
    if actor.role is Role.ADMIN:
        if team_id is not None and team_by_id(session, team_id) is None:
            raise NotFound(f"team {team_id} not found")
        return team_id
    if actor.team_id is None:
        raise Forbidden("you are a manager without a team; ask an admin to put you in one")
    if team_id not in (None, actor.team_id):
        raise NotFound(f"team {team_id} not found")
    return actor.team_id


def _inherited(session: Session, base: Settings, team_id: int | None) -> Settings:
    return settings_for(session, base, None) if team_id is not None else base


def shown(session: Session, actor: Actor, base: Settings, group: str, team_id: int | None) -> list[Shown]:
    team_id = _scope_team(session, actor, team_id)
    own = repository.own_overrides(session, team_id)
    inherited = _inherited(session, base, team_id)
    rows = []
    for field in GROUPS[group]:
        fallback = as_text(read(inherited, field.name))
        value = own.get(field.name, fallback)
        rows.append(Shown(field, "" if field.secret else value, "" if field.secret else fallback, field.name in own))
    return rows


def scope_team(session: Session, actor: Actor, team_id: int | None) -> int | None:
    return _scope_team(session, actor, team_id)


# ---- changing them -------------------------------------------------------------------------

def _parsed(group: str, form: Mapping[str, str], problems: ProblemList) -> dict[str, Any]:
    typed: dict[str, Any] = {}
    for field in GROUPS[group]:
        raw = form.get(field.name, "false" if field.kind == "checkbox" else "")  # an unticked box sends nothing
        if field.secret and not raw:
            continue  # empty secret: keep what is stored
        try:
            typed[field.name] = field.parse(raw)
        except ValueError as exc:
            what, _, fix = str(exc).partition("; ")
            problems.add(field.name, what, fix or "correct the value")
    return typed


def _planning(settings: Settings) -> object:
    return settings.cadence.planning()


def _thresholds(settings: Settings) -> object:
    return analysis_thresholds(settings.analysis)


def _domain_check(group: str, candidate: Settings, problems: ProblemList) -> None:
    """Build what the domain builds from these values, so a setting that saves also works."""
    check: Callable[[Settings], object] = {"cadence": _planning, "analysis": _thresholds}.get(
        group, lambda _: None)
    try:
        check(candidate)
    except InvalidInput as exc:
        for problem in exc.problems:
            where = problem.where.removeprefix("EMBER_").lower()
            problems.add(where if where in BY_NAME else group, problem.what, problem.fix)


def save(session: Session, actor: Actor, base: Settings, group: str, team_id: int | None,
         form: Mapping[str, str]) -> list[str]:
    """Store the group's values for the level (a value equal to the inherited one is not stored).
    Returns the names that changed; InvalidInput, with every problem, stores nothing."""
    if group not in GROUPS:
        raise NotFound(f"no settings group {group!r}")
    team_id = _scope_team(session, actor, team_id)
    problems = ProblemList()
    typed = _parsed(group, form, problems)
    sealed = _sealed(base, typed, problems)
    current = settings_for(session, base, team_id, learned=False)  # what the form shows
    if not problems.items:
        _domain_check(group, current.model_copy(update=typed), problems)
    problems.raise_if_any(f"the {group} settings were not saved")
    inherited = _inherited(session, base, team_id)
    changed = []
    for name, value in typed.items():
        if as_text(value) != as_text(read(current, name)):
            changed.append(name)
        if as_text(value) == as_text(read(inherited, name)):
            repository.drop(session, team_id, name)
        else:
            repository.put(session, team_id, name, sealed.get(name, as_text(value)), actor.id)
    session.flush()
    return changed


def _sealed(base: Settings, typed: Mapping[str, Any], problems: ProblemList) -> dict[str, str]:
    """Secrets (the mail server password) as they are stored: encrypted with EMBER_INBOX_KEY, never readable."""
    sealed: dict[str, str] = {}
    for name, value in typed.items():
        if value is None or not BY_NAME[name].secret:
            continue
        try:
            sealed[name] = secretbox.seal(base.inbox.inbox_key, str(value))
        except EmberError as exc:
            problems.add(name, "cannot be stored encrypted", exc.message)
    return sealed


def reset(session: Session, actor: Actor, group: str, team_id: int | None) -> None:
    """Back to the inherited values for the whole group at this level."""
    team_id = _scope_team(session, actor, team_id)
    for field in GROUPS.get(group, ()):
        repository.drop(session, team_id, field.name)
    session.flush()


# ---- re-plan after a cadence change ----------------------------------------------------------

def start_replan(session: Session, actor: Actor, team_id: int | None) -> ReplanRun:
    """A re-plan of the team's contacts (admins at the everyone-level: all contacts)."""
    return _start_run(session, _scope_team(session, actor, team_id), actor.id)


def start_system_replan(session: Session, team_id: int) -> ReplanRun | None:
    """A re-plan Ember starts itself (the team's learned windows changed); None when one is already running."""
    try:
        return _start_run(session, team_id, None)
    except Conflict:
        return None  # the running one reads the team's settings batch by batch, so it picks up the change


def _start_run(session: Session, team_id: int | None, started_by_id: int | None) -> ReplanRun:
    running = repository.latest_run(session, team_id)
    if running is not None and running.status == "running":
        if datetime.now(UTC) - running.started_at < ABANDONED_AFTER:
            raise Conflict("a re-plan is already running for these contacts; wait for it to finish")
        running.status, running.error = "failed", "the process running it stopped; started again"
    run = ReplanRun(team_id=team_id, started_by_id=started_by_id, status="running",
                    total=repository.contacts_to_replan(session, team_id), done=0)
    session.add(run)
    session.flush()
    return run


def run_view(session: Session, actor: Actor, run_id: int) -> ReplanRun:
    run = repository.run_by_id(session, run_id)
    if run is None:
        raise NotFound(f"re-plan {run_id} not found")
    _scope_team(session, actor, run.team_id)
    return run


def replan_in_background(engine: Engine, base: Settings, run_id: int) -> threading.Thread:
    """Re-plan in batches, each its own transaction, counting progress in the run's row."""
    thread = threading.Thread(target=replan_run, args=(engine, base, run_id), name=f"replan-{run_id}", daemon=True)
    thread.start()
    return thread


def replan_run(engine: Engine, base: Settings, run_id: int) -> None:
    """Carry out a started re-plan here and now (the page runs it in a thread, the worker in its task)."""
    try:
        with unit_of_work(engine) as session:
            run = repository.run_by_id(session, run_id)
            team_id = run.team_id if run else None
        after = 0
        while True:
            with unit_of_work(engine) as session:
                ids = repository.contact_ids_after(session, team_id, after, REPLAN_BATCH)
                if not ids:
                    break
                _replan_batch(session, base, ids)
                after = ids[-1]
                run = repository.run_by_id(session, run_id)
                if run is not None:
                    run.done += len(ids)
        _finish(engine, run_id, None)
    except Exception as exc:  # the run's row says what went wrong; the thread must not die silently
        _finish(engine, run_id, f"{type(exc).__name__}: {exc}")


def _replan_batch(session: Session, base: Settings, ids: list[int]) -> None:
    now = datetime.now(UTC)
    per_team: dict[int | None, Any] = {}
    libraries = TeamLibraries()
    for contact_id, team_id in repository.owner_teams(session, ids).items():
        if team_id not in per_team:
            per_team[team_id] = settings_for(session, base, team_id).cadence.planning()
        contact = contact_by_id(session, contact_id)
        if contact is None:
            continue
        # As `ember replan` plans it: one team's re-plan from the desk and everyone's agree.
        replan_contact(session, contact, now=now, settings=per_team[team_id],
                       library=libraries.of_team(session, team_id))


def _finish(engine: Engine, run_id: int, error: str | None) -> None:
    with unit_of_work(engine) as session:
        run = repository.run_by_id(session, run_id)
        if run is not None:
            run.status, run.error, run.finished_at = ("failed" if error else "done"), error, datetime.now(UTC)
            if error is None:
                run.done = run.total


# ---- the mail server -----------------------------------------------------------------------

def send_test_email(session: Session, actor: Actor, base: Settings, team_id: int | None, to: str) -> str:
    """Send a short email through the level's mail server now; what happened, or InvalidInput."""
    team_id = _scope_team(session, actor, team_id)
    try:
        address = validation.parse_email(to)
    except ValueError as exc:
        what, _, fix = str(exc).partition("; ")
        raise InvalidInput("the test email has no valid address", [Problem("test_to", what, fix)]) from exc
    config = SmtpConfig.from_settings(settings_for(session, base, team_id))
    message = EmailMessage()
    message["From"], message["To"] = config.mail_from or actor.email, address
    message["Subject"] = "Ember test email"
    message.set_content("This is a test from Ember's settings: follow-up emails will leave through this server.")
    try:
        transmit(config, message)
    except (OSError, smtplib.SMTPException) as exc:
        raise InvalidInput(f"the mail server did not take the test email: {exc}", [Problem(
            "smtp_host", f"{config.host}:{config.port} ({config.tls}) answered: {exc}",
            "check the server, port, encryption, user and password, then try again")]) from exc
    return f"Test email sent to {address} through {config.host}:{config.port}."
