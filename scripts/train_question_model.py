"""Train the packaged question and commitment classifiers on public dialogue-act corpora.

Usage: python scripts/train_question_model.py [--data DIR] [--quick]
       [--only questions|plain|punctuated|commitments|sentences]

Needs numpy, scipy and scikit-learn (development only; the package reads the
resulting JSON weights in pure Python).

Reads swda/train (punctuated phone calls) and mrda/train (unpunctuated
meetings) from the shared data folder. One file in five is held out by a
stable hash of its name (the split bench/accuracy.py reports on) and never
read here. For the question models, another one in five of the remaining
files (a second, different hash) is the validation split: the regularisation
strength, the class weight and the decision threshold are chosen for F1 on
it. Commitments are rare (about 90 in a validation split), so their settings
are chosen by cross-validation over all the remaining meetings instead. Each
chosen setting is then fitted once more on every remaining file, validation
included, and that is the model written; so only the held-out fifth
(`bench/accuracy.py`, its default split) measures it independently.

Writes, into src/ember/conversation/:
- question_model.json: two L2-regularised logistic regressions over hashed
  features of ember.conversation.questions, "punctuated" (SwDA) and "plain"
  (MRDA plus SwDA with its punctuation stripped, as a speech recogniser
  without punctuation would give it; the MRDA cues keep their times, so the
  plain model also learns the timing features: cue length, the pause before
  it and before the other speaker's reply); both also read the sentences of
  the development sales calls (bench/data/sales, never its held-out third),
  as written and stripped respectively;
- commitment_model.json: through scripts/train_commitment_model.py (MRDA
  commit and directive cues, and the sales development calls);
- sentence_model.json: one over ember.conversation.boundaries features that
  says after which word a sentence ends in unpunctuated speech, trained on
  the SwDA training calls with their punctuation removed: each run of one
  speaker's utterances is read as one stream of words, and a sentence ends
  at every utterance end and every ".", "?" or "!" inside one.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ember.conversation import boundaries  # noqa: E402
from ember.conversation.questions import BUCKETS, Context, bucket, contexts, features  # noqa: E402
from ember.conversation.text import words  # noqa: E402

SWDA_QUESTION_TAGS = frozenset({"qy", "qw", "qy^d", "qo", "qh", "qrr", "^g", "qw^d"})
HELD_OUT_EVERY = 5
OUT = ROOT / "src" / "ember" / "conversation"
_STRIP = re.compile(r"[^\w\s'’-]")


def stem(path: Path) -> str:
    # The corpus name without any suffix, so "X.vtt" and "X.labels.json" agree.
    return path.name.split(".")[0]


def held_out(path: Path) -> bool:
    """One file in five, by a stable hash of its name (bench/accuracy.py's split)."""
    return zlib.crc32(stem(path).encode()) % HELD_OUT_EVERY == 0


def validation(path: Path) -> bool:
    """One training file in five, by a second hash, for choosing settings."""
    return zlib.crc32(("validation:" + stem(path)).encode()) % 5 == 0


@dataclass
class Call:
    name: str
    speakers: list[str]
    texts: list[str]
    question: list[bool]
    commitment: list[bool]
    # (start, end) per sentence when the corpus is timed (MRDA), else None.
    times: list[tuple[float, float]] | None = None


def swda_calls(folder: Path) -> list[Call]:
    calls = []
    for path in sorted(folder.glob("*.txt")):
        if held_out(path):
            continue
        rows = [line.split("|") for line in path.read_text(encoding="utf-8").splitlines()]
        rows = [r for r in rows if len(r) >= 3]
        calls.append(Call(path.name, [r[0] for r in rows], ["|".join(r[1:-1]) for r in rows],
                          [r[-1] in SWDA_QUESTION_TAGS for r in rows], [False] * len(rows)))
    return calls


def mrda_calls(folder: Path) -> list[Call]:
    calls = []
    for path in sorted(folder.glob("*.labels.json")):
        if held_out(path):
            continue
        items = json.loads(path.read_text(encoding="utf-8"))
        # In the order the VTT reader gives the cues: by time.
        items.sort(key=lambda i: (i["start"], i["end"]))
        calls.append(Call(path.name, [i["speaker"] for i in items], [i["text"] for i in items],
                          [bool(i["question"]) for i in items],
                          [bool(i["commit"] or i["directive"]) for i in items],
                          [(float(i["start"]), float(i["end"])) for i in items]))
    return calls


def stripped(call: Call) -> Call:
    """The call as an unpunctuating recogniser would give it."""
    texts = [" ".join(_STRIP.sub(" ", t).lower().split()) for t in call.texts]
    return Call(call.name + "#plain", call.speakers, texts, call.question, call.commitment,
                call.times)


def question_rows(calls: Sequence[Call], *, drop_context: bool) -> tuple[list[list[str]], list[bool]]:
    rows, labels = [], []
    for call in calls:
        around: list[Context | None] = list(contexts(call.speakers, call.texts, call.times))
        for index, (text, ctx, label) in enumerate(
            zip(call.texts, around, call.question, strict=True)
        ):
            # One sentence in eight is also seen without context, so that
            # is_question(text) alone still works.
            if drop_context and zlib.crc32(f"{call.name}:{index}".encode()) % 8 == 0:
                rows.append(features(text, None))
                labels.append(label)
            rows.append(features(text, ctx))
            labels.append(label)
    return rows, labels


# How many times each sentence of the sales development calls is read by the
# question models: a few thousand sentences beside a quarter of a million
# from meetings and phone calls would otherwise hardly count.
SALES_QUESTION_REPEAT = 4


def sales_question_calls(*, punctuated: bool = False) -> list[Call]:
    """The development part of the labelled sales calls (the held-out third is
    never read), cut into their written sentences, as written (`punctuated`)
    or as a recogniser without punctuation gives them: a sentence is a
    question when it ends in "?" (the count bench/accuracy.py checks). Times
    as the bench renders them: each line's span shared among its sentences
    by their words (the punctuated model ignores them)."""
    sys.path.insert(0, str(ROOT))
    from bench.sales_calls import load, render

    from ember.conversation.text import sentences

    found = []
    for sales in load():
        if sales.held_out:
            continue
        _, spans = render(sales, "plain")
        speakers, texts, asked, times = [], [], [], []
        for line, (begin, end) in zip(sales.lines, spans, strict=True):
            parts = sentences(line.text)
            total = max(1, sum(len(p.split()) for p in parts))
            clock = begin
            for part in parts:
                length = (end - begin) * len(part.split()) / total
                speakers.append(line.speaker)
                texts.append(part if punctuated else " ".join(_STRIP.sub(" ", part).lower().split()))
                asked.append(part.rstrip().endswith("?"))
                times.append((clock, clock + length))
                clock += length
        name = f"sales:{sales.name}" + (":vtt" if punctuated else "")
        found.append(Call(name, speakers, texts, asked, [False] * len(texts), times))
    return found


def matrix(
    rows: list[list[str]], hasher: Callable[[str], int] = bucket, size: int = BUCKETS
) -> csr_matrix:
    """Hashed feature counts: a feature said twice weighs twice, as at run time."""
    indptr: list[int] = [0]
    indices: list[int] = []
    for feats in rows:
        indices.extend(hasher(f) for f in feats)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    m = csr_matrix((data, np.array(indices), np.array(indptr)), shape=(len(rows), size))
    m.sum_duplicates()
    return m


def best_f1(
    labels: np.ndarray, probs: np.ndarray, forced: np.ndarray | None = None
) -> tuple[float, float, float, float]:
    """(F1, precision, recall, threshold) at the threshold best for F1;
    `forced` marks rows that count as positive whatever the model says."""
    best = (0.0, 0.0, 0.0, 0.5)
    for threshold in np.arange(0.10, 0.91, 0.025):
        pred = probs >= threshold
        if forced is not None:
            pred = pred | forced
        tp = float(np.sum(pred & labels))
        p = tp / max(1.0, float(np.sum(pred)))
        r = tp / max(1.0, float(np.sum(labels)))
        f = 2 * p * r / (p + r) if p + r else 0.0
        if f > best[0]:
            best = (f, p, r, float(threshold))
    return best


def fit(x: csr_matrix, y: np.ndarray, c: float, weight: float) -> LogisticRegression:
    model = LogisticRegression(C=c, solver="liblinear", max_iter=200,
                               class_weight={False: 1.0, True: weight})
    model.fit(x, y)
    return model


@dataclass
class Tuned:
    c: float
    weight: float
    threshold: float
    f1: float
    precision: float
    recall: float


Rows = tuple[list[list[str]], list[bool]]


def report(name: str, c: float, weight: float, tuned: Tuned, began: float, where: str) -> None:
    print(f"{name}: C={c} class weight={weight}: {where} F1 {tuned.f1:.3f}"
          f" (P {tuned.precision:.3f} R {tuned.recall:.3f}) at threshold {tuned.threshold:.3f}"
          f" [{time.perf_counter() - began:.0f} s]", file=sys.stderr)


def tune(
    name: str, train: Rows, val: Rows, grid: Sequence[tuple[float, float]]
) -> Tuned:
    """The grid setting and threshold with the best F1 on the validation rows."""
    x_train, y_train = matrix(train[0]), np.array(train[1])
    x_val, y_val = matrix(val[0]), np.array(val[1])
    best: Tuned | None = None
    for c, weight in grid:
        began = time.perf_counter()
        model = fit(x_train, y_train, c, weight)
        tuned = Tuned(c, weight, *reorder(best_f1(y_val, model.predict_proba(x_val)[:, 1])))
        report(name, c, weight, tuned, began, "validation")
        if best is None or tuned.f1 > best.f1:
            best = tuned
    assert best is not None
    return best


def reorder(found: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """best_f1's (F1, precision, recall, threshold) as Tuned's (threshold, F1, precision, recall)."""
    f1, precision, recall, threshold = found
    return threshold, f1, precision, recall


def final_weights(tuned: Tuned, rows: Rows) -> list[float]:
    """The chosen setting fitted again on every training row, validation included:
    the settings are fixed by then, and a fifth more data helps rare phrasings."""
    return exported(fit(matrix(rows[0]), np.array(rows[1]), tuned.c, tuned.weight))


def exported(model: LogisticRegression) -> list[float]:
    weights = model.coef_[0].astype(float)
    # The intercept lives in the bucket of the always-present "bias" feature.
    weights[bucket("bias")] += float(model.intercept_[0])
    return [round(float(w), 3) if abs(w) >= 0.0005 else 0 for w in weights]


def write(path: Path, payload: dict[str, object]) -> None:
    path.write_text(json.dumps(payload, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}: {path.stat().st_size // 1024} KiB", file=sys.stderr)


def split(calls: list[Call]) -> tuple[list[Call], list[Call]]:
    return ([c for c in calls if not validation(Path(c.name))],
            [c for c in calls if validation(Path(c.name))])


def about(tuned: Tuned, what: str) -> dict[str, object]:
    return {"threshold": round(tuned.threshold, 3), "C": tuned.c, "class_weight": tuned.weight,
            "chosen_on": {"f1": round(tuned.f1, 4), "precision": round(tuned.precision, 4),
                          "recall": round(tuned.recall, 4), "data": what}}


_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def speaker_runs(call: Call) -> list[tuple[list[str], list[bool]]]:
    """Each run of one speaker's utterances as (words, whether a sentence
    ends after each word)."""
    runs: list[tuple[list[str], list[bool]]] = []
    previous = None
    for speaker, text in zip(call.speakers, call.texts, strict=True):
        tokens: list[str] = []
        ends: list[bool] = []
        for sentence in _SENTENCE_END.split(text):
            found = words(sentence)
            tokens += found
            ends += [False] * (len(found) - 1) + [True] if found else []
        if not tokens:
            continue
        if runs and previous == speaker:
            runs[-1][0].extend(tokens)
            runs[-1][1].extend(ends)
        else:
            runs.append((tokens, ends))
        previous = speaker
    return runs


def sentence_rows(calls: Sequence[Call]) -> tuple[list[list[str]], list[bool]]:
    rows, labels = [], []
    for call in calls:
        for tokens, ends in speaker_runs(call):
            for index in range(len(tokens) - 1):
                rows.append(boundaries.boundary_features(tokens, index))
                labels.append(ends[index])
    return rows, labels


def train_sentences(calls: Sequence[Call]) -> None:
    """The sentence-end model, on every SwDA training call (the thresholds that
    use it were chosen on the sales development calls, not here)."""
    rows, labels = sentence_rows(calls)
    x = matrix(rows, boundaries.bucket, boundaries.BUCKETS)
    began = time.perf_counter()
    model = fit(x, np.array(labels), 0.5, 1.0)
    print(f"sentence ends: {len(rows)} word gaps, {sum(labels)} ends"
          f" [{time.perf_counter() - began:.0f} s]", file=sys.stderr)
    weights = model.coef_[0].astype(float)
    weights[boundaries.bucket("bias")] += float(model.intercept_[0])
    write(OUT / boundaries.MODEL_FILE, {
        "about": "Logistic regression over hashed features of ember.conversation.boundaries"
        " (the words around a gap), trained by scripts/train_question_model.py on the SwDA"
        " training calls without punctuation (one file in five held out).",
        "buckets": boundaries.BUCKETS,
        # Two decimals are plenty for a sum of eight weights and keep the file small.
        "weights": [round(float(w), 2) or 0 for w in weights]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--quick", action="store_true", help="a small grid")
    parser.add_argument("--only",
                        choices=("questions", "plain", "punctuated", "commitments", "sentences"),
                        default=None,
                        help="train only these models (plain, punctuated: only that question"
                        " model, keeping the other packaged one)")
    args = parser.parse_args()
    swda = swda_calls(args.data / "swda" / "train")
    mrda = mrda_calls(args.data / "mrda" / "train")
    swda_train, swda_val = split(swda)
    if args.only in (None, "sentences"):
        train_sentences([*swda_train, *swda_val])
        if args.only == "sentences":
            return
    mrda_train, mrda_val = split(mrda)
    print(f"SwDA {len(swda_train)} train / {len(swda_val)} validation calls; "
          f"MRDA {len(mrda_train)} / {len(mrda_val)} meetings", file=sys.stderr)
    # Measured: C from 0.3 to 1 and class weights 1 to 1.5 are within 0.005 F1
    # of each other once the threshold is tuned, so the grid stays small.
    q_grid = [(0.3, 1.0)] if args.quick else [(0.1, 1.0), (0.2, 1.0), (0.3, 1.0)]
    if args.only == "plain":
        # The unpunctuated model did best at the weakest setting of that grid.
        q_grid = [(0.05, 1.0), (0.1, 1.0), (0.1, 1.5)]

    def rows_for(calls: list[Call]) -> Rows:
        return question_rows(calls, drop_context=True)

    # (model, tuning calls, validation calls, what the validation is)
    plan: list[tuple[str, list[Call], list[Call], str]] = [
        ("punctuated", [*swda_train, *sales_question_calls(punctuated=True) * SALES_QUESTION_REPEAT],
         swda_val, "SwDA validation calls"),
        ("plain", [*mrda_train, *map(stripped, swda_train),
                   *sales_question_calls() * SALES_QUESTION_REPEAT],
         [*mrda_val, *map(stripped, swda_val)], "MRDA validation meetings"),
    ]
    models: dict[str, object] = {}
    if args.only == "plain":
        packaged = json.loads((OUT / "question_model.json").read_text(encoding="utf-8"))
        models["punctuated"] = packaged["models"]["punctuated"]
        plan = plan[1:]
    if args.only == "punctuated":
        packaged = json.loads((OUT / "question_model.json").read_text(encoding="utf-8"))
        plan = plan[:1]
    for name, train_calls, val_calls, what in plan if args.only != "commitments" else []:
        # The plain model is judged on the meetings only (its stripped SwDA
        # validation calls join the final fit, not the choice).
        judged = [c for c in val_calls if not c.name.endswith("#plain")]
        tuned = tune(name, rows_for(train_calls), question_rows(judged, drop_context=False),
                     q_grid)
        models[name] = {**about(tuned, what),
                        "weights": final_weights(tuned, rows_for([*train_calls, *val_calls]))}
    if models:
        write(OUT / "question_model.json", {
            "about": "Logistic regressions over hashed features of ember.conversation.questions,"
            " trained by scripts/train_question_model.py on the SwDA and MRDA train files"
            " (one file in five held out; settings chosen on a validation split, then fitted"
            " on all the other files).",
            "buckets": BUCKETS, "models": models if args.only != "punctuated" else {
                **models, "plain": packaged["models"]["plain"]}})
    if args.only in ("questions", "plain", "punctuated"):
        return

    # The commitment model has a script of its own.
    from train_commitment_model import main as train_commitments

    sys.argv = [sys.argv[0], "--data", str(args.data), *(["--quick"] if args.quick else [])]
    train_commitments()


if __name__ == "__main__":
    main()
