"""Render demo dialogue as the transcript files people actually have.

Shapes follow what the tools produce: Zoom WebVTT ("Name: text" cues),
Microsoft Teams WebVTT (``<v Name>`` voice tags, GUID cue ids, a closing tag
that is sometimes missing), AssemblyAI JSON (milliseconds, speakers "A"/"B"),
Deepgram JSON (seconds, integer speakers) and WhisperX-style JSON (seconds,
"SPEAKER_00"). Timings come from word counts at a speaking rate per person.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ember.demo.dialogue import Call, Turn
from ember.vocabulary import Side

MAX_CUE_WORDS = 16  # tools split long speech into cues of a line or two


@dataclass(frozen=True, slots=True)
class Cue:
    speaker: str  # display name
    side: str
    start: float
    end: float
    text: str


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    format: str  # vtt | assemblyai | deepgram | whisper
    source: str  # a file name as the tool would save it
    duration_s: float
    turn_starts: tuple[float, ...]  # start second of each dialogue turn


def time_cues(rng: random.Random, turns: list[Turn],
              names: dict[str, str]) -> tuple[list[Cue], tuple[float, ...]]:
    """Give each turn a start and end, split long turns into cues; also each turn's start."""
    rates: dict[str, float] = {Side.REP: 2.3 + rng.random() * 0.4, Side.PROSPECT: 2.1 + rng.random() * 0.4}
    clock = 0.4 + rng.random()
    cues: list[Cue] = []
    starts: list[float] = []
    for turn in turns:
        starts.append(round(clock, 3))
        words = turn.text.split()
        size = -(-len(words) // _cue_count(len(words)))  # even cues, no one-word tail
        for start in range(0, len(words), size):
            chunk = words[start : start + size]
            length = len(chunk) / rates[turn.side]
            cues.append(Cue(names[turn.side], turn.side, round(clock, 3),
                            round(clock + length, 3), " ".join(chunk)))
            clock += length + 0.05
        clock += 0.3 + rng.random() * 1.1  # the pause before the other side answers
    return cues, tuple(starts)


def _cue_count(words: int) -> int:
    return max(1, -(-words // MAX_CUE_WORDS))


def _stamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def zoom_vtt(cues: list[Cue]) -> str:
    parts = ["WEBVTT\n"]
    for number, cue in enumerate(cues, start=1):
        parts.append(f"{number}\n{_stamp(cue.start)} --> {_stamp(cue.end)}\n"
                     f"{cue.speaker}: {cue.text}\n")
    return "\n".join(parts)


def teams_vtt(rng: random.Random, cues: list[Cue]) -> str:
    meeting = uuid.UUID(int=rng.getrandbits(128), version=4)
    parts = ["WEBVTT\n"]
    for number, cue in enumerate(cues):
        # Teams leaves the closing tag off now and then; parsers must cope.
        close = "" if rng.random() < 0.1 else "</v>"
        parts.append(f"{meeting}/{number + 10}-0\n{_stamp(cue.start)} --> {_stamp(cue.end)}\n"
                     f"<v {cue.speaker}>{cue.text}{close}\n")
    return "\n".join(parts)


def _words(rng: random.Random, cue: Cue) -> list[tuple[str, float, float, float]]:
    """(word, start, end, confidence) spread evenly over the cue."""
    words = cue.text.split()
    step = (cue.end - cue.start) / len(words)
    return [(word, cue.start + i * step, cue.start + (i + 1) * step * 0.95,
             round(0.86 + rng.random() * 0.14, 3)) for i, word in enumerate(words)]


def _utterances(cues: list[Cue]) -> list[list[Cue]]:
    """Consecutive cues of one speaker, merged back into one utterance."""
    groups: list[list[Cue]] = []
    for cue in cues:
        if groups and groups[-1][-1].side == cue.side:
            groups[-1].append(cue)
        else:
            groups.append([cue])
    return groups


def _speaker_index(side: str, first_side: str) -> int:
    return 0 if side == first_side else 1


def assemblyai_json(rng: random.Random, cues: list[Cue]) -> str:
    first = cues[0].side
    utterances = []
    for group in _utterances(cues):
        label = "AB"[_speaker_index(group[0].side, first)]
        words = [w for cue in group for w in _words(rng, cue)]
        utterances.append({
            "speaker": label,
            "start": int(group[0].start * 1000),
            "end": int(group[-1].end * 1000),
            "text": " ".join(cue.text for cue in group),
            "confidence": round(sum(w[3] for w in words) / len(words), 3),
            "words": [{"text": w, "start": int(s * 1000), "end": int(e * 1000),
                       "confidence": c, "speaker": label} for w, s, e, c in words],
        })
    body = {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "status": "completed",
        "language_code": "en",
        "audio_duration": int(cues[-1].end) + 1,
        "speaker_labels": True,
        "text": " ".join(cue.text for cue in cues),
        "utterances": utterances,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def deepgram_json(rng: random.Random, cues: list[Cue]) -> str:
    first = cues[0].side
    all_words: list[dict[str, Any]] = []
    utterances = []
    for group in _utterances(cues):
        speaker = _speaker_index(group[0].side, first)
        words = [{"word": w.strip(".,?!").lower(), "start": round(s, 3), "end": round(e, 3),
                  "confidence": c, "speaker": speaker, "speaker_confidence": 0.9,
                  "punctuated_word": w}
                 for cue in group for w, s, e, c in _words(rng, cue)]
        all_words.extend(words)
        utterances.append({
            "start": group[0].start, "end": group[-1].end, "confidence": 0.95, "channel": 0,
            "transcript": " ".join(cue.text for cue in group), "words": words,
            "speaker": speaker, "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        })
    body = {
        "metadata": {"request_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                     "duration": cues[-1].end, "channels": 1},
        "results": {
            "channels": [{"alternatives": [{
                "transcript": " ".join(cue.text for cue in cues),
                "confidence": 0.95,
                "words": all_words,
            }]}],
            "utterances": utterances,
        },
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def whisper_json(cues: list[Cue]) -> str:
    first = cues[0].side
    segments = [{
        "id": index, "start": cue.start, "end": cue.end, "text": " " + cue.text,
        "speaker": f"SPEAKER_0{_speaker_index(cue.side, first)}",
    } for index, cue in enumerate(cues)]
    body = {"text": " ".join(cue.text for cue in cues), "language": "en",
            "segments": segments}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def render(
    rng: random.Random, call: Call, *, rep: str, prospect: str, company: str, at: datetime
) -> Rendered:
    """Pick a tool for this call (about half Zoom) and render its transcript."""
    cues, starts = time_cues(rng, call.turns, {Side.REP: rep, Side.PROSPECT: prospect})
    slug = "".join(ch if ch.isalnum() else "-" for ch in company.lower()).strip("-")[:40]
    day = at.strftime("%Y-%m-%d")
    pick = rng.random()
    if pick < 0.5:
        text, fmt, source = zoom_vtt(cues), "vtt", f"zoom_{day}_{slug}.vtt"
    elif pick < 0.7:
        text, fmt, source = teams_vtt(rng, cues), "vtt", f"teams-{slug}-{day}.vtt"
    elif pick < 0.8:
        text, fmt, source = assemblyai_json(rng, cues), "assemblyai", f"assemblyai-{slug}.json"
    elif pick < 0.9:
        text, fmt, source = deepgram_json(rng, cues), "deepgram", f"deepgram-{slug}.json"
    else:
        text, fmt, source = whisper_json(cues), "whisper", f"whisperx-{slug}-{day}.json"
    return Rendered(text, fmt, source, round(cues[-1].end, 1), starts)
