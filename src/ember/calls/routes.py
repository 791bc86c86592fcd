from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile

from ember.api.deps import CurrentActor, Db
from ember.calls.schemas import AnalysisOut, BenchmarkOut, CallOut, CallRecorded, SidesIn, SidesOut, SpeakerOut
from ember.calls.service import (
    SideChoice,
    add_call,
    analysis_thresholds,
    analyze_upload,
    call_summary,
    check_size,
    correct_sides,
    decode,
    get_call,
)
from ember.errors import InvalidInput, Problem
from ember.ids import RecordId
from ember.team_settings.effective import settings_for

router = APIRouter(prefix="/api/calls", tags=["calls"])
RECORDING_PATH = "/api/calls/recording/analyze"


@router.post("", status_code=201)
def attach_transcript(
    request: Request, db: Db, actor: CurrentActor, contact_id: Annotated[RecordId, Form()], file: UploadFile,
    deal_id: Annotated[RecordId | None, Form()] = None, at: Annotated[datetime | None, Form()] = None,
    format: Annotated[str | None, Form()] = None, rep: Annotated[list[str] | None, Form()] = None,
    prospect: Annotated[list[str] | None, Form()] = None,
) -> CallRecorded:
    """Record a call with its transcript: analysed, next steps stored, role and qualification updated."""
    settings = settings_for(db, request.app.state.settings, actor.team_id)
    limit = settings.analysis.max_transcript_bytes
    raw = file.file.read(limit + 1)  # never more than the limit, whatever the upload's size
    check_size(len(raw), limit, "file")
    text, notes = decode(raw, file.filename or "transcript")
    if at is not None and at.tzinfo is None:
        raise InvalidInput("the call time has no time zone",
                           [Problem("at", "no UTC offset", "give an offset, e.g. 2026-03-04T15:00:00+01:00")])
    recorded = add_call(db, actor, contact_id=contact_id, transcript=text, filename=file.filename or "transcript",
                        fmt=format, deal_id=deal_id, at=at, settings=settings.cadence.planning(),
                        thresholds=analysis_thresholds(settings.analysis), notes=notes,
                        choice=SideChoice(tuple(rep or ()), tuple(prospect or ())))
    return CallRecorded.model_validate(call_summary(recorded))


@router.put("/{call_id}/sides", response_model=SidesOut)
def set_sides(request: Request, db: Db, actor: CurrentActor, call_id: RecordId, body: SidesIn) -> SidesOut:
    """Say which speakers are ours and which the prospect's; the call is analysed again from its transcript."""
    done = correct_sides(db, actor, call_id, SideChoice(tuple(body.rep), tuple(body.prospect)),
                         thresholds=analysis_thresholds(settings_for(db, request.app.state.settings,
                                                                     actor.team_id).analysis))
    data = done.analysis.to_dict()
    return SidesOut(call_id=done.call.id, side_method=data["side_method"], sides_known=data["sides_known"],
                    speakers=[SpeakerOut(**s) for s in data["speakers"]], next_steps=len(data["next_steps"]),
                    benchmarks=[BenchmarkOut(metric=b["metric"], verdict=b["verdict"], reason=b["reason"])
                                for b in data["benchmarks"]])


@router.get("/{call_id}")
def read_call(db: Db, actor: CurrentActor, call_id: RecordId) -> CallOut:
    call = get_call(db, actor, call_id)
    return CallOut.model_validate({"id": call.id, "touch_id": call.touch_id, "format": call.transcript_format,
            "source": call.transcript_source, "duration_s": call.duration_s, "analysed_at": call.analysed_at,
            "analysis": call.analysis})


@router.post("/recording/analyze")
def analyze_recording_upload(
    request: Request, actor: CurrentActor, file: UploadFile, transcript: UploadFile | None = None,
    rep_channel: Annotated[int, Form(ge=1, le=2)] = 1, rep: Annotated[list[str] | None, Form()] = None,
) -> AnalysisOut:
    """Call figures from a recording (two channels: timing with no transcript), or from a recording
    and its transcript (the recording's timing, the transcript's words). Nothing is stored."""
    settings = request.app.state.settings
    analysis = analyze_upload(file.file, file.filename or "recording.wav", transcript=transcript.file if transcript
                              else None, transcript_name=transcript.filename if transcript else None,
                              rep_channel=rep_channel, reps=tuple(rep or ()),
                              thresholds=analysis_thresholds(settings.analysis),
                              max_bytes=settings.analysis.max_transcript_bytes)
    return AnalysisOut.model_validate(analysis.to_dict())
