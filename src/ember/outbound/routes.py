"""HTTP API for sending follow-up emails and reading what was sent."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from ember.api.deps import CurrentActor, Db
from ember.ids import RecordId
from ember.outbound import service
from ember.outbound.mail import SmtpConfig
from ember.team_settings.effective import settings_for

router = APIRouter(prefix="/api", tags=["outbound"])


class SendIn(BaseModel):
    contact_id: RecordId
    subject: str = Field(max_length=300)
    body: str = Field(max_length=100_000)
    invite_at: datetime | None = Field(None, description="book a meeting: an .ics invite for this instant "
                                                         "(with a UTC offset)")
    kind: str = Field("email", description="email, or newsletter (the only kind nurture contacts get)")
    idempotency_key: str | None = Field(None, max_length=128, description="default: from rep, contact, "
                                                                           "subject and body")


class SendOut(BaseModel):
    message_id: str | None = Field(description="The email's Message-ID, once it has one")
    status: str = Field(description="sent, queued (a retry is planned), refused or failed")
    reason: str
    id: int | None = Field(description="The stored message; null when nothing was stored")


class OutboundOut(BaseModel):
    id: int
    contact_id: int
    kind: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    sent_at: datetime | None
    created_at: datetime
    invite_at: datetime | None
    message_id: str | None


@router.post("/send", response_model=SendOut, responses={
    409: {"model": SendOut, "description": "refused: already sent, or not allowed for this contact"}})
def send(request: Request, db: Db, actor: CurrentActor, data: SendIn) -> JSONResponse:
    """Send one email now, exactly once. Refusals (409) say why; a failure is retried with backoff."""
    settings = settings_for(db, request.app.state.settings, actor.team_id)
    result = service.send(db, actor, contact_id=data.contact_id, subject=data.subject, body=data.body,
                          invite_at=data.invite_at, kind=data.kind, idempotency_key=data.idempotency_key,
                          smtp=SmtpConfig.from_settings(settings), cadence=settings.cadence.planning())
    return JSONResponse(result.to_dict(), status_code=409 if result.status == "refused" else 200)


@router.get("/outbound")
def outbound(db: Db, actor: CurrentActor, contact_id: RecordId | None = None) -> list[OutboundOut]:
    """Emails to one contact (with failures and next retry), or all the caller sent."""
    return [OutboundOut.model_validate(sent) for sent in service.history(db, actor, contact_id)]
