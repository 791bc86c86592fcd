"""Accuracy of question and commitment detection on public dialogue-act corpora.

    python bench/accuracy.py [--data DIR] [--limit N] [--split heldout|validation|train|all]

Reads swda/train and mrda/train from the shared data folder (default: the
"shared/data" folder beside the repository). The models were trained on four
files in five; the default `--split heldout` scores only the fifth the
training script never reads (same stable hash as
scripts/train_question_model.py), so those figures are independent.
`--split validation` scores the split the question settings were chosen on;
the packaged models were fitted on it afterwards, so it shows how well they
fit their own training data, not how well they generalise. Commitments are
compared with the `follow-through` package on the very same MRDA cues.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from ember.conversation.formats.vtt import parse_vtt
from ember.conversation.next_steps import is_commitment
from ember.conversation.questions import Context, contexts, is_question, rule_says_question

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SWDA_QUESTION_TAGS = frozenset({"qy", "qw", "qy^d", "qo", "qh", "qrr", "^g", "qw^d"})


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, truth: bool, predicted: bool) -> None:
        self.tp += truth and predicted
        self.fp += predicted and not truth
        self.fn += truth and not predicted

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def row(self, name: str) -> str:
        p, r, f = self.prf()
        return f"{name:<44} {p:>6.3f} {r:>6.3f} {f:>6.3f} {self.tp + self.fn:>7}"


def pick(files: list[Path], split: str, limit: int | None) -> list[Path]:
    def held(path: Path) -> bool:
        return zlib.crc32(path.name.split(".")[0].encode()) % 5 == 0

    def validation(path: Path) -> bool:
        # The training script's validation split (part of the training files).
        name = "validation:" + path.name.split(".")[0]
        return not held(path) and zlib.crc32(name.encode()) % 5 == 0

    if split == "validation":
        chosen = [f for f in files if validation(f)]
    else:
        chosen = [f for f in files if split == "all" or held(f) == (split == "heldout")]
    return chosen[:limit] if limit else chosen


def call_contexts(
    turns: list[tuple[str, str]], times: list[tuple[float, float]] | None = None
) -> list[Context]:
    """The context each utterance has at analysis time (as flag_questions builds it)."""
    return contexts([speaker for speaker, _ in turns], [text for _, text in turns], times)


def swda(files: list[Path]) -> tuple[Score, Score]:
    model, rules = Score(), Score()
    for path in files:
        rows = [line.split("|") for line in path.read_text(encoding="utf-8").splitlines()]
        rows = [r for r in rows if len(r) >= 3]
        turns = [(r[0], "|".join(r[1:-1])) for r in rows]
        for (_, text), row, ctx in zip(turns, rows, call_contexts(turns), strict=True):
            truth = row[-1] in SWDA_QUESTION_TAGS
            model.add(truth, is_question(text, ctx))
            rules.add(truth, rule_says_question(text))
    return model, rules


def follow_through_lines(cues: list[tuple[str, str]]) -> set[int]:
    """Indices of the cues follow-through reports as commitments."""
    from follow_through.extract import extract_text

    # One cue per paragraph, "speaker: words", so its line numbers map back.
    text = "\n\n".join(f"{speaker}: {words_}" for speaker, words_ in cues)
    return {(c.line - 1) // 2 for c in extract_text(text, "meeting.txt")}


def mrda(files: list[Path]) -> tuple[Score, Score, Score, Score]:
    model, rules, ours, theirs = Score(), Score(), Score(), Score()
    for path in files:
        labels = json.loads(path.with_suffix("").with_suffix(".labels.json").read_text("utf-8"))
        # The VTT reader orders cues by time (a few are out of order in the
        # files); order the labels the same way so each cue keeps its label.
        labels.sort(key=lambda item: (item["start"], item["end"]))
        segments = parse_vtt(path.read_text(encoding="utf-8")).segments
        cues = [(item["speaker"], item["text"]) for item in labels]
        times = [(float(item["start"]), float(item["end"])) for item in labels]
        if len(segments) == len(labels):
            cues = [(s.speaker, s.text) for s in segments]
            times = [(s.start, s.end) for s in segments]
        found = follow_through_lines(cues)
        for index, ((_, text), item, ctx) in enumerate(
            zip(cues, labels, call_contexts(cues, times), strict=True)
        ):
            model.add(bool(item["question"]), is_question(text, ctx))
            rules.add(bool(item["question"]), rule_says_question(text))
            truth = bool(item["commit"] or item["directive"])
            ours.add(truth, is_commitment(text))
            theirs.add(truth, index in found)
    return model, rules, ours, theirs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="files per corpus")
    parser.add_argument("--split", choices=("heldout", "validation", "train", "all"), default="heldout")
    args = parser.parse_args()
    swda_files = pick(sorted((args.data / "swda" / "train").glob("*.txt")), args.split, args.limit)
    mrda_files = pick(sorted((args.data / "mrda" / "train").glob("*.vtt")), args.split, args.limit)
    if not swda_files or not mrda_files:
        print(f"no corpus files under {args.data}; pass --data", file=sys.stderr)
        return 2
    began = time.perf_counter()
    s_model, s_rules = swda(swda_files)
    m_model, m_rules, ours, theirs = mrda(mrda_files)
    print(f"split={args.split}: {len(swda_files)} SwDA calls, {len(mrda_files)} MRDA meetings")
    print(f"{'task':<44} {'prec':>6} {'recall':>6} {'F1':>6} {'support':>7}")
    print(s_model.row("questions, SwDA (punctuated), model"))
    print(s_rules.row("questions, SwDA, rules only"))
    print(m_model.row("questions, MRDA (unpunctuated), model"))
    print(m_rules.row("questions, MRDA, rules only"))
    print(ours.row("commit+directive, MRDA, ember"))
    print(theirs.row("commit+directive, MRDA, follow-through"))
    ratio = ours.prf()[2] / theirs.prf()[2] if theirs.prf()[2] else float("inf")
    print(f"commitment F1 ratio ember / follow-through: {ratio:.2f}x (goal >= 1.5x)")
    print(f"goals: SwDA question F1 >= 0.90 -> {s_model.prf()[2]:.3f}; "
          f"MRDA question F1 >= 0.80 -> {m_model.prf()[2]:.3f}")
    print(f"took {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
