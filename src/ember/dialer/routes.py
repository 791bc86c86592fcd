"""``POST /webhooks/dialer/{twilio,aircall,ringcentral,generic}`` (each signed as its provider signs) and the
unmatched calls a rep can attach (``/api/dialer/unmatched``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ember.api.deps import CurrentActor, Db
from ember.api.schemas import ErrorOut
from ember.dialer import ringcentral, rules, service
from ember.dialer.service import Received
from ember.dialer.signatures import BadSignature, verify_aircall, verify_ringcentral, verify_standard, verify_twilio
from ember.errors import InvalidInput, Problem, Unauthorized
from ember.settings import Settings
from ember.team_settings.effective import settings_for

router = APIRouter(tags=["dialer"])
T = TypeVar("T")
# A provider retries a call it sent before: answered 200 with status "duplicate", nothing logged twice.
WEBHOOK_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"model": Received, "description": "a call received before; nothing changed"},
    401: {"model": ErrorOut, "description": "signature or token missing or wrong"},
}


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def _accepted(db: Db, event: rules.CallEvent, settings: Settings) -> JSONResponse:
    received = service.receive(db, event, region=settings.dialer.dialer_region, settings=settings)
    return JSONResponse(received.as_dict(), status_code=200 if received.status == "duplicate" else 202)


def _checked(call: Callable[[], T]) -> T:
    try:
        return call()
    except rules.BadEvent as exc:
        raise InvalidInput("the call event cannot be read; nothing was logged", [Problem(
            "body", str(exc), "send the provider's documented shape (see docs/dialer.md)")]) from exc


def _json(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise InvalidInput("the call event is not JSON", [Problem("body", str(exc), "send a JSON object")]) from exc
    if not isinstance(body, dict):
        raise InvalidInput("the call event is not a JSON object", [Problem("body", "not an object", "send {...}")])
    return body


def _called_url(request: Request, settings: Settings) -> str:
    # Twilio signs the address it called: behind a proxy, that is the public one.
    if settings.server.public_url:
        query = f"?{request.url.query}" if request.url.query else ""
        return settings.server.public_url.rstrip("/") + request.url.path + query
    return str(request.url)


@router.post("/webhooks/dialer/twilio", status_code=202, response_model=Received, responses=WEBHOOK_ANSWERS)
async def twilio_status(request: Request, db: Db) -> JSONResponse:
    """Twilio Voice status callback (form-encoded, X-Twilio-Signature)."""
    settings = _settings(request)
    form = {key: str(value) for key, value in (await request.form()).items()}
    try:
        verify_twilio(settings.dialer.dialer_twilio_auth_token, _called_url(request, settings), form,
                      request.headers.get("X-Twilio-Signature", ""))
    except BadSignature as exc:
        raise Unauthorized(str(exc)) from exc
    event = _checked(lambda: rules.twilio(form, minimum_s=settings.dialer.dialer_conversation_s,
                                          received_at=service.now()))
    return _accepted(db, event, settings)


@router.post("/webhooks/dialer/aircall", status_code=202, response_model=Received, responses=WEBHOOK_ANSWERS)
async def aircall_call_ended(request: Request, db: Db) -> JSONResponse:
    """Aircall ``call.ended`` webhook (JSON with the webhook's token)."""
    settings = _settings(request)
    body = _json(await request.body())
    try:
        verify_aircall(settings.dialer.dialer_aircall_token, body.get("token"))
    except BadSignature as exc:
        raise Unauthorized(str(exc)) from exc
    event = _checked(lambda: rules.aircall(body, minimum_s=settings.dialer.dialer_conversation_s))
    return _accepted(db, event, settings)


@router.post("/webhooks/dialer/ringcentral", status_code=202, response_model=Received, responses=WEBHOOK_ANSWERS)
async def ringcentral_call(request: Request, db: Db) -> Response:
    """RingCentral webhook: the Validation-Token handshake, then telephony session events and call log
    records, each carrying the subscription's Verification-Token."""
    settings = _settings(request)
    handshake = request.headers.get("Validation-Token")
    if handshake:  # RingCentral creates the subscription only once the address echoes it
        if not settings.dialer.dialer_ringcentral_token:
            raise Unauthorized("RingCentral events are not accepted: set EMBER_DIALER_RINGCENTRAL_TOKEN")
        return Response(status_code=200, headers={"Validation-Token": handshake})
    try:
        verify_ringcentral(settings.dialer.dialer_ringcentral_token, request.headers.get("Verification-Token", ""))
    except BadSignature as exc:
        raise Unauthorized(str(exc)) from exc
    raw = await request.body()
    body = _checked(lambda: ringcentral.body_of(_json(raw)))
    minimum_s = settings.dialer.dialer_conversation_s
    if not ringcentral.is_session(body):
        return _accepted(db, _checked(lambda: ringcentral.call_log_call(body, minimum_s=minimum_s)), settings)
    change = _checked(lambda: ringcentral.session_change(body))
    if change.status == "Answered":
        service.remember_answered(db, change.session_id, change.at, service.now())
    if not change.ended:
        return JSONResponse(Received(None, "skipped", reason=f"status {change.status}: the call is logged when "
                                     "it ends").as_dict(), status_code=200)
    answered = service.answered_at(db, change.session_id)
    event = _checked(lambda: ringcentral.session_call(change, answered, minimum_s=minimum_s))
    return _accepted(db, event, settings)


@router.post("/webhooks/dialer/generic", status_code=202, response_model=Received, responses=WEBHOOK_ANSWERS)
async def generic_call(request: Request, db: Db) -> JSONResponse:
    """Any phone system, in Ember's documented shape, signed per Standard Webhooks."""
    settings = _settings(request)
    raw = await request.body()
    try:
        verify_standard(settings.dialer.dialer_webhook_secret, raw, {k: request.headers.get(k, "") for k in (
            "webhook-id", "webhook-timestamp", "webhook-signature")})
    except BadSignature as exc:
        raise Unauthorized(str(exc)) from exc
    body = _json(raw)
    event = _checked(lambda: rules.generic(body, minimum_s=settings.dialer.dialer_conversation_s))
    return _accepted(db, event, settings)


class AttachIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contact_id: int


class UnmatchedCall(BaseModel):
    id: int
    provider: str
    number: str | None
    at: str
    outcome: str | None
    reason: str | None
    rep_email: str | None


class TouchBrief(BaseModel):
    id: int
    outcome: str
    label: str | None


class NextBrief(BaseModel):
    channel: str
    at: str
    label: str


class GatekeeperOut(BaseModel):
    touch: TouchBrief
    next: NextBrief | None = Field(description="The plan after the correction; null when the cadence stopped")
    why: str | None


@router.get("/api/dialer/unmatched")
def list_unmatched(db: Db, actor: CurrentActor) -> list[UnmatchedCall]:
    """Calls whose number matched no contact."""
    return [UnmatchedCall.model_validate(call) for call in service.unmatched(db, actor)]


@router.post("/api/dialer/unmatched/{event_id}/attach")
def attach_call(request: Request, event_id: int, body: AttachIn, db: Db, actor: CurrentActor) -> Received:
    """Log an unmatched call on a contact."""
    return service.attach(db, actor, event_id, body.contact_id, settings=_settings(request))


@router.post("/api/dialer/touches/{touch_id}/gatekeeper")
def correct_to_gatekeeper(request: Request, touch_id: int, db: Db, actor: CurrentActor) -> GatekeeperOut:
    """One click on Today: the call a phone system logged reached a gatekeeper."""
    planning = settings_for(db, _settings(request), actor.team_id).cadence.planning()
    touch, planned = service.mark_gatekeeper(db, actor, touch_id, cadence=planning)
    plan = planned.decision.plan
    return GatekeeperOut(touch=TouchBrief(id=touch.id, outcome=touch.outcome, label=touch.label),
                         next=NextBrief(channel=plan.channel.value, at=plan.at.isoformat(), label=plan.label.text)
                         if plan else None, why=planned.decision.reason)
