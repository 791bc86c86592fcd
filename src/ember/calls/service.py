"""Recorded calls: store the transcript, analyse it, and act on what was said.

A call is a conversation touch (so attempt labels and planning move on), its
analysis is stored, its next steps become records that show in the rep's
Today queue, and the contact's decision role and the deal's qualification
take the evidence, unless a rep set them by hand. When the transcript could
not tell who the rep is, the sides can be named afterwards and the analysis
is redone from the stored transcript.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ember.calls import repository, rules
from ember.calls.picture import Picture
from ember.calls.picture import build as build_picture
from ember.contacts import repository as contact_repository
from ember.contacts.service import contact_behind, get_contact
from ember.conversation import (
    FORMAT_NAMES,
    Analysis,
    Thresholds,
    TranscriptError,
    analyze_text,
    decode_transcript,
    parse_transcript,
)
from ember.conversation.audio import is_audio
from ember.conversation.recording import analyze_recording
from ember.deals.repository import deal_by_id
from ember.errors import InvalidInput, NotFound, Problem
from ember.models import Call, Contact, Deal, NextStep, Touch
from ember.settings import AnalysisSection
from ember.settings.cadence import CadenceSettings
from ember.touches.repository import touch_by_id
from ember.touches.service import LoggedTouch, log_touch
from ember.users.access import Actor
from ember.vocabulary import Outcome


@dataclass(frozen=True)
class RecordedCall:
    call: Call
    logged: LoggedTouch
    analysis: Analysis
    next_steps: list[NextStep]


def check_size(size: int, max_bytes: int, where: str) -> None:
    """Refuse an oversized transcript before it is read (or read any further)."""
    if size > max_bytes:
        raise InvalidInput(f"the transcript is larger than {max_bytes / 1048576:.0f} MB",
                           [Problem(where, f"is {size / 1048576:.1f} MB",
                                    "send a smaller file (split long recordings) or raise EMBER_MAX_TRANSCRIPT_BYTES")])


def decode(raw: bytes, filename: str) -> tuple[str, tuple[str, ...]]:
    """The transcript's text in any usual encoding, and a note when it was not UTF-8."""
    try:
        return decode_transcript(raw, filename)
    except TranscriptError as exc:
        raise InvalidInput(f"{filename}: the transcript could not be read",
                           [Problem(filename, str(exc), "export the transcript as VTT, SRT, JSON or text")]) from exc


@dataclass(frozen=True)
class SideChoice:
    """Speakers named as ours and as the prospect's (empty: let the analysis decide)."""

    reps: tuple[str, ...] = ()
    prospects: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, list[str]] | None:
        return {"rep": list(self.reps), "prospect": list(self.prospects)} if self.reps or self.prospects else None


def analyse(text: str, *, filename: str, fmt: str | None, rep_name: str, known_reps: list[str],
            call_date: datetime, thresholds: Thresholds, choice: SideChoice = SideChoice(),
            notes: tuple[str, ...] = ()) -> Analysis:
    reps = choice.reps or ((rep_name,) if not choice.prospects else ())
    try:
        return analyze_text(text, filename_hint=filename, fmt=fmt, reps=reps, prospects=choice.prospects,
                            known_reps=tuple(known_reps), call_date=call_date, thresholds=thresholds, notes=notes)
    except TranscriptError as exc:
        raise InvalidInput(f"{filename}: the transcript could not be read",
                           [Problem(filename, str(exc), "check the file's format or pass --format")]) from exc


def add_call(
    session: Session, actor: Actor, *, contact_id: int, transcript: str, filename: str, settings: CadenceSettings,
    fmt: str | None = None, deal_id: int | None = None, at: datetime | None = None, channel: str = "call",
    thresholds: Thresholds | None = None, choice: SideChoice = SideChoice(), notes: tuple[str, ...] = (),
) -> RecordedCall:
    at = at or datetime.now(UTC)
    contact = get_contact(session, actor, contact_id)
    zone = contact_repository.contact_timezone(session, contact)
    # Spoken dates ("next Tuesday at 3") are read in the contact's local time.
    local_date = at.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    analysis = analyse(transcript, filename=filename, fmt=fmt, rep_name=actor.name,
                       known_reps=repository.team_user_names(session), call_date=local_date,
                       thresholds=thresholds or Thresholds(), choice=choice, notes=notes)
    logged = log_touch(session, actor, contact_id=contact_id, channel=channel, outcome=Outcome.CONVERSATION.value,
                       occurred_at=at, deal_id=deal_id, settings=settings, notes=f"Recorded call: {filename}",
                       confirm_date=True)  # the transcript itself is the evidence of an older call
    call = Call(touch_id=logged.touch.id, transcript_source=filename, transcript_format=analysis.format,
                transcript_text=transcript, duration_s=analysis.duration_s, analysis=analysis.to_dict(),
                analysed_at=datetime.now(UTC), sides=choice.as_dict())
    session.add(call)
    session.flush()
    deal = deal_by_id(session, logged.touch.deal_id) if logged.touch.deal_id else None
    steps = _record_next_steps(session, analysis, call, contact, deal, actor.id, zone)
    _update_role(contact, analysis)
    if deal is not None:
        deal.qualification = rules.merged_qualification(deal.qualification or {}, analysis)
    session.flush()
    return RecordedCall(call, logged, analysis, steps)


@dataclass(frozen=True)
class Reanalysed:
    call: Call
    analysis: Analysis
    next_steps: list[NextStep]  # the open next steps recorded anew


def correct_sides(session: Session, actor: Actor, call_id: int, choice: SideChoice,
                  thresholds: Thresholds | None = None) -> Reanalysed:
    """Name who was on which side of a stored call and redo its analysis: metrics, benchmarks,
    open next steps (those a rep already acted on stay), the contact's role and the deal's
    qualification."""
    call = get_call(session, actor, call_id)
    touch = touch_by_id(session, call.touch_id)
    assert touch is not None  # a call's touch is deleted with it
    contact = get_contact(session, actor, touch.contact_id)
    speakers = [s["name"] for s in (call.analysis or {}).get("speakers", [])]
    _check_names(choice, speakers)
    zone = contact_repository.contact_timezone(session, contact)
    analysis = analyse(call.transcript_text or "", filename=call.transcript_source or "transcript",
                       fmt=call.transcript_format, rep_name=actor.name, known_reps=repository.team_user_names(session),
                       call_date=touch.occurred_at.astimezone(ZoneInfo(zone)).replace(tzinfo=None),
                       thresholds=thresholds or Thresholds(), choice=choice, notes=_encoding_notes(call))
    call.analysis, call.analysed_at, call.sides = analysis.to_dict(), datetime.now(UTC), choice.as_dict()
    kept = {(step.quote, step.start_s) for step in repository.kept_next_steps(session, call.id)}
    repository.delete_open_next_steps(session, call.id)
    deal = deal_by_id(session, touch.deal_id) if touch.deal_id else None
    fresh = [step for step in analysis.next_steps if (step.quote, step.start_s) not in kept]
    steps = _record_next_steps(session, replace(analysis, next_steps=tuple(fresh)), call, contact, deal,
                               touch.rep_id or actor.id, zone)
    _update_role(contact, analysis)
    if deal is not None:
        deal.qualification = rules.merged_qualification(deal.qualification or {}, analysis)
    session.flush()
    return Reanalysed(call, analysis, steps)


def _encoding_notes(call: Call) -> tuple[str, ...]:
    """The stored text is already decoded: keep what the first analysis said of the file's encoding."""
    return tuple(n for n in (call.analysis or {}).get("notes", []) if str(n).startswith("the file was read as"))


def _check_names(choice: SideChoice, speakers: list[str]) -> None:
    if not choice.reps and not choice.prospects:
        raise InvalidInput("name at least one speaker", [Problem("rep", "no speaker was named",
                                                                 f"name one of: {', '.join(speakers)}")])
    unknown = [name for name in (*choice.reps, *choice.prospects)
               if not any(name.strip().lower() in (s.lower(), *s.lower().split()) for s in speakers)]
    if unknown:
        raise InvalidInput("no such speaker in this call", [Problem(
            "rep" if unknown[0] in choice.reps else "prospect", f"{unknown[0]!r} is not a speaker of this call",
            f"name one of: {', '.join(speakers)}")])


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
    call = repository.call_by_id(session, call_id)
    touch = touch_by_id(session, call.touch_id) if call else None
    if call is None or touch is None:
        raise NotFound(f"call {call_id} not found")
    contact_behind(session, actor, touch.contact_id, missing=f"call {call_id} not found")
    return call


def call_summary(recorded: RecordedCall) -> dict[str, Any]:
    touch = recorded.logged.touch
    return {"call_id": recorded.call.id, "touch": {"id": touch.id, "label": touch.label},
            "next_steps": len(recorded.next_steps), "analysis": recorded.analysis.to_dict()}


def analysis_thresholds(analysis: AnalysisSection) -> Thresholds:
    """Benchmark thresholds with the overrides of ``EMBER_ANALYSIS_THRESHOLDS``."""
    try:
        return Thresholds().with_overrides(analysis.analysis_thresholds)
    except ValueError as exc:
        what, _, fix = str(exc).partition("; ")
        raise InvalidInput("the setting EMBER_ANALYSIS_THRESHOLDS is not valid",
                           [Problem("EMBER_ANALYSIS_THRESHOLDS", what, fix or "see docs/configuration.md")]) from exc


def add_uploaded_call(session: Session, actor: Actor, *, raw: bytes, filename: str, contact_id: int,
                      max_bytes: int, settings: CadenceSettings, thresholds: Thresholds,
                      fmt: str | None = None, deal_id: int | None = None, at: datetime | None = None) -> RecordedCall:
    """A call from an uploaded transcript file: size and encoding checked, then recorded as `add_call` does."""
    check_size(len(raw), max_bytes, "file")
    text, notes = decode(raw, filename)
    if fmt:
        _check_format(fmt)
    return add_call(session, actor, contact_id=contact_id, transcript=text, filename=filename, fmt=fmt,
                    deal_id=deal_id, at=at, settings=settings, thresholds=thresholds, notes=notes)


def _check_format(fmt: str) -> None:
    if fmt not in FORMAT_NAMES:
        raise InvalidInput(f"{fmt!r} is not a transcript format Ember reads", [Problem(
            "format", f"{fmt!r} is unknown", "pick one of: " + ", ".join(FORMAT_NAMES))])


# ---- reading calls for the pages ------------------------------------------------------

@dataclass(frozen=True)
class CallListing:
    call_id: int
    at: datetime
    label: str | None
    contact_id: int
    contact: str
    deal_id: int | None
    deal: str | None
    duration_s: float | None
    rep_talk_ratio: float | None
    rep_questions: int
    next_steps: int
    verdicts: dict[str, int]  # good / warn / bad -> how many benchmarks


def list_calls(session: Session, actor: Actor, *, limit: int = 50, offset: int = 0) -> list[CallListing]:
    listed = []
    for line in repository.visible_calls(session, actor, limit=limit, offset=offset):
        verdicts: dict[str, int] = {}
        for bench in line.benchmarks or []:
            verdicts[bench["verdict"]] = verdicts.get(bench["verdict"], 0) + 1
        contact = f"{line.first_name} {line.last_name}".strip() or line.email or ""
        listed.append(CallListing(line.call_id, line.occurred_at, line.label, line.contact_id, contact, line.deal_id,
                                  line.deal_name, line.duration_s, line.rep_talk_ratio, line.rep_questions or 0,
                                  len(line.next_steps or []), verdicts))
    return listed


@dataclass(frozen=True)
class CallView:
    call: Call
    touch: Touch
    contact: Contact
    deal: Deal | None
    analysis: dict[str, Any]
    picture: Picture
    steps: list[NextStep]


def recent_contacts(session: Session, actor: Actor) -> list[Contact]:
    """The contacts the actor touched last: whom a new call was most likely with."""
    return repository.recent_contacts(session, actor)


def call_view(session: Session, actor: Actor, call_id: int) -> CallView:
    """Everything the call page shows: the stored analysis, the picture drawn from the transcript, the steps."""
    call = get_call(session, actor, call_id)
    place = repository.call_place(session, call_id)
    assert place is not None  # get_call found the call and its touch
    try:
        segments = parse_transcript(call.transcript_text or "", fmt=call.transcript_format,
                                    filename_hint=call.transcript_source).segments
    except TranscriptError:  # stored before a parser change: the analysis still stands, the picture is empty
        segments = ()
    analysis = call.analysis or {}
    return CallView(call, place.touch, place.contact, place.deal, analysis, build_picture(segments, analysis),
                    repository.steps_of_call(session, call_id))


def analyze_upload(recording: IO[bytes], filename: str, *, transcript: IO[bytes] | None, transcript_name: str | None,
                   rep_channel: int, reps: tuple[str, ...], thresholds: Thresholds, max_bytes: int) -> Analysis:
    """Analyse an uploaded recording (and its transcript, when given); the files live only for the call."""
    if not is_audio(filename):
        raise InvalidInput(f"{filename} is not a recording", [Problem(
            "file", f"{Path(filename).suffix or 'no extension'}", "send WAV, MP3, M4A, FLAC or OGG")])
    with tempfile.TemporaryDirectory(prefix="ember-recording-") as folder:
        audio_path = Path(folder) / f"recording{Path(filename).suffix.lower()}"
        with audio_path.open("wb") as out:
            shutil.copyfileobj(recording, out, 1024 * 1024)
        text_path = None
        if transcript is not None:
            text_path = Path(folder) / f"transcript{Path(transcript_name or 't.txt').suffix.lower()}"
            raw = transcript.read(max_bytes + 1)
            check_size(len(raw), max_bytes, "transcript")
            text_path.write_bytes(raw)
        try:
            return analyze_recording(audio_path, transcript=text_path, rep_channel=rep_channel, reps=reps,
                                     thresholds=thresholds, max_bytes=max_bytes)
        except TranscriptError as exc:
            raise InvalidInput(f"{filename}: the recording could not be analysed",
                               [Problem(filename, exc.problem, "send a two-channel recording, or add its transcript")]
                               ) from exc
