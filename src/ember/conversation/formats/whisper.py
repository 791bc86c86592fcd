"""openai-whisper / faster-whisper JSON (seconds); WhisperX adds "speaker"."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ember.conversation.errors import TranscriptError
from ember.conversation.formats import jsonutil as j
from ember.conversation.formats.common import clean
from ember.conversation.transcript import Segment, Transcript, sort_segments


def parse_whisper(text: str) -> Transcript:
    root = j.obj(j.load(text), "$")
    raw = j.items(j.member(root, "segments", "$"), "segments")
    segments: list[Segment] = []
    for index, item in enumerate(raw):
        path = f"segments[{index}]"
        seg = j.obj(item, path)
        start, end = j.number(seg, "start", path), j.number(seg, "end", path)
        if end < start:
            raise TranscriptError("ends before it starts", expected="end >= start", field=path)
        words = clean(j.text(seg, "text", path))
        if words:
            segments.append(Segment(_speaker(seg), start, end, words, index))
    if not segments:
        raise TranscriptError("holds no speech", expected="segments with text", field="segments")
    return Transcript(sort_segments(segments), "whisper")


def _speaker(seg: dict[str, Any]) -> str:
    if isinstance(seg.get("speaker"), str | int):
        return str(seg["speaker"])
    # WhisperX sometimes labels only the words of a segment.
    words = seg.get("words")
    if isinstance(words, list):
        labels = Counter(str(w["speaker"]) for w in words if isinstance(w, dict) and "speaker" in w)
        if labels:
            return labels.most_common(1)[0][0]
    return "Speaker"
