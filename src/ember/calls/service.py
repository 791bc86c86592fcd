"""Recorded calls: store the transcript, analyse it, and act on what was said.

A call is a conversation touch (so attempt labels and planning move on), its
analysis is stored, its next steps become records that show in the rep's
Today queue, and the contact's decision role and the deal's qualification
take the evidence, unless a rep set them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ember.cadence.settings import CadenceSettings
from ember.calls import rules
from ember.contacts.service import get_contact
from ember.conversation import Analysis, Thresholds, TranscriptError, analyze_text
from ember.errors import InvalidInput, NotFound, Problem
from ember.models import Call, Contact, Deal, NextStep, Touch, User
from ember.touches import repository as touch_repository
from ember.touches.service import LoggedTouch, log_touch
from ember.users.access import Actor
from ember.vocabulary import Outcome


@dataclass(frozen=True)
class RecordedCall:
    call: Call
    logged: LoggedTouch
    analysis: Analysis
    next_steps: list[NextStep]


def analyse(text: str, *, filename: str, fmt: str | None, rep_name: str, known_reps: list[str],
            call_date: datetime, thresholds: Thresholds) -> Analysis:
    try:
        return analyze_text(text, filename_hint=filename, fmt=fmt, reps=(rep_name,), known_reps=tuple(known_reps),
                            call_date=call_date, thresholds=thresholds)
    except TranscriptError as exc:
        raise InvalidInput(f"{filename}: the transcript could not be read",
                           [Problem(filename, str(exc), "check the file's format or pass --format")]) from exc


def add_call(
    session: Session, actor: Actor, *, contact_id: int, transcript: str, filename: str, settings: CadenceSettings,
    fmt: str | None = None, deal_id: int | None = None, at: datetime | None = None, channel: str = "call",
    thresholds: Thresholds | None = None,
) -> RecordedCall:
    at = at or datetime.now(UTC)
    contact = get_contact(session, actor, contact_id)
    zone = touch_repository.contact_timezone(session, contact)
    # Spoken dates ("next Tuesday at 3") are read in the contact's local time.
    local_date = at.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    analysis = analyse(transcript, filename=filename, fmt=fmt, rep_name=actor.name,
                       known_reps=[u.name for u in session.scalars(select(User))], call_date=local_date,
                       thresholds=thresholds or Thresholds())
    logged = log_touch(session, actor, contact_id=contact_id, channel=channel, outcome=Outcome.CONVERSATION.value,
                       occurred_at=at, deal_id=deal_id, settings=settings, notes=f"Recorded call: {filename}")
    call = Call(touch_id=logged.touch.id, transcript_source=filename, transcript_format=analysis.format,
                transcript_text=transcript, duration_s=analysis.duration_s, analysis=analysis.to_dict(),
                analysed_at=datetime.now(UTC))
    session.add(call)
    session.flush()
    deal = session.get(Deal, logged.touch.deal_id) if logged.touch.deal_id else None
    steps = _record_next_steps(session, analysis, call, contact, deal, actor.id, zone)
    _update_role(contact, analysis)
    if deal is not None:
        deal.qualification = rules.merged_qualification(deal.qualification or {}, analysis)
    session.flush()
    return RecordedCall(call, logged, analysis, steps)


def _record_next_steps(session: Session, analysis: Analysis, call: Call, contact: Contact, deal: Deal | None,
                       rep_id: int, zone: str) -> list[NextStep]:
    rows = [
        NextStep(deal_id=deal.id if deal else None, contact_id=contact.id, call_id=call.id, rep_id=rep_id,
                 type=step.type.value, owner_side=step.owner.value if step.owner else "unknown",
                 due_at=rules.due_instant(step.due, step.due_has_time, zone), due_phrase=step.due_phrase,
                 quote=step.quote, start_s=step.start_s)
        for step in analysis.next_steps
    ]
    session.add_all(rows)
    return rows


def _update_role(contact: Contact, analysis: Analysis) -> None:
    if contact.decision_role_source == rules.MANUAL:
        return
    found = rules.role_of_contact(analysis, contact.first_name, contact.last_name)
    if found is not None:
        contact.decision_role = found.role.value
        contact.decision_role_evidence = found.quote
        contact.decision_role_source = rules.ANALYSIS


def get_call(session: Session, actor: Actor, call_id: int) -> Call:
    call = session.get(Call, call_id)
    touch = session.get(Touch, call.touch_id) if call else None
    if call is None or touch is None:
        raise NotFound(f"call {call_id} not found")
    get_contact(session, actor, touch.contact_id)
    return call


def call_summary(recorded: RecordedCall) -> dict[str, Any]:
    touch = recorded.logged.touch
    return {"call_id": recorded.call.id, "touch": {"id": touch.id, "label": touch.label},
            "next_steps": len(recorded.next_steps), "analysis": recorded.analysis.to_dict()}
