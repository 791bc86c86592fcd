"""AssemblyAI transcript JSON (milliseconds): speaker-labelled utterances, or words only.

With ``speaker_labels`` AssemblyAI returns utterances; some exports keep only
the top-level ``words`` (each with its ``speaker``, or null when speakers were
not labelled). Turns are then built from the words (see ``words.py``).
"""

from __future__ import annotations

from typing import Any

from ember.conversation.errors import TranscriptError
from ember.conversation.formats import jsonutil as j
from ember.conversation.formats.common import clean
from ember.conversation.formats.words import Word, turns_from_words
from ember.conversation.transcript import Segment, Transcript, sort_segments

_UNFINISHED = ("queued", "processing", "error")


def parse_assemblyai(text: str) -> Transcript:
    root = j.obj(j.load(text), "$")
    status = root.get("status")
    if status in _UNFINISHED:
        raise TranscriptError(f"the transcript is not ready (status {status!r})",
                              expected="a completed transcript; fetch it again once its status is completed",
                              field="$.status")
    if isinstance(root.get("utterances"), list) and root["utterances"]:
        segments = _from_utterances(root["utterances"])
    elif isinstance(root.get("words"), list) and root["words"]:
        segments = _from_words(root["words"])
    else:
        raise TranscriptError(
            "has neither utterances nor words",
            expected="utterances (request the transcript with speaker_labels enabled) or words",
            field="$.utterances",
        )
    if not segments:
        raise TranscriptError("holds no speech", expected="utterances with text", field="utterances")
    return Transcript(sort_segments(segments), "assemblyai")


def _from_utterances(raw: list[Any]) -> list[Segment]:
    segments: list[Segment] = []
    for index, item in enumerate(raw):
        path = f"utterances[{index}]"
        utt = j.obj(item, path)
        start, end = j.number(utt, "start", path) / 1000, j.number(utt, "end", path) / 1000
        if end < start:
            raise TranscriptError("ends before it starts", expected="end >= start", field=path)
        words = clean(j.text(utt, "text", path))
        if words:
            segments.append(Segment(_name(utt.get("speaker")), start, end, words, index))
    return segments


def _from_words(raw: list[Any]) -> list[Segment]:
    words: list[Word] = []
    for index, item in enumerate(raw):
        path = f"words[{index}]"
        word = j.obj(item, path)
        start, end = j.number(word, "start", path) / 1000, j.number(word, "end", path) / 1000
        if end < start:
            raise TranscriptError("ends before it starts", expected="end >= start", field=path)
        words.append(Word(_name(word.get("speaker")), start, end, j.text(word, "text", path), index))
    return turns_from_words(words)


def _name(label: Any) -> str:
    # AssemblyAI labels speakers "A", "B", ...; make them readable.
    if label is None:
        return "Speaker"
    label = str(label)
    return f"Speaker {label}" if len(label) <= 2 else label
