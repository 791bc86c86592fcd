"""The message library as stored (editable), and its default wording.

Shared variants (shipped, kept by admins) are read-only for managers: a manager's edit writes her
team's copy under the same key, which only her team sees and plans with.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from ember.accounts.repository import account_by_id
from ember.alerts import repository as alert_repository
from ember.errors import Conflict, NotFound, ProblemList
from ember.messages import repository
from ember.messages import rules as message_rules
from ember.messages.defaults import default_library
from ember.models import Contact, MessageVariant
from ember.models.base import scope_of
from ember.users.access import Actor, library_team, require_library_keeper
from ember.vocabulary import MessagePhase, MessageSituation


def ensure_defaults(session: Session) -> int:
    """Add any default variant the database does not have yet; edits are kept."""
    have = repository.shared_keys(session)
    missing = [
        {"key": v.key, "scope": scope_of(None), "situation": v.situation.value,
         "phase": v.phase.value if v.phase else None, "attempt": v.attempt, "subject": v.subject, "body": v.body,
         "pairs_with_key": v.pairs_with,
         "team_id": None, "is_active": True, "created_at": datetime.now(UTC)}
        for v in default_library().variants if v.key not in have
    ]
    if missing:
        repository.insert_missing_variants(session, missing)
    return len(missing)


def to_rule(row: MessageVariant) -> message_rules.MessageVariant:
    return message_rules.MessageVariant(
        key=row.key, situation=MessageSituation(row.situation),
        phase=MessagePhase(row.phase) if row.phase else None, body=row.body, attempt=row.attempt,
        subject=row.subject, pairs_with=row.pairs_with_key,
    )


def ensure_library(session: Session) -> None:
    """A new database gets the shipped library on first use."""
    if not repository.has_shared_variants(session):
        ensure_defaults(session)


def load_library(session: Session, *, team_id: int | None) -> message_rules.VariantLibrary:
    """What a team rotates through: the shared variants, with the team's own copies and additions."""
    ensure_library(session)
    rows = repository.active_variants(session, team_id)
    active = {row.key for row in rows}
    # A pair partner that was switched off simply stops being a pair.
    variants = [to_rule(row) for row in rows]
    variants = [v if v.pairs_with in active or v.pairs_with is None else _unpaired(v) for v in variants]
    return message_rules.VariantLibrary(variants)


def library_for(session: Session, contact: Contact) -> message_rules.VariantLibrary:
    """The library of the team that owns the contact: its plans and proposals come from there."""
    return load_library(session, team_id=repository.team_of(session, contact.owner_id))


class TeamLibraries:
    """Each team's library, read once: for a job that plans for many contacts of several teams."""

    def __init__(self) -> None:
        self._by_team: dict[int | None, message_rules.VariantLibrary] = {}

    def of_team(self, session: Session, team_id: int | None) -> message_rules.VariantLibrary:
        if team_id not in self._by_team:
            self._by_team[team_id] = load_library(session, team_id=team_id)
        return self._by_team[team_id]

    def of_contact(self, session: Session, contact: Contact) -> message_rules.VariantLibrary:
        return self.of_team(session, repository.team_of(session, contact.owner_id))


def team_library_rows(session: Session, team_id: int | None) -> list[MessageVariant]:
    """The library as a team sees it (team None: the shared one), every variant, retired ones too."""
    ensure_library(session)
    return repository.all_variants(session, team_id)


def list_variants(session: Session, actor: Actor | None) -> list[MessageVariant]:
    """The library as the actor's team sees it (an admin: the shared one)."""
    return team_library_rows(session, library_team(actor))


def _unpaired(variant: message_rules.MessageVariant) -> message_rules.MessageVariant:
    return replace(variant, pairs_with=None)


def get_variant(session: Session, actor: Actor | None, key: str) -> MessageVariant:
    """A variant as the actor's team sees it; another team's own variant is answered as missing."""
    row = next((r for r in list_variants(session, actor) if r.key == key), None)
    if row is None:
        raise NotFound(f"no message variant {key!r}; see `ember messages list`")
    return row


def save_variant(session: Session, actor: Actor, *, key: str, situation: str, phase: str | None,
                 body: str, attempt: int | None = None, subject: str | None = None,
                 pairs_with: str | None = None, create: bool) -> MessageVariant:
    """Create or edit a variant. Managers curate their team's library (editing a shared variant
    writes the team's copy), admins the shared one; reps use it."""
    team_id = require_library_keeper(session, actor)
    _check_variant(session, team_id, key=key, situation=situation, phase=phase, body=body, attempt=attempt,
                   subject=subject, pairs_with=pairs_with, create=create)
    if create:
        if key in repository.existing_keys(session, team_id):
            raise Conflict(f"a variant {key!r} already exists; edit it instead")
        row = MessageVariant(key=key, scope=scope_of(team_id), team_id=team_id, is_active=True)
        session.add(row)
    else:
        row = _own_copy(session, actor, team_id, key)
    row.situation, row.phase, row.body, row.attempt = situation, phase, body.strip(), attempt
    row.subject, row.pairs_with_key = subject, pairs_with
    session.flush()
    return row


KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")


def _own_copy(session: Session, actor: Actor, team_id: int | None, key: str) -> MessageVariant:
    """The row the actor's change goes to: the level's own, else a new copy of what the team sees."""
    seen = get_variant(session, actor, key)
    own = repository.own_variant(session, team_id, key)
    if own is not None:
        return own
    copy = MessageVariant(key=key, scope=scope_of(team_id), team_id=team_id, situation=seen.situation,
                          phase=seen.phase, attempt=seen.attempt, subject=seen.subject, body=seen.body,
                          pairs_with_key=seen.pairs_with_key, is_active=seen.is_active)
    session.add(copy)
    if team_id is not None:
        session.flush()
        # Touches already planned with the shared wording show and use the team's copy from now on.
        repository.point_open_plans_to(session, team_id, seen.id, copy.id)
    return copy


def _check_variant(session: Session, team_id: int | None, *, key: str, situation: str, phase: str | None, body: str,
                   attempt: int | None, subject: str | None, pairs_with: str | None, create: bool) -> None:
    """Every problem with a variant at once; nothing is stored when there is one."""
    problems = ProblemList()
    if create and not KEY_PATTERN.match(key):
        problems.add("key", f"{key!r} is not a usable key", "use 2-80 lower-case letters, digits and dashes, "
                     "e.g. vm-follow-up-4")
    if situation not in {s.value for s in MessageSituation}:
        problems.add("situation", f"{situation!r} is not a situation",
                     f"use one of: {', '.join(s.value for s in MessageSituation)}")
    if phase is not None and phase not in {p.value for p in MessagePhase}:
        problems.add("phase", f"{phase!r} is not a phase",
                     f"use one of: {', '.join(p.value for p in MessagePhase)}, or none")
    if attempt is not None and not 1 <= attempt <= 50:
        problems.add("attempt", f"{attempt} is out of range", "use an attempt number from 1 to 50, or leave it empty")
    if not body.strip():
        problems.add("body", "is empty", "write the message text")
    elif len(body) > 5000:
        problems.add("body", f"is {len(body)} characters long", "keep it to 5000 characters")
    if subject is not None and len(subject) > 200:
        problems.add("subject", f"is {len(subject)} characters long", "keep it to 200 characters")
    if pairs_with and pairs_with not in repository.existing_keys(session, team_id):
        problems.add("pairs_with", f"{pairs_with!r} is not a variant", "name an existing variant key or leave it empty")
    problems.raise_if_any("the message was not saved")


def set_active(session: Session, actor: Actor, key: str, active: bool) -> MessageVariant:
    """Retire a variant or bring it back, for the actor's team (an admin: for every team)."""
    row = _own_copy(session, actor, require_library_keeper(session, actor), key)
    row.is_active = active
    session.flush()
    return row


def message_values(session: Session, contact: Contact, rep_name: str | None) -> dict[str, str]:
    """The facts Ember knows for a message's placeholders; the rest stay visible for the rep to fill."""
    values = {"first_name": contact.first_name, "rep_name": rep_name or ""}
    account = account_by_id(session, contact.account_id) if contact.account_id else None
    if account is not None:
        values["company"] = account.name
    alert = alert_repository.latest_alert(session, contact.id)
    if alert is not None and alert.summary:
        values["trigger"] = alert.summary
    problems = (repository.latest_analysis(session, contact.id) or {}).get("problems") or []
    if problems:
        values["problem"] = str(problems[0].get("quote", "")).rstrip(".")
    return {key: value for key, value in values.items() if value}
