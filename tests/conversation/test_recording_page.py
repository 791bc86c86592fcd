"""Measuring a recording on the calls pages: a two-voice stereo call synthesised from a script gives its figures
on the page; a bad or mono file is answered on the form and nothing is stored."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ember.db import unit_of_work
from ember.models import Call, Touch
from tests.conversation.audio_support import Line, Spoken, synthesize
from tests.desk_support import PASSWORD, Desk
from tests.factories import make_user

SCRIPT = [
    Line("rep", 0.5, "Hi Marco, thanks for taking the time today. How is the quarter going so far?"),
    Line("prospect", 6.5, "Busy. We are hiring three new reps and our follow up is a mess, honestly."),
    Line("rep", 12.0, "Would a short demo next Tuesday at ten work for you?"),
    Line("prospect", 17.5, "Yes, Tuesday at ten works. Send me the invite."),
]


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Spoken]]:
    path = tmp_path_factory.mktemp("audio") / "call.wav"
    return path, synthesize(SCRIPT, path)


def _stored(engine) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return (int(session.scalar(select(func.count()).select_from(Call)) or 0),
                int(session.scalar(select(func.count()).select_from(Touch)) or 0))


def _clock_s(text: str) -> float:
    minutes, _, seconds = text.strip().partition(":")
    return int(minutes) * 60 + float(seconds)


def test_a_stereo_recording_is_measured_on_the_page_and_bad_files_are_answered_there(client, engine, recording,
                                                                                       tmp_path) -> None:
    path, spoken = recording
    make_user(engine, "dana@acme.example", password=PASSWORD)
    desk = Desk(client, "dana@acme.example")
    assert 'href="/calls/recording"' in desk.get("/calls").text
    before = _stored(engine)

    with path.open("rb") as handle:
        measured = desk.post("/calls/recording", {"rep_channel": "1"},
                             files={"file": ("call.wav", handle, "audio/wav")})
    assert measured.status_code == 200, measured.text
    assert 'id="measured"' in measured.text
    talk = re.search(r"<dt>Talk: you</dt><dd>([^<]+)</dd>", measured.text)
    assert talk is not None
    expected = sum(s.end - s.start for s in spoken if s.side == "rep")
    assert abs(_clock_s(talk.group(1)) - expected) <= max(1.0, 0.05 * expected)

    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    with notes.open("rb") as handle:
        wrong = desk.post("/calls/recording", files={"file": ("notes.txt", handle, "text/plain")})
    assert wrong.status_code == 422 and "not a recording" in wrong.text and 'id="form-error"' in wrong.text

    mono = tmp_path / "mono.wav"
    synthesize(SCRIPT[:2], mono, stereo=False)
    with mono.open("rb") as handle:
        alone = desk.post("/calls/recording", files={"file": ("mono.wav", handle, "audio/wav")})
    assert alone.status_code == 422 and "transcript" in alone.text
    missing = desk.post("/calls/recording", {"rep_channel": "1"})
    assert missing.status_code == 422 and "choose the recording" in missing.text.lower()
    assert _stored(engine) == before  # measuring stores nothing
