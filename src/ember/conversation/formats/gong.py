"""Gong call transcript JSON (milliseconds) with optional parties.

The transcript endpoint only gives speaker ids; names and affiliations come
from the call's parties, which a caller may merge into the same document
(top-level "parties", or "calls": [{"parties": [...]}] as the calls endpoint
returns them). Internal parties are our reps.
"""

from __future__ import annotations

from typing import Any

from ember.conversation.errors import TranscriptError
from ember.conversation.formats import jsonutil as j
from ember.conversation.formats.common import clean
from ember.conversation.transcript import Segment, Transcript, sort_segments
from ember.vocabulary import Side

_AFFILIATION = {"internal": Side.REP, "external": Side.PROSPECT}


def parse_gong(text: str) -> Transcript:
    root = j.obj(j.load(text), "$")
    calls = j.items(j.member(root, "callTranscripts", "$"), "callTranscripts")
    if not calls:
        raise TranscriptError("is empty", expected="one call transcript", field="callTranscripts")
    call = j.obj(calls[0], "callTranscripts[0]")
    monologues = j.items(j.member(call, "transcript", "callTranscripts[0]"), "transcript")
    names, sides = _parties(root)
    segments: list[Segment] = []
    for m_index, item in enumerate(monologues):
        path = f"callTranscripts[0].transcript[{m_index}]"
        mono = j.obj(item, path)
        speaker_id = str(j.member(mono, "speakerId", path))
        speaker = names.get(speaker_id, f"Speaker {speaker_id}")
        sentences = j.items(j.member(mono, "sentences", path), f"{path}.sentences")
        for s_index, sentence_item in enumerate(sentences):
            s_path = f"{path}.sentences[{s_index}]"
            sentence = j.obj(sentence_item, s_path)
            start = j.number(sentence, "start", s_path) / 1000
            end = j.number(sentence, "end", s_path) / 1000
            words = clean(j.text(sentence, "text", s_path))
            if words:
                segments.append(Segment(speaker, start, end, words, m_index))
    if not segments:
        raise TranscriptError("holds no speech", expected="sentences with text", field="transcript")
    declared = {names.get(sid, f"Speaker {sid}"): side for sid, side in sides.items()}
    return Transcript(sort_segments(segments), "gong", declared_sides=declared)


def _parties(root: dict[str, Any]) -> tuple[dict[str, str], dict[str, Side]]:
    parties: list[Any] = []
    if isinstance(root.get("parties"), list):
        parties = root["parties"]
    elif isinstance(root.get("calls"), list) and root["calls"]:
        first = root["calls"][0]
        if isinstance(first, dict) and isinstance(first.get("parties"), list):
            parties = first["parties"]
    names: dict[str, str] = {}
    sides: dict[str, Side] = {}
    for party in parties:
        if not isinstance(party, dict) or party.get("speakerId") is None:
            continue
        sid = str(party["speakerId"])
        if party.get("name"):
            names[sid] = str(party["name"])
        side = _AFFILIATION.get(str(party.get("affiliation", "")).lower())
        if side:
            sides[sid] = side
    return names, sides
