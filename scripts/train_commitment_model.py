"""Train the packaged commitment model: commitments and directives in speech.

Usage: python scripts/train_commitment_model.py [--data DIR] [--quick] [--measure]

Needs numpy, scipy and scikit-learn (`pip install -e '.[train]'`; the package
reads the resulting JSON weights in pure Python).

Data: the MRDA training meetings (commit `cc` and directive `co` acts; one
file in five is held out by a stable hash of its name and never read here,
the split bench/accuracy.py reports on) and the development part of the
labelled sales calls (bench/data/sales; the held-out third is never read),
each call as a punctuated and as an unpunctuated transcript, read into
sentences the way the analysis reads them for commitments
(ember.conversation.clauses). A sales sentence is a commitment when it lies
on a line labelled with a next step and the rules find a commitment in it.

Commitments are rare (about 900 in the training meetings), so the setting
(regularisation strength, class weight) and the decision threshold are chosen
by five-fold cross-validation over all of them, F1 pooled over the meetings'
folds (the sales calls help the model learn sales phrasing; the threshold is
the one the meeting measure needs). The chosen setting is then fitted on all
of them and written to src/ember/conversation/commitment_model.json.

`--measure` also reports, for the chosen setting, what a user would get from
each fold's model on the calls it never saw: the MRDA cues `ember analyze`
lists under `commitments` (precision, recall, F1 over the training meetings)
and the next steps of the sales development calls (per batch, punctuated and
unpunctuated). These are the development figures to tune rules and features
on; the held-out figures come from bench/accuracy.py.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from train_question_model import (  # noqa: E402
    Call,
    Rows,
    Tuned,
    about,
    best_f1,
    exported,
    matrix,
    mrda_calls,
    reorder,
    report,
    write,
)

from ember.conversation import commitments  # noqa: E402
from ember.conversation.questions import BUCKETS, FeatureWeights  # noqa: E402

OUT = ROOT / "src" / "ember" / "conversation"
FOLDS = 5


def fold_of(call_name: str) -> int:
    # Both renderings of a sales call stay in one fold.
    return zlib.crc32(call_name.rsplit(":", 1)[0].encode()) % FOLDS


def sales_calls() -> list[Call]:
    """The development part of the labelled sales calls, each as a punctuated
    and an unpunctuated transcript, in the sentences the commitment reading
    takes (ember.conversation.clauses)."""
    from bench.sales_calls import line_at, load, render

    from ember.conversation import parse_transcript
    from ember.conversation.clauses import commitment_units
    from ember.conversation.utterances import split_segments

    found = []
    for sales in load():
        if sales.held_out:
            continue
        step_lines = {line for step in sales.steps.values() for line in step.lines}
        for style in ("vtt", "plain"):
            text, spans = render(sales, style)
            segments = parse_transcript(text, fmt="vtt").segments
            units = commitment_units(segments, split_segments(segments))
            labels = [line_at(spans, u.start) in step_lines
                      and commitments.rule_kind(u.text) is not None for u in units]
            found.append(Call(f"sales:{sales.name}:{style}", [u.speaker for u in units],
                              [u.text for u in units], [False] * len(units), labels,
                              [(u.start, u.end) for u in units]))
    return found


def commitment_rows(calls: Sequence[Call]) -> Rows:
    rows, labels = [], []
    for call in calls:
        for text, label in zip(call.texts, call.commitment, strict=True):
            rows.append(commitments.commitment_features(text))
            labels.append(label)
    return rows, labels


def fit(rows: Rows, c: float, weight: float) -> LogisticRegression:
    model = LogisticRegression(C=c, solver="liblinear", max_iter=200, random_state=0,
                               class_weight={False: 1.0, True: weight})
    model.fit(matrix(rows[0]), np.array(rows[1]))
    return model


def folds_of(calls: Sequence[Call]) -> list[tuple[Rows, np.ndarray]]:
    """Each fold's rows and the mask of its meeting rows."""
    found = []
    for fold in range(FOLDS):
        chosen = [c for c in calls if fold_of(c.name) == fold]
        judged = np.array([not c.name.startswith("sales:") for c in chosen for _ in c.texts],
                          dtype=bool)
        found.append((commitment_rows(chosen), judged))
    return found


def others(folds: Sequence[tuple[Rows, np.ndarray]], index: int) -> Rows:
    rows = [f[0] for i, f in enumerate(folds) if i != index]
    return [r for o in rows for r in o[0]], [y for o in rows for y in o[1]]


def cross_tune(folds: Sequence[tuple[Rows, np.ndarray]],
               grid: Sequence[tuple[float, float]]) -> tuple[Tuned, list[list[float]]]:
    """The setting and threshold with the best F1 pooled over the meetings of
    all folds, each predicted by a model fitted on the others; with the
    weights of those fold models (for --measure)."""
    best: tuple[Tuned, list[list[float]]] | None = None
    labels = np.array([y for rows, _ in folds for y in rows[1]])
    judged = np.concatenate([f for _, f in folds])
    for c, weight in grid:
        began = time.perf_counter()
        probs, weights = [], []
        for index, (rows, _) in enumerate(folds):
            model = fit(others(folds, index), c, weight)
            probs.append(model.predict_proba(matrix(rows[0]))[:, 1])
            weights.append(exported(model))
        tuned = Tuned(c, weight, *reorder(best_f1(labels[judged], np.concatenate(probs)[judged])))
        report("commitment", c, weight, tuned, began, f"{FOLDS}-fold pooled")
        if best is None or tuned.f1 > best[0].f1:
            best = (tuned, weights)
    assert best is not None
    return best


def _use(weights: list[float], threshold: float) -> None:
    """Let the analysis read these weights instead of the packaged ones."""
    table = FeatureWeights(weights)
    cut = math.log(threshold / (1.0 - threshold))
    commitments._model = lambda: (table, cut)  # type: ignore[assignment]
    commitments.judge.cache_clear()


def measure(data: Path, fold_weights: list[list[float]], threshold: float) -> None:
    """What each fold's model gives on the calls it never saw (see the module doc)."""
    from bench.accuracy import Score, reported_cues
    from bench.sales_calls import SalesScore, ember_steps, load

    meetings = Score()
    files = [p for p in sorted((data / "mrda" / "train").glob("*.vtt"))
             if zlib.crc32(p.name.split(".")[0].encode()) % 5 != 0]
    sales = [c for c in load() if not c.held_out]
    steps = {(batch, style): SalesScore() for batch in (1, 2) for style in ("vtt", "plain")}
    for fold, weights in enumerate(fold_weights):
        _use(weights, threshold)
        for path in files:
            if fold_of(path.name.split(".")[0] + ".labels.json") != fold:
                continue
            labels = json.loads(path.with_suffix("").with_suffix(".labels.json").read_text("utf-8"))
            labels.sort(key=lambda item: (item["start"], item["end"]))
            found = reported_cues(path, [float(item["start"]) for item in labels])
            for index, item in enumerate(labels):
                meetings.add(bool(item["commit"] or item["directive"]), index in found)
        for call in sales:
            if fold_of(f"sales:{call.name}:") == fold:
                for style in ("vtt", "plain"):
                    ember_steps(call, style, steps[(call.batch, style)])
    print(meetings.row("commit+directive, MRDA training meetings, 5-fold"))
    for (batch, style), score in steps.items():
        p, r, f = score.steps.f1()
        print(f"next steps, sales b{batch} development, {style:<5} (5-fold)"
              f"   P {p:.3f} R {r:.3f} F1 {f:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--quick", action="store_true", help="a small grid")
    parser.add_argument("--measure", action="store_true",
                        help="also report the five-fold figures a user would get")
    args = parser.parse_args()
    calls = [*mrda_calls(args.data / "mrda" / "train"), *sales_calls()]
    # Measured: C 0.1 to 1 and class weights 3 to 6 are within 0.005 F1 of
    # each other once the threshold is chosen, so the grid stays small.
    grid = [(0.3, 3.0)] if args.quick else [(0.1, 3.0), (0.3, 3.0), (1.0, 3.0)]
    folds = folds_of(calls)
    tuned, fold_weights = cross_tune(folds, grid)
    write(OUT / commitments.MODEL_FILE, {
        "about": "Logistic regression over hashed features of ember.conversation.commitments,"
        " trained by scripts/train_commitment_model.py on the MRDA commit and directive cues"
        " (one file in five held out) and the development part of the labelled sales calls;"
        " setting and threshold chosen by five-fold cross-validation, then fitted on all of them.",
        "buckets": BUCKETS,
        **about(tuned, f"MRDA training meetings, {FOLDS}-fold pooled"),
        "weights": exported(fit(commitment_rows(calls), tuned.c, tuned.weight))})
    if args.measure:
        measure(args.data, fold_weights, tuned.threshold)


if __name__ == "__main__":
    main()
