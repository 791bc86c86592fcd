"""Phone-system call events, read in each provider's documented shape, and the touch they mean.

Pure: no I/O. The outcome is derived and explained; a gatekeeper is never
guessed (only the rep knows who picked up) and stays a one-click correction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ember.vocabulary import Outcome

MACHINE = ("machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax")


class BadEvent(ValueError):
    """The event lacks a field Ember needs; the message names it."""


@dataclass(frozen=True)
class CallEvent:
    provider: str
    external_id: str  # the provider's call id: a retry carries the same one
    number: str  # the other party's number as sent
    direction: str  # outbound | inbound
    started_at: datetime
    duration_s: int
    outcome: str
    reason: str
    rep_email: str | None = None
    recording_url: str | None = None


def conversation_or_not(duration_s: int, minimum_s: int) -> tuple[str, str]:
    if duration_s >= minimum_s:
        return Outcome.CONVERSATION.value, f"answered by a person and lasted {duration_s} s (a conversation)"
    return Outcome.NO_ANSWER.value, (f"answered but over after {duration_s} s, shorter than the {minimum_s} s "
                                     "a conversation takes")


def _need(data: Mapping[str, Any], name: str, where: str) -> Any:
    value = data.get(name)
    if value in (None, ""):
        raise BadEvent(f"{where}: the field {name!r} is missing")
    return value


def _int(value: Any, name: str) -> int:
    try:
        return max(int(float(value or 0)), 0)
    except (TypeError, ValueError) as exc:
        raise BadEvent(f"the field {name!r} is not a number: {value!r}") from exc


def twilio(form: Mapping[str, str], *, minimum_s: int, received_at: datetime) -> CallEvent:
    """A Twilio Voice status callback (form fields CallSid, CallStatus, CallDuration, AnsweredBy...)."""
    sid = _need(form, "CallSid", "Twilio status callback")
    status = str(_need(form, "CallStatus", "Twilio status callback")).lower()
    direction = "inbound" if str(form.get("Direction", "")).startswith("inbound") else "outbound"
    number = _need(form, "From" if direction == "inbound" else "To", "Twilio status callback")
    duration = _int(form.get("CallDuration"), "CallDuration")
    answered_by = str(form.get("AnsweredBy", "") or "").lower()
    if status == "busy":
        outcome, reason = Outcome.NO_ANSWER.value, "the line was busy (CallStatus busy)"
    elif status in ("no-answer", "canceled"):
        outcome, reason = Outcome.NO_ANSWER.value, f"nobody picked up (CallStatus {status})"
    elif status == "failed":
        outcome, reason = Outcome.WRONG_NUMBER.value, "the call could not be placed (CallStatus failed)"
    elif status != "completed":
        raise BadEvent(f"CallStatus {status!r} is not a final status; send the callback for completed calls")
    elif answered_by in MACHINE:
        if answered_by == "machine_end_beep" or duration >= minimum_s:
            outcome, reason = Outcome.VOICEMAIL.value, f"answering machine (AnsweredBy {answered_by}): voicemail left"
        else:
            outcome, reason = Outcome.NO_ANSWER.value, f"answering machine (AnsweredBy {answered_by}), no message left"
    else:
        outcome, reason = conversation_or_not(duration, minimum_s)
        if answered_by:
            reason += f" (AnsweredBy {answered_by})"
    return CallEvent("twilio", str(sid), str(number), direction, received_at, duration, outcome, reason,
                     recording_url=form.get("RecordingUrl") or None)


def aircall(body: Mapping[str, Any], *, minimum_s: int) -> CallEvent:
    """Aircall's ``call.ended`` webhook (data: answered_at, ended_at, missed_call_reason, voicemail...)."""
    if body.get("event") != "call.ended":
        raise BadEvent(f"Aircall event {body.get('event')!r} is not logged; subscribe to call.ended")
    data = body.get("data")
    if not isinstance(data, Mapping):
        raise BadEvent("Aircall call.ended: the field 'data' is missing")
    call_id = _need(data, "id", "Aircall call.ended")
    number = _need(data, "raw_digits", "Aircall call.ended")
    started = datetime.fromtimestamp(_int(_need(data, "started_at", "Aircall call.ended"), "started_at"), UTC)
    answered, ended = data.get("answered_at"), data.get("ended_at")
    direction = "inbound" if data.get("direction") == "inbound" else "outbound"
    user = data.get("user") if isinstance(data.get("user"), Mapping) else {}
    duration = _int(ended, "ended_at") - _int(answered, "answered_at") if answered and ended else 0
    if data.get("voicemail"):
        outcome, reason = Outcome.VOICEMAIL.value, "the call went to voicemail (voicemail recorded)"
    elif not answered:
        why = data.get("missed_call_reason") or "not answered"
        outcome, reason = Outcome.NO_ANSWER.value, f"nobody picked up (missed_call_reason {why})"
    else:
        outcome, reason = conversation_or_not(duration, minimum_s)
    return CallEvent("aircall", str(call_id), str(number), direction, started, duration, outcome, reason,
                     rep_email=user.get("email") if isinstance(user, Mapping) else None,
                     recording_url=data.get("recording") or None)


GENERIC_STATUSES = {"answered", "no-answer", "busy", "failed", "voicemail"}


def generic(body: Mapping[str, Any], *, minimum_s: int) -> CallEvent:
    """Ember's own shape for any phone system (documented in docs/dialer.md)."""
    call_id = _need(body, "id", "call event")
    number = _need(body, "phone", "call event")
    status = str(_need(body, "status", "call event"))
    if status not in GENERIC_STATUSES:
        raise BadEvent(f"status {status!r} is not one of {', '.join(sorted(GENERIC_STATUSES))}")
    try:
        started = datetime.fromisoformat(str(_need(body, "started_at", "call event")))
    except ValueError as exc:
        raise BadEvent(f"started_at {body.get('started_at')!r} is not an ISO 8601 time") from exc
    if started.tzinfo is None:
        raise BadEvent("started_at has no UTC offset; add one, e.g. 2026-03-05T15:00:00+01:00")
    duration = _int(body.get("duration_s"), "duration_s")
    answered_by = str(body.get("answered_by", "") or "")
    if status == "answered" and answered_by == "machine":
        status = "voicemail"
    outcome, reason = {
        "no-answer": (Outcome.NO_ANSWER.value, "nobody picked up"),
        "busy": (Outcome.NO_ANSWER.value, "the line was busy"),
        "failed": (Outcome.WRONG_NUMBER.value, "the call could not be placed: check the number"),
        "voicemail": (Outcome.VOICEMAIL.value, "voicemail left"),
    }.get(status) or conversation_or_not(duration, minimum_s)
    return CallEvent("generic", str(call_id), str(number), str(body.get("direction") or "outbound"),
                     started.astimezone(UTC), duration, outcome, reason, rep_email=body.get("rep_email") or None,
                     recording_url=body.get("recording_url") or None)
