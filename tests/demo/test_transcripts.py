"""Recorded calls: transcripts in the shapes the tools produce, with dialogue that reads right."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest
import webvtt
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ember.demo.dialogue import build_call
from ember.demo.transcripts import render
from ember.models import Call, NextStep


def _calls(engine: Engine) -> list[Call]:
    with Session(engine) as session:
        return list(session.scalars(select(Call)))


def _vtt_speakers(text: str) -> tuple[set[str], list[float]]:
    cues = webvtt.from_string(text).captions
    speakers = set()
    for cue in cues:
        speakers.add(cue.voice if cue.voice else cue.text.split(":", 1)[0])
    return speakers, [cue.start_in_seconds for cue in cues]


def test_vtt_transcripts_parse_with_two_named_speakers(demo_db: Engine) -> None:
    vtt = [c for c in _calls(demo_db) if c.transcript_format == "vtt"]
    assert vtt
    for call in vtt:
        assert call.transcript_text and call.transcript_source
        speakers, starts = _vtt_speakers(call.transcript_text)
        assert len(speakers) == 2
        assert starts == sorted(starts)
        assert call.transcript_source.endswith(".vtt")


def test_json_transcripts_have_their_tools_shape(demo_db: Engine) -> None:
    seen = set()
    for call in _calls(demo_db):
        if call.transcript_format == "vtt":
            continue
        body = json.loads(call.transcript_text or "")
        seen.add(call.transcript_format)
        if call.transcript_format == "assemblyai":
            assert {u["speaker"] for u in body["utterances"]} == {"A", "B"}
            assert body["utterances"][-1]["end"] > 60_000  # milliseconds
        elif call.transcript_format == "deepgram":
            assert body["results"]["channels"][0]["alternatives"][0]["words"]
            assert {u["speaker"] for u in body["results"]["utterances"]} == {0, 1}
        else:
            assert call.transcript_format == "whisper"
            assert {s["speaker"] for s in body["segments"]} == {"SPEAKER_00", "SPEAKER_01"}
    assert seen  # 30 calls: some are JSON


def test_calls_last_three_to_fifteen_minutes(demo_db: Engine) -> None:
    for call in _calls(demo_db):
        assert call.duration_s is not None and 180 <= call.duration_s <= 900


def test_every_format_renders_and_parses() -> None:
    found: dict[str, str] = {}
    rng = random.Random(3)
    while len(found) < 4:
        call = build_call(rng, first_name="Ana", company="Opal Freight", problem_short="delays",
                          start=datetime(2026, 3, 4, 15, tzinfo=UTC), tz="Europe/Paris",
                          target_s=400)
        rendered = render(rng, call, rep="Sam Okafor", prospect="Ana Silva",
                          company="Opal Freight", at=datetime(2026, 3, 4, 15, tzinfo=UTC))
        found.setdefault(rendered.format, rendered.text)
    conversation = pytest.importorskip("ember.conversation")
    for fmt, text in found.items():
        transcript = conversation.parse_transcript(text)
        assert len(transcript.segments) > 20, fmt


def test_dialogue_has_the_parts_of_a_good_call() -> None:
    call = build_call(random.Random(8), first_name="Ana", company="Opal Freight",
                      problem_short="delays", start=datetime(2026, 3, 4, 15, tzinfo=UTC),
                      tz="Europe/Paris", target_s=600)
    rep = [t.text for t in call.turns if t.side == "rep"]
    prospect = [t.text for t in call.turns if t.side == "prospect"]
    assert "Ana" in rep[0]  # small talk opens the call
    assert sum(t.endswith("?") for t in rep) >= 3
    assert any(t.endswith("?") for t in prospect)
    assert any(len(t.split()) > 70 for t in rep)  # a customer story
    assert 2 <= len(call.commitments) <= 5
    for step in call.commitments:
        assert step.due_at.date() >= datetime(2026, 3, 4).date()


def test_next_steps_point_at_their_call_and_quote(demo_db: Engine) -> None:
    with Session(demo_db) as session:
        steps = session.scalars(select(NextStep).where(NextStep.call_id.is_not(None))).all()
        texts = {c.id: c.transcript_text or "" for c in session.scalars(select(Call))}
    assert steps
    for step in steps:
        assert step.quote and step.due_at and step.due_phrase
        # JSON tools split words differently; the first words are in every format.
        assert " ".join(step.quote.split()[:3]) in texts[step.call_id or 0] or \
            step.quote.split()[0] in texts[step.call_id or 0]


@pytest.mark.parametrize("seed", range(24))
def test_analysis_finds_the_next_steps_the_dialogue_says(seed: int) -> None:
    """What the call page shows (the analysis) is what Today lists (the steps
    stored with the call): type, owner and day of every step, nothing more."""
    from zoneinfo import ZoneInfo

    from ember.conversation import analyze_text

    rng = random.Random(seed)
    at = datetime(2026, 3, 2, 14, tzinfo=UTC).replace(day=2 + seed % 5, hour=13 + seed % 6)
    tz = ("America/New_York", "Europe/Berlin", "Asia/Tokyo")[seed % 3]
    call = build_call(rng, first_name="Lea", company="Lumen", problem_short="the handover",
                      start=at, tz=tz, target_s=240 + 60 * (seed % 10))
    rendered = render(rng, call, rep="Sam Okafor", prospect="Lea Martin", company="Lumen", at=at)
    local = at.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
    found = analyze_text(rendered.text, filename_hint=rendered.source, reps=("Sam Okafor",),
                         call_date=local).to_dict()["next_steps"]
    assert sorted((s["type"], s["owner"], (s["due"] or "")[:10]) for s in found) == sorted(
        (str(c.type), str(c.owner_side), c.due_at.date().isoformat()) for c in call.commitments)
