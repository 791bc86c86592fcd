"""The labelled sales calls under bench/data/sales/: reading, rendering, scoring.

Each file holds several calls, each starting with `=== NAME`, a few header
lines (`kind:`, `date:`, `rep:` with the rep side's speakers), `---`, then one
`Speaker: text` line per turn. Labels sit at the end of a line in double
braces (docs/analysis.md, "Labelling guide"):

- `{{ID TYPE OWNER DUE}}` a next step stated on this line: its type, who will
  act (rep or prospect) and its due date (`YYYY-MM-DD`, a range
  `YYYY-MM-DD..YYYY-MM-DD` when the words allow several days, or `-`). A later
  full label for the same ID overrides the earlier one (the acceptor's date
  wins);
- `{{ID}}` this line states the same step again (an acceptance, a recap);
- `{{q+N}}` / `{{q-N}}` this rep line holds N more / fewer questions than it
  has sentences ending in "?".

One call in three is held out: the rules and models are never tuned on it
(bench/accuracy.py reports it apart). The first batch (calls-a to calls-d)
holds out the calls whose name hashes to 0 modulo 3; the second (`batch: 2`,
written afterwards in styles unlike the first) holds out exactly the third of
its calls with the lowest hash of `batch 2:NAME`, so its held-out part stays
a third as calls are added to other files.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "sales"
_LABEL = re.compile(r"\{\{([^}]*)\}\}")
_PUNCT = re.compile(r"[^\w\s'’-]")
WORDS_PER_SECOND = 2.5


@dataclass
class GoldStep:
    id: str
    type: str
    owner: str
    due: tuple[date, date] | None
    lines: set[int] = field(default_factory=set)


@dataclass
class Line:
    speaker: str
    text: str


@dataclass
class SalesCall:
    name: str
    kind: str
    date: datetime
    reps: tuple[str, ...]
    lines: list[Line]
    steps: dict[str, GoldStep]
    rep_questions: int
    batch: int = 1
    held_out: bool = False

    def side(self, speaker: str) -> str:
        return "rep" if speaker in self.reps else "prospect"


def _due(text: str) -> tuple[date, date] | None:
    if text == "-":
        return None
    low, _, high = text.partition("..")
    return date.fromisoformat(low), date.fromisoformat(high or low)


def _label(call: SalesCall, index: int, label: str) -> int:
    """Apply one label of line `index`; returns the change to the question count."""
    parts = label.split()
    if parts[0].startswith("q"):
        return int(parts[0][1:])
    step = call.steps.get(parts[0])
    if len(parts) == 4:
        kind, owner, due = parts[1], parts[2], _due(parts[3])
        if step is None:
            step = call.steps[parts[0]] = GoldStep(parts[0], kind, owner, due)
        else:
            step.type, step.owner = kind, owner
            step.due = due or step.due
    elif step is None:
        raise ValueError(f"{call.name}: line {index + 1}: step {parts[0]} used before its label")
    step.lines.add(index)
    return 0


def _call(name: str, block: list[str]) -> SalesCall:
    head, body = block[: block.index("---")], block[block.index("---") + 1 :]
    fields = dict(line.split(": ", 1) for line in head)
    call = SalesCall(name, fields["kind"], datetime.fromisoformat(fields["date"]),
                     tuple(n.strip() for n in fields["rep"].split(",")), [], {}, 0,
                     int(fields.get("batch", "1")))
    labels: list[tuple[int, str]] = []
    for index, raw in enumerate(line for line in body if line.strip()):
        speaker, text = raw.split(": ", 1)
        labels += [(index, label) for label in _LABEL.findall(text)]
        text = _LABEL.sub("", text).strip()
        call.lines.append(Line(speaker, text))
        if speaker in call.reps:
            call.rep_questions += len(re.findall(r"\?(?:\s|$)", text))
    # Full labels first (in order: a later one overrides), then references,
    # which may come before the step's full label (a request, then its answer).
    for index, label in sorted(labels, key=lambda item: len(item[1].split()) == 1):
        call.rep_questions += _label(call, index, label)
    return call


def load(folder: Path = DATA) -> list[SalesCall]:
    calls: list[SalesCall] = []
    for path in sorted(folder.glob("*.txt")):
        name: str | None = None
        block: list[str] = []
        for line in [*path.read_text(encoding="utf-8").splitlines(), "=== end"]:
            if line.startswith("=== "):
                if name is not None:
                    calls.append(_call(name, block))
                name, block = line[4:].strip(), []
            elif name is not None and line.strip():
                block.append(line)
    _hold_out(calls)
    return calls


def _hold_out(calls: list[SalesCall]) -> None:
    for call in calls:
        call.held_out = call.batch == 1 and zlib.crc32(call.name.encode()) % 3 == 0
    second = sorted((c for c in calls if c.batch == 2),
                    key=lambda c: zlib.crc32(f"batch 2:{c.name}".encode()))
    for call in second[: round(len(second) / 3)]:
        call.held_out = True


def _stamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _chunks(name: str, index: int, words: list[str]) -> Iterator[list[str]]:
    """Cues of 6 to 13 words, cut wherever the count falls (mid-sentence), as
    recorders cut long speech."""
    size = 6 + zlib.crc32(f"{name}:{index}".encode()) % 8
    for start in range(0, len(words), size):
        yield words[start : start + size]


def render(call: SalesCall, style: str) -> tuple[str, list[tuple[float, float]]]:
    """The call as a file (`vtt`: punctuated cues; `plain`: lower case without
    punctuation, as a recogniser without punctuation writes it; `text`:
    `Name: text` lines) and each line's (start, end) in seconds."""
    if style == "text":
        spans, clock = [], 0.0
        for line in call.lines:
            length = len(line.text.split()) / WORDS_PER_SECOND
            spans.append((clock, clock + length))
            clock += length
        return "\n".join(f"{line.speaker}: {line.text}" for line in call.lines) + "\n", spans
    parts, spans, clock, number = ["WEBVTT\n"], [], 0.5, 1
    for index, line in enumerate(call.lines):
        text = line.text
        if style == "plain":
            text = " ".join(_PUNCT.sub(" ", text).lower().split())
        begin = clock
        for chunk in _chunks(call.name, index, text.split()):
            length = len(chunk) / WORDS_PER_SECOND
            parts.append(f"{number}\n{_stamp(clock)} --> {_stamp(clock + length)}\n"
                         f"{line.speaker}: {' '.join(chunk)}\n")
            clock += length + 0.05
            number += 1
        spans.append((begin, clock))
        clock += 0.6
    return "\n".join(parts), spans


def line_at(spans: list[tuple[float, float]], seconds: float) -> int:
    """The line being spoken at `seconds` (the last one started by then)."""
    found = 0
    for index, (start, _) in enumerate(spans):
        if start <= seconds + 0.01:
            found = index
    return found


@dataclass
class StepScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    owner_right: int = 0
    type_right: int = 0
    due_right: int = 0
    due_labelled: int = 0

    def f1(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass(frozen=True)
class Found:
    """A step a system reported: the line it came from and what it says."""

    line: int
    type: str | None
    owner: str | None
    due: date | None


def score_steps(call: SalesCall, found: list[Found], score: StepScore) -> None:
    """Match reported steps to labelled ones one to one: a report matches an
    unmatched step labelled on its line (the one of the same type first);
    every other report is a false positive."""
    matched: set[str] = set()
    for item in found:
        open_steps = [s for s in call.steps.values()
                      if item.line in s.lines and s.id not in matched]
        if not open_steps:
            score.fp += 1
            continue
        step = next((s for s in open_steps if s.type == item.type), open_steps[0])
        matched.add(step.id)
        score.tp += 1
        score.owner_right += item.owner == step.owner
        score.type_right += item.type == step.type
        if step.due is not None:
            score.due_labelled += 1
            score.due_right += item.due is not None and step.due[0] <= item.due <= step.due[1]
        else:
            score.due_right += item.due is None
    score.fn += len(call.steps) - len(matched)


@dataclass
class SalesScore:
    steps: StepScore = field(default_factory=StepScore)
    # Per call: |found - labelled| / labelled rep questions (calls with any).
    question_errors: list[float] = field(default_factory=list)

    def question_error(self) -> float:
        return sum(self.question_errors) / len(self.question_errors) if self.question_errors else 0.0


def ember_steps(call: SalesCall, style: str, score: SalesScore) -> None:
    """Analyse the call rendered in `style` and score its next steps and rep questions."""
    from ember.conversation import analyze_text

    text, spans = render(call, style)
    report = analyze_text(text, fmt="text" if style == "text" else "vtt", reps=call.reps,
                          call_date=call.date).to_dict()
    found = [Found(line_at(spans, s["start_s"]), s["type"], s["owner"],
                   date.fromisoformat(s["due"][:10]) if s["due"] else None)
             for s in report["next_steps"]]
    score_steps(call, found, score.steps)
    if call.rep_questions:
        score.question_errors.append(
            abs(report["questions"]["rep"] - call.rep_questions) / call.rep_questions)


def follow_through_steps(call: SalesCall, score: SalesScore) -> None:
    """The `follow-through` package on the same call (`Name: text` lines): each
    commitment it reports is a step; its owner is the side of the person it names."""
    from follow_through.extract import extract_text

    text, _ = render(call, "text")
    found = []
    for candidate in extract_text(text, "call.txt"):
        owner = candidate.owner
        side = None if owner == "unknown" else call.side(owner) if owner in {
            line.speaker for line in call.lines} else None
        found.append(Found(candidate.line - 1, None, side, None))
    score_steps(call, found, score.steps)
