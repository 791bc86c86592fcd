"""SubRip (.srt), with or without "Name:" prefixes (Otter exports add them)."""

from __future__ import annotations

import re

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from ember.conversation.errors import TranscriptError
from ember.conversation.formats.common import clean, split_speaker
from ember.conversation.formats.vtt import timing_lines
from ember.conversation.transcript import Segment, Transcript, sort_segments

_TIMESTAMP = r"\d{1,2}:\d{1,2}:\d{1,2}[,.]\d{1,3}"
_TIMING = re.compile(rf"^\s*({_TIMESTAMP})\s*-->\s*({_TIMESTAMP})")
_EXPECTED = "a cue timing like 00:01:02,500 --> 00:01:05,000"


def parse_srt(text: str) -> Transcript:
    lines = text.lstrip("\ufeff").splitlines()
    numbers = timing_lines(lines, _TIMING, _EXPECTED)
    if not numbers:
        raise TranscriptError("no SRT cues found", expected=_EXPECTED, line=1)
    stripped = [line.strip() for line in lines]
    try:
        captions = webvtt.from_buffer(stripped, format="srt").captions
    except (MalformedFileError, MalformedCaptionError) as error:
        first = next((n for n, line in enumerate(stripped, 1) if line), 1)
        raise TranscriptError(
            "not valid SRT", expected="a cue number line followed by a timing line", line=first
        ) from error
    if len(numbers) != len(captions):
        numbers = [0] * len(captions)
    segments: list[Segment] = []
    previous = "Speaker"
    for caption, number in zip(captions, numbers, strict=True):
        start = caption.start_time.in_milliseconds() / 1000
        end = caption.end_time.in_milliseconds() / 1000
        if end < start:
            raise TranscriptError(
                "cue ends before it starts", expected="an end time after the start", line=number
            )
        name, words = split_speaker(clean(caption.text))
        speaker = name or previous
        previous = speaker
        if words.strip():
            segments.append(Segment(speaker, start, end, clean(words), number))
    if not segments:
        raise TranscriptError("no cues with text found", expected="at least one timed cue")
    return Transcript(sort_segments(segments), "srt")
