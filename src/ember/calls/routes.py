from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile

from ember.api.deps import CurrentActor, Db
from ember.cadence.config import cadence_settings
from ember.calls.config import analysis_thresholds
from ember.calls.service import add_call, call_summary, get_call
from ember.errors import InvalidInput, Problem

router = APIRouter(prefix="/api/calls", tags=["calls"])


@router.post("", status_code=201)
def attach_transcript(
    request: Request, db: Db, actor: CurrentActor, contact_id: Annotated[int, Form()], file: UploadFile,
    deal_id: Annotated[int | None, Form()] = None, at: Annotated[datetime | None, Form()] = None,
    format: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    """Record a call with its transcript: analysed, next steps stored, role and qualification updated."""
    raw = file.file.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the transcript is not UTF-8 text",
                           [Problem("file", "could not be decoded as UTF-8", "save the file as UTF-8")]) from exc
    if at is not None and at.tzinfo is None:
        raise InvalidInput("the call time has no time zone",
                           [Problem("at", "no UTC offset", "give an offset, e.g. 2026-03-04T15:00:00+01:00")])
    recorded = add_call(db, actor, contact_id=contact_id, transcript=text, filename=file.filename or "transcript",
                        fmt=format, deal_id=deal_id, at=at, settings=cadence_settings(request.app.state.settings),
                        thresholds=analysis_thresholds(request.app.state.settings))
    return call_summary(recorded)


@router.get("/{call_id}")
def read_call(db: Db, actor: CurrentActor, call_id: int) -> dict[str, Any]:
    call = get_call(db, actor, call_id)
    return {"id": call.id, "touch_id": call.touch_id, "format": call.transcript_format,
            "source": call.transcript_source, "duration_s": call.duration_s, "analysed_at": call.analysed_at,
            "analysis": call.analysis}
