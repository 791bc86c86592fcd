"""Accuracy of call analysis: public dialogue-act corpora and labelled sales calls.

    python bench/accuracy.py [--data DIR] [--limit N] [--split heldout|validation|train|all]
                             [--only public|sales]

Public corpora (swda/train, mrda/train and ami/train in the shared data
folder, default: "shared/data" beside the repository): the models were
trained on four files in five; the default `--split heldout` scores only the
fifth the training script never reads (same stable hash as
scripts/train_question_model.py), so those figures are independent.
`--split validation` scores the split the question settings were chosen on;
the packaged models were fitted on it afterwards, so it shows how well they
fit, not how well they generalise. Commitments are read from what
`ember analyze` reports for each MRDA and AMI file (the `commitments` list,
matched to cues by time) and compared with the `follow-through` package on
the same cues.

Sales calls (bench/data/sales, see bench/sales_calls.py): next steps (F1,
owner, type and due date of the matched steps) and the rep's question count
per call, for each batch of calls (the second was written in styles unlike
the first, to measure how the rules generalise), on its held-out third (never
used to tune the rules) and on its development part, each call rendered as a punctuated Zoom VTT and
as an unpunctuated one, both with cues cut mid-sentence; `follow-through`
on the same calls.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.sales_calls import (  # noqa: E402
    SalesCall,
    SalesScore,
    ember_steps,
    follow_through_steps,
    load,
)

from ember.conversation import analyze_file  # noqa: E402
from ember.conversation.formats.vtt import parse_vtt  # noqa: E402
from ember.conversation.questions import Context, contexts, is_question, rule_says_question  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"
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
        return f"{name:<48} {p:>6.3f} {r:>6.3f} {f:>6.3f} {self.tp + self.fn:>7}"


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


def reported_cues(path: Path, starts: list[float]) -> set[int]:
    """Indices of the cues whose start times `ember analyze` reports as commitments."""
    report = analyze_file(path).to_dict()
    by_start = {round(start, 2): index for index, start in enumerate(starts)}
    return {by_start[c["start_s"]] for c in report["commitments"] if c["start_s"] in by_start}


@dataclass
class Meetings:
    questions: Score
    rules: Score
    ours: Score
    theirs: Score


def meetings(files: list[Path], *, directives: bool = True) -> Meetings:
    """Questions (per cue, in context) and commitments (commit, and directive
    where the corpus labels it) on MRDA-shaped meeting files."""
    found = Meetings(Score(), Score(), Score(), Score())
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
        theirs = follow_through_lines(cues)
        ours = reported_cues(path, [start for start, _ in times])
        for index, ((_, text), item, ctx) in enumerate(
            zip(cues, labels, call_contexts(cues, times), strict=True)
        ):
            found.questions.add(bool(item["question"]), is_question(text, ctx))
            found.rules.add(bool(item["question"]), rule_says_question(text))
            truth = bool(item["commit"] or (directives and item["directive"]))
            found.ours.add(truth, index in ours)
            found.theirs.add(truth, index in theirs)
    return found


def public(args: argparse.Namespace) -> int:
    swda_files = pick(sorted((args.data / "swda" / "train").glob("*.txt")), args.split, args.limit)
    mrda_files = pick(sorted((args.data / "mrda" / "train").glob("*.vtt")), args.split, args.limit)
    ami_files = pick(sorted((args.data / "ami" / "train").glob("*.vtt")), args.split, args.limit)
    if not swda_files or not mrda_files:
        print(f"no corpus files under {args.data}; pass --data", file=sys.stderr)
        return 2
    s_model, s_rules = swda(swda_files)
    mrda_found = meetings(mrda_files)
    print(f"split={args.split}: {len(swda_files)} SwDA calls, {len(mrda_files)} MRDA meetings, "
          f"{len(ami_files)} AMI meetings")
    print(f"{'task':<48} {'prec':>6} {'recall':>6} {'F1':>6} {'support':>7}")
    print(s_model.row("questions, SwDA (punctuated), model"))
    print(s_rules.row("questions, SwDA, rules only"))
    print(mrda_found.questions.row("questions, MRDA (unpunctuated), model"))
    print(mrda_found.rules.row("questions, MRDA, rules only"))
    print(mrda_found.ours.row("commit+directive, MRDA, ember"))
    print(mrda_found.theirs.row("commit+directive, MRDA, follow-through"))
    if ami_files:
        ami_found = meetings(ami_files, directives=False)
        print(ami_found.questions.row("questions (elicit acts), AMI, model"))
        print(ami_found.ours.row("commit (offer acts), AMI, ember"))
        print(ami_found.theirs.row("commit (offer acts), AMI, follow-through"))
    return 0


def sales_rows(calls: list[SalesCall], part: str) -> None:
    styles = (("vtt", "punctuated VTT"), ("plain", "unpunctuated VTT"))
    for style, label in styles:
        score = SalesScore()
        for call in calls:
            ember_steps(call, style, score)
        _sales_row(f"{part}, {label}, ember", score)
    theirs = SalesScore()
    for call in calls:
        follow_through_steps(call, theirs)
    _sales_row(f"{part}, text, follow-through", theirs)


def _sales_row(name: str, score: SalesScore) -> None:
    steps = score.steps
    p, r, f = steps.f1()
    matched = max(1, steps.tp)
    question = f"{score.question_error():>7.1%}" if score.question_errors else f"{'-':>7}"
    print(f"{name:<44} {p:>6.3f} {r:>6.3f} {f:>6.3f} {steps.owner_right / matched:>6.1%} "
          f"{steps.type_right / matched:>6.1%} {steps.due_right / matched:>6.1%} {question}")


def sales() -> None:
    calls = load()
    print(f"{'next steps':<44} {'prec':>6} {'recall':>6} {'F1':>6} {'owner':>6} {'type':>6} "
          f"{'due':>6} {'rep q err':>7}")
    for batch in sorted({c.batch for c in calls}):
        held = [c for c in calls if c.batch == batch and c.held_out]
        dev = [c for c in calls if c.batch == batch and not c.held_out]
        print(f"batch {batch}: {len(held)} calls held out ({sum(len(c.steps) for c in held)} "
              f"steps), {len(dev)} development ({sum(len(c.steps) for c in dev)} steps)")
        sales_rows(held, f"b{batch} held out")
        sales_rows(dev, f"b{batch} development")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="files per corpus")
    parser.add_argument("--split", choices=("heldout", "validation", "train", "all"),
                        default="heldout")
    parser.add_argument("--only", choices=("public", "sales"), default=None)
    args = parser.parse_args()
    began = time.perf_counter()
    if args.only != "public":
        sales()
    if args.only != "sales" and public(args):
        return 2
    print(f"took {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
