"""Deepgram pre-recorded JSON (seconds): utterances, or diarised words.

Without ``utterances=true`` Deepgram returns only words; they are grouped
into turns the way Deepgram's utterances would be (see ``words.py``).
Dual-channel phone recordings put each party on its own channel; when the
speakers are not diarised the channel becomes the speaker.
"""

from __future__ import annotations

from typing import Any

from ember.conversation.errors import TranscriptError
from ember.conversation.formats import jsonutil as j
from ember.conversation.formats.common import clean
from ember.conversation.formats.words import Word, turns_from_words
from ember.conversation.transcript import Segment, Transcript, sort_segments


def parse_deepgram(text: str) -> Transcript:
    root = j.obj(j.load(text), "$")
    results = j.obj(j.member(root, "results", "$"), "results")
    if isinstance(results.get("utterances"), list) and results["utterances"]:
        segments = _from_utterances(results["utterances"])
    else:
        segments = _from_words(results)
    if not segments:
        raise TranscriptError("holds no speech", expected="utterances or words", field="results")
    return Transcript(sort_segments(segments), "deepgram")


def _label(item: dict[str, Any], channel: int | None = None) -> str:
    if isinstance(item.get("speaker"), int | str):
        return f"Speaker {item['speaker']}"
    chan = item.get("channel", channel)
    return f"Channel {chan}" if chan is not None else "Speaker"


def _from_utterances(raw: list[Any]) -> list[Segment]:
    segments: list[Segment] = []
    for index, item in enumerate(raw):
        path = f"results.utterances[{index}]"
        utt = j.obj(item, path)
        start, end = j.number(utt, "start", path), j.number(utt, "end", path)
        if end < start:
            raise TranscriptError("ends before it starts", expected="end >= start", field=path)
        words = clean(j.text(utt, "transcript", path))
        if words:
            segments.append(Segment(_label(utt), start, end, words, index))
    return segments


def _from_words(results: dict[str, Any]) -> list[Segment]:
    channels = j.items(j.member(results, "channels", "results"), "results.channels")
    segments: list[Segment] = []
    for c_index, chan_item in enumerate(channels):
        path = f"results.channels[{c_index}]"
        chan = j.obj(chan_item, path)
        alternatives = j.items(j.member(chan, "alternatives", path), f"{path}.alternatives")
        if not alternatives:
            continue
        alt = j.obj(alternatives[0], f"{path}.alternatives[0]")
        raw_words = j.items(alt.get("words", []), f"{path}.alternatives[0].words")
        channel = c_index if len(channels) > 1 else None
        segments.extend(_runs(raw_words, f"{path}.alternatives[0].words", channel))
    return segments


def _runs(raw_words: list[Any], path: str, channel: int | None) -> list[Segment]:
    """A speaker's words become turns, split where the speaker changes or pauses."""
    words: list[Word] = []
    for index, item in enumerate(raw_words):
        where = f"{path}[{index}]"
        word = j.obj(item, where)
        start, end = j.number(word, "start", where), j.number(word, "end", where)
        if end < start:
            raise TranscriptError("ends before it starts", expected="end >= start", field=where)
        token = word.get("punctuated_word") or j.text(word, "word", where)
        words.append(Word(_label(word, channel), start, end, str(token), index))
    return turns_from_words(words)
