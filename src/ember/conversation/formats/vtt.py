"""WebVTT from Zoom ("Name: text" cues) and Microsoft Teams (`<v Name>` tags).

Reading is delegated to webvtt-py. It does not report line numbers and, in
its lenient mode, silently skips cues with broken timings, so a quick scan of
the timing lines runs first: it gives the user the line to fix and lets each
segment point back to its cue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from ember.conversation.errors import TranscriptError
from ember.conversation.formats.common import clean, split_speaker
from ember.conversation.formats.timing import normalise_timings
from ember.conversation.transcript import Segment, Transcript, sort_segments

_EXPECTED_TIMING = "a cue timing like 00:01:02.500 --> 00:01:05.000"


def parse_vtt(text: str) -> Transcript:
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or not lines[0].startswith("WEBVTT"):
        raise TranscriptError(
            "file does not start with WEBVTT", expected='"WEBVTT" on the first line', line=1
        )
    timings = normalise_timings(lines, ".", _EXPECTED_TIMING)
    try:
        captions = webvtt.from_string("\n".join(timings.lines)).captions
    except (MalformedFileError, MalformedCaptionError) as error:
        raise TranscriptError(f"not valid WebVTT ({error})", expected="WebVTT cues") from error
    transcript = caption_transcript(captions, timings.numbers, _speaker_and_words, "vtt")
    return replace(transcript, notes=timings.notes)


def caption_transcript(captions: list[webvtt.Caption], numbers: list[int],
                       read_cue: Callable[[webvtt.Caption, str], tuple[str, str]], fmt: str) -> Transcript:
    """Captions read by webvtt-py (VTT or SRT) to a transcript. ``read_cue(caption, previous
    speaker)`` gives the speaker and words; a cue that names nobody continues the last speaker.
    ``numbers`` are the cues' timing lines, so each segment points back to its line."""
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
        speaker, words = read_cue(caption, previous)
        previous = speaker
        if words:
            segments.append(Segment(speaker, start, end, words, number))
    if not segments:
        raise TranscriptError("no cues with text found", expected="at least one timed cue")
    return Transcript(sort_segments(segments), fmt)


def _speaker_and_words(caption: webvtt.Caption, previous: str) -> tuple[str, str]:
    raw = caption.raw_text
    if "<" in raw:
        # Teams: <v Name>text</v>, the closing tag is sometimes missing;
        # webvtt-py reads the voice from the opening tag and strips the tags.
        voice = caption.voice
        words = clean(caption.text)
        if voice:
            return clean(voice), words
    else:
        words = clean(raw)  # tag stripping is the costly part; skip it when there are none
    # Zoom: "Name: text". A cue without a prefix continues the last speaker.
    name, rest = split_speaker(words)
    if name:
        return name, rest.strip()
    return previous, words
