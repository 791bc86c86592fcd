"""SubRip (.srt), with or without "Name:" prefixes (Otter exports add them)."""

from __future__ import annotations

from dataclasses import replace

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from ember.conversation.errors import TranscriptError
from ember.conversation.formats.common import clean, split_speaker
from ember.conversation.formats.timing import normalise_timings
from ember.conversation.formats.vtt import caption_transcript
from ember.conversation.transcript import Transcript

_EXPECTED = "a cue timing like 00:01:02,500 --> 00:01:05,000"


def parse_srt(text: str) -> Transcript:
    timings = normalise_timings(text.lstrip("\ufeff").splitlines(), ",", _EXPECTED)
    if not timings.numbers:
        raise TranscriptError("no SRT cues found", expected=_EXPECTED, line=1)
    stripped = [line.strip() for line in timings.lines]
    try:
        captions = webvtt.from_buffer(stripped, format="srt").captions
    except (MalformedFileError, MalformedCaptionError) as error:
        first = next((n for n, line in enumerate(stripped, 1) if line), 1)
        raise TranscriptError(
            "not valid SRT", expected="a cue number line followed by a timing line", line=first
        ) from error
    transcript = caption_transcript(captions, timings.numbers, _speaker_and_words, "srt")
    return replace(transcript, notes=timings.notes)


def _speaker_and_words(caption: webvtt.Caption, previous: str) -> tuple[str, str]:
    """SRT has no voice tags: a "Name:" prefix, or the speaker of the cue before."""
    name, words = split_speaker(clean(caption.text))
    return name or previous, clean(words)
