"""Gong call transcript JSON (milliseconds), one call or several, with optional parties.

``/v2/calls/transcript`` answers with ``callTranscripts``: one entry per call
asked for, each only with speaker ids. Names and affiliations come from the
calls' ``parties`` (``/v2/calls/extensive``), which a caller may merge into
the same document: top-level ``parties`` (one call), or ``calls`` whose
entries carry ``metaData.id`` (or ``id``) and ``parties``, matched to each
transcript by call id. Internal parties are our reps, External the prospect.
"""

from __future__ import annotations

from typing import Any

from ember.conversation.errors import TranscriptError
from ember.conversation.formats import jsonutil as j
from ember.conversation.formats.common import clean
from ember.conversation.transcript import Segment, Transcript, sort_segments
from ember.vocabulary import Side

_AFFILIATION = {"internal": Side.REP, "external": Side.PROSPECT}
Parties = tuple[dict[str, str], dict[str, Side]]


def parse_gong_calls(text: str) -> list[Transcript]:
    """Every call in the file, in the file's order."""
    root = j.obj(j.load(text), "$")
    calls = j.items(j.member(root, "callTranscripts", "$"), "callTranscripts")
    if not calls:
        raise TranscriptError("is empty", expected="at least one call transcript", field="callTranscripts")
    parties = _parties_by_call(root)
    transcripts = []
    for index, item in enumerate(calls):
        path = f"callTranscripts[{index}]"
        call = j.obj(item, path)
        call_id = str(call.get("callId", index + 1))
        # Parties given without a call id belong to the file's only call (or to every call,
        # when given at the top level: speaker ids that do not occur are simply unused).
        names, sides = parties.get(call_id) or parties.get("*") or ({}, {})
        segments = _segments(call, path, names)
        declared = {names.get(sid, f"Speaker {sid}"): side for sid, side in sides.items()}
        transcripts.append(Transcript(sort_segments(segments), "gong", declared_sides=declared, part=call_id))
    return transcripts


def parse_gong(text: str) -> Transcript:
    """The first call; a note names the others, which ``parse_gong_calls`` returns too."""
    calls = parse_gong_calls(text)
    first = calls[0]
    if len(calls) == 1:
        return first
    others = ", ".join(str(c.part) for c in calls[1:])
    note = (f"the file holds {len(calls)} calls; this is the first (call {first.part}); "
            f"the others ({others}) are analysed separately by `ember analyze`")
    return Transcript(first.segments, "gong", declared_sides=first.declared_sides, notes=(note,), part=first.part)


def _segments(call: dict[str, Any], path: str, names: dict[str, str]) -> list[Segment]:
    monologues = j.items(j.member(call, "transcript", path), f"{path}.transcript")
    segments: list[Segment] = []
    for m_index, item in enumerate(monologues):
        m_path = f"{path}.transcript[{m_index}]"
        mono = j.obj(item, m_path)
        speaker_id = str(j.member(mono, "speakerId", m_path))
        speaker = names.get(speaker_id, f"Speaker {speaker_id}")
        sentences = j.items(j.member(mono, "sentences", m_path), f"{m_path}.sentences")
        for s_index, sentence_item in enumerate(sentences):
            s_path = f"{m_path}.sentences[{s_index}]"
            sentence = j.obj(sentence_item, s_path)
            start = j.number(sentence, "start", s_path) / 1000
            end = j.number(sentence, "end", s_path) / 1000
            if end < start:
                raise TranscriptError("ends before it starts", expected="end >= start", field=s_path)
            words = clean(j.text(sentence, "text", s_path))
            if words:
                segments.append(Segment(speaker, start, end, words, m_index))
    if not segments:
        raise TranscriptError("holds no speech", expected="sentences with text", field=f"{path}.transcript")
    return segments


def _parties_by_call(root: dict[str, Any]) -> dict[str, Parties]:
    """Call id -> (speaker names, declared sides); "*" for parties given for the file as a whole."""
    found: dict[str, Parties] = {}
    if isinstance(root.get("parties"), list):
        found["*"] = _read_parties(root["parties"])
    calls = root.get("calls")
    for call in calls if isinstance(calls, list) else []:
        if not isinstance(call, dict) or not isinstance(call.get("parties"), list):
            continue
        meta: dict[str, Any] = call["metaData"] if isinstance(call.get("metaData"), dict) else call
        call_id = meta.get("id")
        found[str(call_id) if call_id is not None else "*"] = _read_parties(call["parties"])
    if "*" not in found and isinstance(calls, list) and len(calls) == 1 and found:
        found["*"] = next(iter(found.values()))  # one call: its parties, whatever its id says
    return found


def _read_parties(parties: list[Any]) -> Parties:
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
