"""SubRip (.srt), with or without "Name:" prefixes (Otter exports add them)."""

from __future__ import annotations

import re

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from ember.conversation.errors import TranscriptError
from ember.conversation.formats.common import clean, split_speaker
from ember.conversation.formats.vtt import caption_transcript, timing_lines
from ember.conversation.transcript import Transcript

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
    return caption_transcript(captions, numbers, _speaker_and_words, "srt")


def _speaker_and_words(caption: webvtt.Caption, previous: str) -> tuple[str, str]:
    """SRT has no voice tags: a "Name:" prefix, or the speaker of the cue before."""
    name, words = split_speaker(clean(caption.text))
    return name or previous, clean(words)
