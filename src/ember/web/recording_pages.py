"""Measuring a call recording on a page: upload a WAV or MP3 (with its transcript or without) and see the call's
figures; nothing is stored, as with the API. A bad file is answered on the form.

A two-channel recording gives talk time per side, monologues and patience from
the voices alone; a one-channel recording needs its transcript for the sides.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response

from ember.calls.service import analysis_thresholds, analyze_upload
from ember.errors import EmberError, InvalidInput, Problem
from ember.web.desk import PageUser, checked_form
from ember.web.templating import render

router = APIRouter(include_in_schema=False)
RECORDING_PAGE_PATH = PATH = "/calls/recording"
# The form sends a transcript and fields beside the recording: room for them above the recording's cap.
FORM_ROOM = 21 * 1024 * 1024
TEMPLATE = "recording.html"


def _size(upload: UploadFile) -> int:
    upload.file.seek(0, 2)
    size = upload.file.tell()
    upload.file.seek(0)
    return size


def _checked(file: UploadFile | None, transcript: UploadFile | None, max_bytes: int) -> None:
    """Refuse, before decoding anything, a missing or oversized file."""
    if file is None or not file.filename:
        raise InvalidInput("choose the recording", [Problem("file", "no file was sent", "pick a WAV or MP3 file")])
    if _size(file) > max_bytes:
        raise InvalidInput("the recording is too large", [Problem(
            "file", f"larger than {max_bytes // (1024 * 1024)} MB", "send a shorter recording or split it")])
    if transcript is not None and transcript.filename and _size(transcript) == 0:
        raise InvalidInput("the transcript is empty", [Problem("transcript", "the file has no text",
                                                               "pick the call's transcript, or leave it out")])


@router.get(PATH)
def recording_page(request: Request, actor: PageUser) -> Response:
    return render(request, TEMPLATE, form={"rep_channel": "1"}, max_mb=_max_mb(request))


def _max_mb(request: Request) -> int:
    return int(request.app.state.settings.analysis.max_recording_bytes // (1024 * 1024))


@router.post(PATH)
def measure_recording(request: Request, actor: PageUser, file: UploadFile | None = None,
                      transcript: UploadFile | None = None, rep_channel: Annotated[str, Form()] = "1",
                      rep: Annotated[str, Form()] = "", csrf: Annotated[str, Form()] = "") -> Response:
    checked_form(request, csrf)
    settings = request.app.state.settings.analysis
    form = {"rep_channel": rep_channel, "rep": rep}
    with_text = transcript if transcript is not None and transcript.filename else None
    try:
        _checked(file, with_text, settings.max_recording_bytes)
        assert file is not None  # checked above
        analysis = analyze_upload(
            file.file, file.filename or "recording.wav", transcript=with_text.file if with_text else None,
            transcript_name=with_text.filename if with_text else None, rep_channel=2 if rep_channel == "2" else 1,
            reps=tuple(r.strip() for r in rep.split(",") if r.strip()), thresholds=analysis_thresholds(settings),
            max_bytes=settings.max_transcript_bytes)
    except EmberError as exc:
        problems = [str(p) for p in exc.problems]
        return render(request, TEMPLATE, status_code=422, error=exc.message, problems=problems, form=form,
                      max_mb=_max_mb(request))
    data: dict[str, Any] = analysis.to_dict()
    return render(request, TEMPLATE, form=form, max_mb=_max_mb(request), a=data,
                  recording_name=file.filename, with_transcript=with_text is not None)
