"""RingCentral call events, read in the shapes RingCentral documents. Pure.

RingCentral posts notifications of a webhook subscription as an envelope
(``uuid``, ``event``, ``timestamp``, ``subscriptionId``, ``body``). Two bodies are read:

* **Telephony session** events (event filter ``.../telephony/sessions``): one
  notification per change of a call's parties (``Setup``, ``Proceeding``,
  ``Answered``, ``Disconnected``, ``VoiceMail``…). Only the end of the call is a
  touch; the talk time is the time between the rep's party being ``Answered`` and
  ``Disconnected``, so the ``Answered`` moment is kept until the end arrives.
* **Call log records** (as the Call Log API returns them: ``id``, ``startTime``,
  ``duration``, ``direction``, ``result``, ``from``/``to``): one finished call each.

RingCentral signs nothing with a key: a subscription made with a
``verificationToken`` gets it back in the ``Verification-Token`` header of every
notification, and the subscription is created only after the address answered
the ``Validation-Token`` handshake (the header echoed, status 200).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ember.dialer.rules import BadEvent, CallEvent, conversation_or_not
from ember.vocabulary import Outcome

PROVIDER = "ringcentral"
ENDED = frozenset({"Disconnected", "Gone"})
# Call log results (the Call Log API's `result`) that mean nobody took the call.
UNANSWERED_RESULTS = frozenset({"Missed", "No Answer", "Hang Up", "Rejected", "Busy", "Stopped", "Abandoned",
                                "Declined", "Blocked", "Call Failed", "Call Failure", "Restricted Number",
                                "No Calling Credit", "Not Allowed", "Internal Error", "IP Phone Offline"})
WRONG_NUMBER_RESULTS = frozenset({"Wrong Number", "Invalid Number", "Unknown"})


@dataclass(frozen=True)
class SessionChange:
    """One telephony session notification, as far as a touch needs it."""

    session_id: str
    status: str  # the rep's party's status code
    at: datetime
    number: str  # the other party's
    direction: str  # outbound | inbound
    missed: bool
    reason: str  # RingCentral's status reason, when given

    @property
    def ended(self) -> bool:
        return self.status in ENDED or self.status == "VoiceMail"


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _time(value: Any, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadEvent(f"{name} {value!r} is not an ISO 8601 time") from exc
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def body_of(envelope: Mapping[str, Any]) -> Mapping[str, Any]:
    body = envelope.get("body")
    if not isinstance(body, Mapping):
        raise BadEvent("RingCentral notification: the field 'body' is missing")
    return body


def is_session(body: Mapping[str, Any]) -> bool:
    return isinstance(body.get("parties"), list)


def _number(side: Mapping[str, Any]) -> str:
    return str(side.get("phoneNumber") or "")


def session_change(body: Mapping[str, Any]) -> SessionChange:
    """The rep's party in a telephony session notification: the one on our side of the call."""
    session_id = body.get("telephonySessionId") or body.get("sessionId")
    if not session_id:
        raise BadEvent("RingCentral telephony session: the field 'telephonySessionId' is missing")
    parties = [_object(p) for p in body.get("parties") or []]
    ours = [p for p in parties if p.get("extensionId")] or parties
    if not ours:
        raise BadEvent("RingCentral telephony session: 'parties' is empty")
    party = ours[0]
    direction = "inbound" if str(party.get("direction", "")).lower() == "inbound" else "outbound"
    other = _object(party.get("from") if direction == "inbound" else party.get("to"))
    status = _object(party.get("status"))
    if not status.get("code"):
        raise BadEvent("RingCentral telephony session: the party's status.code is missing")
    return SessionChange(str(session_id), str(status["code"]), _time(body.get("eventTime"), "eventTime"),
                         _number(other), direction, bool(party.get("missedCall")), str(status.get("reason") or ""))


def session_call(change: SessionChange, answered_at: datetime | None, *, minimum_s: int) -> CallEvent:
    """The touch a finished telephony session means, given when (if ever) the rep's party was answered."""
    if not change.number:
        raise BadEvent("RingCentral telephony session: the other party's phoneNumber is missing")
    duration = max(int((change.at - answered_at).total_seconds()), 0) if answered_at else 0
    if change.status == "VoiceMail":
        outcome, reason = Outcome.VOICEMAIL.value, "the call went to voicemail (status VoiceMail)"
    elif change.missed or answered_at is None:
        why = f", {change.reason}" if change.reason else ""
        outcome, reason = Outcome.NO_ANSWER.value, f"nobody picked up (status {change.status}{why})"
    else:
        outcome, reason = conversation_or_not(duration, minimum_s)
    started = answered_at or change.at
    return CallEvent(PROVIDER, f"session:{change.session_id}", change.number, change.direction, started, duration,
                     outcome, reason)


def call_log_call(record: Mapping[str, Any], *, minimum_s: int) -> CallEvent:
    """A call log record: its ``result`` and ``duration`` say what happened."""
    call_id = record.get("telephonySessionId") or record.get("sessionId") or record.get("id")
    if not call_id:
        raise BadEvent("RingCentral call log record: the field 'id' is missing")
    result = str(record.get("result") or "")
    if not result:
        raise BadEvent("RingCentral call log record: the field 'result' is missing")
    direction = "inbound" if str(record.get("direction", "")).lower() == "inbound" else "outbound"
    number = _number(_object(record.get("from") if direction == "inbound" else record.get("to")))
    if not number:
        raise BadEvent("RingCentral call log record: the other party's phoneNumber is missing")
    try:
        duration = max(int(record.get("duration") or 0), 0)
    except (TypeError, ValueError) as exc:
        raise BadEvent(f"the field 'duration' is not a number: {record.get('duration')!r}") from exc
    if result == "Voicemail":
        outcome, reason = Outcome.VOICEMAIL.value, "the call went to voicemail (result Voicemail)"
    elif result in WRONG_NUMBER_RESULTS:
        outcome, reason = Outcome.WRONG_NUMBER.value, f"the number did not work (result {result})"
    elif result in UNANSWERED_RESULTS:
        outcome, reason = Outcome.NO_ANSWER.value, f"nobody picked up (result {result})"
    else:  # "Call connected", "Accepted", "Reply"…: somebody answered; the length decides
        outcome, reason = conversation_or_not(duration, minimum_s)
        reason += f" (result {result})"
    recording = _object(record.get("recording")).get("contentUri")
    return CallEvent(PROVIDER, f"session:{call_id}", number, direction, _time(record.get("startTime"), "startTime"),
                     duration, outcome, reason, recording_url=str(recording) if recording else None)
