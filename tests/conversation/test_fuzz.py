"""Every parser, fed anything: a transcript or a TranscriptError, never another exception."""

from __future__ import annotations

import contextlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from ember.conversation import TranscriptError, analyze_text, decode_transcript, parse_transcript
from ember.conversation.formats import PARSERS

from .conftest import CALL_DATE, FIXTURES

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["results", "channels", "alternatives", "words", "word", "punctuated_word", "start", "end",
                         "speaker", "utterances", "transcript", "text", "segments", "callTranscripts", "callId",
                         "sentences", "speakerId", "parties", "calls", "metaData", "id", "affiliation", "name",
                         "status", "channel"]), children, max_size=5),
    max_leaves=25,
)

CUE_LINES = st.lists(st.sampled_from([
    "WEBVTT", "", "1", "0:0:0.0 --> 0:0:1.570", "00:01.000 --> 00:02.500", "00:00:03,000 --> 00:00:04,000",
    "00:00:05.000 -->", "<v Dana Whitfield>How many reps do you have?</v>", "<v Marco>twelve", "Dana: so what",
    "Marco Ruiz  0:42", "**Dana**  1:02", "0:15", "Transcribed by https://otter.ai", "-->", "99:99:99.999 --> 0:0:0.0",
]), max_size=20).map("\n".join)


def _parse_each(text: str) -> None:
    for name, parser in PARSERS.items():
        try:
            parser(text)
        except TranscriptError as error:
            assert str(error), name


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text(text: str) -> None:
    _parse_each(text)
    with contextlib.suppress(TranscriptError):
        parse_transcript(text)


@settings(max_examples=150, deadline=None)
@given(CUE_LINES)
def test_caption_like_text(text: str) -> None:
    _parse_each(text)
    with contextlib.suppress(TranscriptError):
        analyze_text(text, call_date=CALL_DATE)


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES)
def test_any_json(value: object) -> None:
    _parse_each(json.dumps(value))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes(raw: bytes) -> None:
    try:
        text, _notes = decode_transcript(raw, "upload")
        analyze_text(text, call_date=CALL_DATE)
    except TranscriptError:
        pass


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_real_files_with_damage(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(p.name for p in FIXTURES.iterdir())))
    text = (FIXTURES / name).read_text()
    cut = data.draw(st.integers(0, len(text)))
    junk = data.draw(st.text(max_size=20))
    with contextlib.suppress(TranscriptError):
        analyze_text(text[:cut] + junk + text[cut:], filename_hint=name, call_date=CALL_DATE)
