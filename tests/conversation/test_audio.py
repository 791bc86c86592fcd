"""Call recordings measured without a transcript: two voices synthesised with espeak-ng and sox from a
script with known turn times, analysed by `ember analyze` as a user runs it."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ember.cli.main import app
from tests.conversation.audio_support import Line, Spoken, synthesize
from tests.factories import make_user

SCRIPT = [
    Line("rep", 0.5, "Hi Marco, thanks for taking the time today. How is the quarter going so far?"),
    Line("prospect", 6.5, "Busy. We are hiring three new reps and our follow up is a mess, honestly."),
    Line("rep", 12.0, "I hear that a lot. What happens today when a lead goes quiet after the first call?"),
    Line("prospect", 18.5, "Mostly nothing. Someone remembers a week later, or never. Last month we lost a big "
                           "renewal because nobody called back, and the board noticed it. We need a system that "
                           "reminds people."),
    Line("rep", 33.0, "That makes sense. Would a short demo next Tuesday at ten work for you?"),
    Line("prospect", 38.5, "Yes, Tuesday at ten works. Send me the invite."),
]


@pytest.fixture(scope="module")
def call(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Spoken]]:
    path = tmp_path_factory.mktemp("audio") / "call.wav"
    return path, synthesize(SCRIPT, path)


def _analyze(*args: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(app, ["analyze", *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _talk(spoken: list[Spoken], side: str) -> float:
    return sum(s.end - s.start for s in spoken if s.side == side)


def _longest(spoken: list[Spoken], side: str) -> float:
    return max(s.end - s.start for s in spoken if s.side == side)


def _patience(spoken: list[Spoken]) -> float:
    pauses = sorted(b.start - a.end for a, b in itertools.pairwise(spoken)
                    if a.side == "prospect" and b.side == "rep")
    middle = len(pauses) // 2
    return pauses[middle] if len(pauses) % 2 else (pauses[middle - 1] + pauses[middle]) / 2


def test_a_stereo_recording_gives_the_call_figures_within_the_scripts_times(call) -> None:
    path, spoken = call
    found = _analyze(str(path))
    talk = {s["side"]: s["talk_s"] for s in found["speakers"]}
    for side in ("rep", "prospect"):
        assert talk[side] == pytest.approx(_talk(spoken, side), rel=0.05)
    assert found["rep_talk_ratio"] == pytest.approx(_talk(spoken, "rep") / (_talk(spoken, "rep") + _talk(
        spoken, "prospect")), abs=0.03)
    assert found["longest_rep_monologue_s"] == pytest.approx(_longest(spoken, "rep"), abs=1.0)
    assert found["longest_prospect_story_s"] == pytest.approx(_longest(spoken, "prospect"), abs=1.0)
    assert found["patience_s"] == pytest.approx(_patience(spoken), abs=1.0)
    assert found["interactivity_per_min"] == pytest.approx(5 / (spoken[-1].end - spoken[0].start) * 60, rel=0.1)
    verdicts = {b["metric"]: b["verdict"] for b in found["benchmarks"]}
    assert verdicts["rep_talk_ratio"] != "unknown" and verdicts["next_steps"] == "unknown"


def test_swapped_channels_swap_the_sides(call) -> None:
    path, spoken = call
    talk = {s["side"]: s["talk_s"] for s in _analyze(str(path), "--rep-channel", "2")["speakers"]}
    assert talk["rep"] == pytest.approx(_talk(spoken, "prospect"), rel=0.05)


def test_an_mp3_is_decoded_with_ffmpeg(call, tmp_path) -> None:
    path, spoken = call
    mp3 = tmp_path / "call.mp3"
    subprocess.run([shutil.which("ffmpeg") or "ffmpeg", "-v", "error", "-i", str(path), "-b:a", "64k", str(mp3)],
                   check=True)
    talk = {s["side"]: s["talk_s"] for s in _analyze(str(mp3))["speakers"]}
    assert talk["prospect"] == pytest.approx(_talk(spoken, "prospect"), rel=0.05)


VTT = """WEBVTT

00:00:00.000 --> 00:00:03.000
Dana: Hi Marco, thanks for taking the time today. How is the quarter going so far?

00:00:03.000 --> 00:00:06.000
Marco: Busy. We are hiring three new reps and our follow up is a mess, honestly.

00:00:06.000 --> 00:00:09.000
Dana: I hear that a lot. What happens today when a lead goes quiet after the first call?

00:00:09.000 --> 00:00:12.000
Marco: Mostly nothing. Someone remembers a week later, or never. Last month we lost a big renewal.

00:00:12.000 --> 00:00:15.000
Dana: That makes sense. Would a short demo next Tuesday at ten work for you?

00:00:15.000 --> 00:00:18.000
Marco: Yes, Tuesday at ten works. Send me the invite.
"""


def test_with_a_transcript_the_recording_gives_the_timing_and_the_transcript_the_words(call, tmp_path) -> None:
    path, spoken = call
    transcript = tmp_path / "call.vtt"
    transcript.write_text(VTT)  # its times are rough: every cue 3 s
    found = _analyze(str(transcript), "--recording", str(path), "--rep", "Dana")
    assert found["longest_prospect_story_s"] == pytest.approx(_longest(spoken, "prospect"), abs=1.0)
    assert found["duration_s"] > 30 and found["questions"]["rep"] >= 2
    assert any(step["type"] == "demo" for step in found["next_steps"])
    assert any("timing from the recording" in note for note in found["notes"])


def test_a_mono_recording_needs_a_transcript(tmp_path) -> None:
    mono = tmp_path / "mono.wav"
    synthesize(SCRIPT[:2], mono, stereo=False)
    alone = CliRunner().invoke(app, ["analyze", str(mono)], catch_exceptions=False)
    assert alone.exit_code == 2 and "mono recording cannot tell the rep from the prospect" in alone.output
    transcript = tmp_path / "call.vtt"
    transcript.write_text(VTT)
    found = _analyze(str(transcript), "--recording", str(mono), "--rep", "Dana")
    assert found["duration_s"] == pytest.approx(18.0) and any("is mono" in note for note in found["notes"])


def test_the_api_analyses_an_uploaded_recording(call, client, engine) -> None:
    path, spoken = call
    rep = make_user(engine, "dana@acme.example")
    with path.open("rb") as handle:
        response = client.post("/api/calls/recording/analyze", headers=rep.headers,
                               files={"file": ("call.wav", handle, "audio/wav")}, data={"rep_channel": "1"})
    assert response.status_code == 200, response.text
    talk = {s["side"]: s["talk_s"] for s in response.json()["speakers"]}
    assert talk["rep"] == pytest.approx(_talk(spoken, "rep"), rel=0.05)
    mono = client.post("/api/calls/recording/analyze", headers=rep.headers,
                       files={"file": ("notes.txt", b"hello", "text/plain")})
    assert mono.status_code == 422 and "not a recording" in mono.text
