"""AssemblyAI transcript JSON: speaker-labelled utterances in milliseconds."""

from __future__ import annotations

from typing import Any

from ember.conversation.errors import TranscriptError
from ember.conversation.formats import jsonutil as j
from ember.conversation.formats.common import clean
from ember.conversation.transcript import Segment, Transcript, sort_segments


def parse_assemblyai(text: str) -> Transcript:
    root = j.obj(j.load(text), "$")
    raw = root.get("utterances")
    if raw is None:
        raise TranscriptError(
            "is missing or null",
            expected="utterances (request the transcript with speaker_labels enabled)",
            field="$.utterances",
        )
    segments: list[Segment] = []
    for index, item in enumerate(j.items(raw, "utterances")):
        path = f"utterances[{index}]"
        utt = j.obj(item, path)
        start, end = j.number(utt, "start", path) / 1000, j.number(utt, "end", path) / 1000
        if end < start:
            raise TranscriptError("ends before it starts", expected="end >= start", field=path)
        words = clean(j.text(utt, "text", path))
        if words:
            segments.append(Segment(_name(utt.get("speaker")), start, end, words, index))
    if not segments:
        raise TranscriptError("holds no speech", expected="utterances with text", field="utterances")
    return Transcript(sort_segments(segments), "assemblyai")


def _name(label: Any) -> str:
    # AssemblyAI labels speakers "A", "B", ...; make them readable.
    if label is None:
        return "Speaker"
    label = str(label)
    return f"Speaker {label}" if len(label) <= 2 else label
