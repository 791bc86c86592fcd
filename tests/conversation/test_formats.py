"""Each format parses to the right speakers and timings; broken files say where."""

from __future__ import annotations

from pathlib import Path

import pytest

from ember.conversation import TranscriptError, parse_transcript
from ember.conversation.detect import detect_format

from .conftest import FIXTURES

DANA, MARCO = "Dana Whitfield", "Marco Ruiz"

CASES = [
    ("zoom.vtt", "vtt", [DANA, MARCO]),
    ("teams.vtt", "vtt", [DANA, MARCO]),
    ("call.srt", "srt", [DANA, MARCO]),
    ("whisperx.json", "whisper", ["SPEAKER_00", "SPEAKER_01"]),
    ("whisper.json", "whisper", ["Speaker"]),
    ("assemblyai.json", "assemblyai", ["Speaker A", "Speaker B"]),
    ("deepgram_utterances.json", "deepgram", ["Speaker 0", "Speaker 1"]),
    ("deepgram_words.json", "deepgram", ["Speaker 0", "Speaker 1"]),
    ("gong.json", "gong", [DANA, MARCO]),
    ("otter.txt", "otter", [DANA, MARCO]),
    ("plain.txt", "text", ["Dana", "Marco"]),
]


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "fmt", "speakers"), CASES)
def test_each_format_is_detected_and_parsed(name: str, fmt: str, speakers: list[str]) -> None:
    text = read(name)
    assert detect_format(text, name) == fmt
    transcript = parse_transcript(text, filename_hint=name)
    assert transcript.speakers == speakers
    assert transcript.segments[0].text.lower().startswith("hi marco")
    # The fixture call lasts three minutes (estimated for plain text).
    assert 170 <= transcript.duration <= 185


@pytest.mark.parametrize("name", ["zoom.vtt", "call.srt", "assemblyai.json", "gong.json"])
def test_timings_are_read_in_seconds(name: str) -> None:
    seg = parse_transcript(read(name)).segments[1]
    assert seg.start == pytest.approx(5.22, abs=0.01)
    assert seg.end == pytest.approx(11.76, abs=0.01)


def test_teams_cues_are_sorted_and_unclosed_voice_tags_read() -> None:
    transcript = parse_transcript(read("teams.vtt"))
    starts = [s.start for s in transcript.segments]
    assert starts == sorted(starts)
    first = transcript.segments[0]  # its </v> is missing in the file
    assert first.speaker == DANA and "<" not in first.text


def test_gong_affiliation_declares_sides() -> None:
    transcript = parse_transcript(read("gong.json"))
    assert {k: str(v) for k, v in transcript.declared_sides.items()} == {
        DANA: "rep", MARCO: "prospect"}


def test_plain_text_timing_is_estimated() -> None:
    transcript = parse_transcript(read("plain.txt"))
    assert transcript.timing_estimated
    assert not parse_transcript(read("zoom.vtt")).timing_estimated


def test_srt_without_speakers_is_one_speaker() -> None:
    transcript = parse_transcript(read("no_speakers.srt"))
    assert transcript.speakers == ["Speaker"]


def test_otter_turn_ends_where_next_begins() -> None:
    segments = parse_transcript(read("otter.txt")).segments
    assert segments[0].start == 0 and segments[0].end == segments[1].start == 5


@pytest.mark.parametrize(
    ("text", "fmt", "where", "what"),
    [
        ("WEBVTT\n\n1\n00:00:01.000 --> 00:00:0x.000\nA: hi\n", "vtt", "line 4", "cue timing"),
        ("Hello\n\n1\n00:00:01.000 --> 00:00:02.000\nA: hi\n", "vtt", "line 1", "WEBVTT"),
        ("1\n00:00:01,000 --> 00:00:x2\nA: hi\n", "srt", "line 2", "00:01:02,500"),
        ('{"segments": [{"start": 1, "end": 2}]}', "whisper", "segments[0].text", "missing"),
        ('{"segments": [{"start": "a", "end": 2, "text": "x"}]}', "whisper",
         "segments[0].start", "a number"),
        ('{"segments": [\n  {"start": 1,,}]}', "whisper", "line 2", "invalid JSON"),
        ('{"utterances": null}', "assemblyai", "$.utterances", "speaker_labels"),
        ('{"callTranscripts": [{"transcript": [{"sentences": []}]}]}', "gong",
         "transcript[0].speakerId", "missing"),
        ("just words with no speaker\n", "text", "line 1", "has no speaker"),
        ("hello there\nDana  0:05\nhi\n", "otter", "line 1", "before any speaker header"),
    ],
)
def test_malformed_files_name_the_line_or_field(text: str, fmt: str, where: str, what: str) -> None:
    with pytest.raises(TranscriptError) as caught:
        parse_transcript(text, fmt=fmt)
    message = str(caught.value)
    assert where in message and what in message
    assert "expected" in message


def test_unknown_format_lists_the_known_ones() -> None:
    with pytest.raises(TranscriptError, match="expected one of vtt, srt"):
        parse_transcript("x", fmt="mp3")


def test_fixture_folder_has_every_format() -> None:
    assert {fmt for _, fmt, _ in CASES} == {
        "vtt", "srt", "whisper", "assemblyai", "deepgram", "gong", "otter", "text"}
    assert all((FIXTURES / name).exists() for name, _, _ in CASES)
    assert isinstance(FIXTURES, Path)
