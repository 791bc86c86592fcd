"""The message library as stored (editable), and its default wording."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from ember.alerts import repository as alert_repository
from ember.db import insert_or_ignore
from ember.errors import Conflict, NotFound, ProblemList
from ember.messages import repository
from ember.messages import rules as message_rules
from ember.messages.defaults import default_library
from ember.models import Account, Contact, MessageVariant
from ember.users.access import Actor, require_manager
from ember.vocabulary import MessagePhase, MessageSituation


def ensure_defaults(session: Session) -> int:
    """Add any default variant the database does not have yet; edits are kept."""
    have = repository.existing_keys(session)
    missing = [
        {"key": v.key, "situation": v.situation.value, "phase": v.phase.value if v.phase else None,
         "attempt": v.attempt, "subject": v.subject, "body": v.body, "pairs_with_key": v.pairs_with,
         "team_id": None, "is_active": True, "created_at": datetime.now(UTC)}
        for v in default_library().variants if v.key not in have
    ]
    if missing:
        # Insert-or-ignore: two workers seeding an empty library at once must not fail.
        session.execute(insert_or_ignore(session, MessageVariant), missing)
    return len(missing)


def to_rule(row: MessageVariant) -> message_rules.MessageVariant:
    return message_rules.MessageVariant(
        key=row.key, situation=MessageSituation(row.situation),
        phase=MessagePhase(row.phase) if row.phase else None, body=row.body, attempt=row.attempt,
        subject=row.subject, pairs_with=row.pairs_with_key,
    )


def load_library(session: Session) -> message_rules.VariantLibrary:
    rows = repository.active_variants(session)
    if not rows:
        ensure_defaults(session)
        rows = repository.active_variants(session)
    active = {row.key for row in rows}
    # A pair partner that was switched off simply stops being a pair.
    variants = [to_rule(row) for row in rows]
    variants = [v if v.pairs_with in active or v.pairs_with is None else _unpaired(v) for v in variants]
    return message_rules.VariantLibrary(variants)


def _unpaired(variant: message_rules.MessageVariant) -> message_rules.MessageVariant:
    return replace(variant, pairs_with=None)


def get_variant(session: Session, key: str) -> MessageVariant:
    row = next((r for r in repository.all_variants(session) if r.key == key), None)
    if row is None:
        raise NotFound(f"no message variant {key!r}; see `ember messages list`")
    return row


def save_variant(session: Session, actor: Actor, *, key: str, situation: str, phase: str | None,
                 body: str, attempt: int | None = None, subject: str | None = None,
                 pairs_with: str | None = None, create: bool) -> MessageVariant:
    """Create or edit a variant. Managers curate the library; reps use it."""
    require_manager(actor)
    _check_variant(session, key=key, situation=situation, phase=phase, body=body, attempt=attempt, subject=subject,
                   pairs_with=pairs_with, create=create)
    if create:
        if key in repository.existing_keys(session):
            raise Conflict(f"a variant {key!r} already exists; edit it instead")
        row = MessageVariant(key=key)
        session.add(row)
    else:
        row = get_variant(session, key)
    row.situation, row.phase, row.body, row.attempt = situation, phase, body.strip(), attempt
    row.subject, row.pairs_with_key = subject, pairs_with
    session.flush()
    return row


KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")


def _check_variant(session: Session, *, key: str, situation: str, phase: str | None, body: str,
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
    if pairs_with and pairs_with not in repository.existing_keys(session):
        problems.add("pairs_with", f"{pairs_with!r} is not a variant", "name an existing variant key or leave it empty")
    problems.raise_if_any("the message was not saved")


def set_active(session: Session, actor: Actor, key: str, active: bool) -> MessageVariant:
    require_manager(actor)
    row = get_variant(session, key)
    row.is_active = active
    session.flush()
    return row


def message_values(session: Session, contact: Contact, rep_name: str | None) -> dict[str, str]:
    """The facts Ember knows for a message's placeholders; the rest stay visible for the rep to fill."""
    values = {"first_name": contact.first_name, "rep_name": rep_name or ""}
    account = session.get(Account, contact.account_id) if contact.account_id else None
    if account is not None:
        values["company"] = account.name
    alert = alert_repository.latest_alert(session, contact.id)
    if alert is not None and alert.summary:
        values["trigger"] = alert.summary
    problems = (repository.latest_analysis(session, contact.id) or {}).get("problems") or []
    if problems:
        values["problem"] = str(problems[0].get("quote", "")).rstrip(".")
    return {key: value for key, value in values.items() if value}
