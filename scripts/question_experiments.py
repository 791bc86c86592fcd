"""Measure ideas for the question models on the validation split, without shipping them.

Usage: python scripts/question_experiments.py {baseline,stacking,overlap,rate,weights}
       [--model punctuated|plain]

Each experiment fits the question model as scripts/train_question_model.py
does (same calls, features and validation split; the held-out fifth is never
read) with one idea added, and prints the best validation F1, precision,
recall and threshold beside the model as it is (`baseline`):

- stacking: a second logistic regression over the first model's
  out-of-fold scores (five folds by call) of the sentence and its neighbours
  (two before, two after, the other speaker's reply and their sentence
  before), with the reply's first word and length read against the
  sentence's own score band;
- overlap: the share of the sentence's words that the other speaker's
  sentence before it holds (an understanding check repeats them);
- rate: the share of question-shaped sentences the speaker says in the call;
- weights: the stripped phone calls weighted 0.4 and 0.15 in the plain model.

None of these beat the baseline by more than the validation noise
(docs/analysis.md, "Measured accuracy and speed"). Needs the `train` extra.
"""

from __future__ import annotations

import argparse
import sys
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))

import train_question_model as train

from ember.conversation.questions import contexts, core_tokens_of, features, sentence_shape
from ember.conversation.text import words

Call = train.Call
Extra = Callable[[Call], list[list[str]]]
DATA = train.ROOT.parent / "shared" / "data"
# The regularisation each packaged model was chosen with.
STRENGTH = {"punctuated": 0.2, "plain": 0.1}
_COMMON = frozenset({
    "the", "a", "an", "and", "or", "but", "so", "uh", "um", "i", "you", "it",
    "to", "of", "in", "that", "is", "was", "we", "they", "he", "she", "do", "like",
    "know", "yeah",
})


def calls_for(model: str) -> tuple[list[Call], list[Call], list[Call]]:
    """(training calls, validation calls, the stripped phone calls among the training ones)."""
    swda_train, swda_val = train.split(train.swda_calls(DATA / "swda" / "train"))
    if model == "punctuated":
        sales = train.sales_question_calls(punctuated=True) * train.SALES_QUESTION_REPEAT
        return [*swda_train, *sales], swda_val, []
    mrda_train, mrda_val = train.split(train.mrda_calls(DATA / "mrda" / "train"))
    phone = [train.stripped(c) for c in swda_train]
    sales = train.sales_question_calls() * train.SALES_QUESTION_REPEAT
    return [*mrda_train, *phone, *sales], mrda_val, phone


def rows(calls: Sequence[Call], extra: Extra | None, *, drop_context: bool) -> train.Rows:
    """The training script's rows, each sentence's row extended by `extra`."""
    found, labels = train.question_rows(calls, drop_context=drop_context)
    if extra is None:
        return found, labels
    at = 0
    for call in calls:
        for index, added in enumerate(extra(call)):
            if drop_context and zlib.crc32(f"{call.name}:{index}".encode()) % 8 == 0:
                at += 1  # the row without context stays as it is
            found[at] = found[at] + added
            at += 1
    return found, labels


def show(name: str, labels: Sequence[bool], probs: np.ndarray) -> None:
    f1, precision, recall, threshold = train.best_f1(np.array(labels), probs)
    print(f"{name}: validation F1 {f1:.3f} (P {precision:.3f} R {recall:.3f})"
          f" at threshold {threshold:.3f}", flush=True)


def linear(model: str, extra: Extra | None = None, name: str = "",
           weighted: float | None = None) -> None:
    """The first model with `extra` features, or with the stripped phone calls
    weighing `weighted` each."""
    train_calls, val_calls, phone = calls_for(model)
    others = [c for c in train_calls if not c.name.endswith("#plain")]
    x_rows, y = rows(others, extra, drop_context=True)
    phone_rows, phone_y = rows(phone, extra, drop_context=True)
    weights = np.array([1.0] * len(y) + [1.0 if weighted is None else weighted] * len(phone_y))
    fitted = LogisticRegression(C=STRENGTH[model], solver="liblinear", max_iter=200)
    fitted.fit(train.matrix(x_rows + phone_rows), np.array(y + phone_y), sample_weight=weights)
    v_rows, v_y = rows(val_calls, extra, drop_context=False)
    show(f"{model} {name or 'baseline'}", v_y, fitted.predict_proba(train.matrix(v_rows))[:, 1])


def _band(share: float) -> str:
    return "0" if share == 0 else "<.34" if share < .34 else "<.67" if share < .67 else (
        "<1" if share < 1 else "1")


def overlap(call: Call) -> list[list[str]]:
    tokens = [core_tokens_of(words(t)) for t in call.texts]
    found = []
    for index, speaker in enumerate(call.speakers):
        own = [t for t in tokens[index] if t not in _COMMON]
        before = next((j for j in range(index - 1, max(-1, index - 4), -1)
                       if call.speakers[j] != speaker), None)
        if before is None or not own:
            found.append(["ov:none"])
            continue
        said = set(tokens[before])
        band = _band(sum(t in said for t in own) / len(own))
        found.append([f"ov:{band}", f"ov+len:{band}:{min(len(tokens[index]), 6)}"])
    return found


def rate(call: Call) -> list[list[str]]:
    asked = [sentence_shape(t)[3] for t in call.texts]
    per: dict[str, list[int]] = {}
    for speaker, shaped in zip(call.speakers, asked, strict=True):
        counts = per.setdefault(speaker, [0, 0])
        counts[0] += shaped
        counts[1] += 1
    found = []
    for index, speaker in enumerate(call.speakers):
        shaped_count, total = per[speaker]
        share = (shaped_count - asked[index]) / max(1, total - 1)
        band = "0" if share == 0 else "<.05" if share < .05 else "<.1" if share < .1 else (
            "<.2" if share < .2 else "<.35" if share < .35 else "hi")
        size = min(len(sentence_shape(call.texts[index])[0]), 6)
        found.append([f"rate:{band}", f"rate+len:{band}:{size}:{asked[index]}"])
    return found


def _score_band(score: float) -> str:
    edges = (-4, -2.5, -1.5, -0.75, 0, 0.75, 1.5, 2.5, 4)
    return str(sum(score >= edge for edge in edges))


def neighbours(call: Call, scores: np.ndarray) -> list[dict[str, float]]:
    """Second-stage features of each sentence from the first model's scores."""
    speakers, count = call.speakers, len(call.texts)
    first = [(words(t)[:1] or ["-"])[0] for t in call.texts]
    lengths = [len(words(t)) for t in call.texts]
    found = []
    for index, speaker in enumerate(speakers):
        own = _score_band(scores[index])
        row = {"score": float(scores[index]), "band:" + own: 1.0}
        for step in (-2, -1, 1, 2):
            other = index + step
            if not 0 <= other < count:
                row[f"n{step}:none"] = 1.0
                continue
            who = "same" if speakers[other] == speaker else "other"
            row[f"n{step}:{who}"] = float(scores[other])
            row[f"nb{step}:{who}:{_score_band(scores[other])}"] = 1.0
            row[f"x{step}:{who}:{own}:{_score_band(scores[other])}"] = 1.0
        reply = next((j for j in range(index + 1, min(count, index + 4))
                      if speakers[j] != speaker), None)
        if reply is None:
            row["noreply"] = 1.0
        else:
            row["reply"] = float(scores[reply])
            row[f"rw:{first[reply]}:{own}"] = 1.0
            row[f"rl:{min(lengths[reply], 5)}:{own}"] = 1.0
        before = next((j for j in range(index - 1, max(-1, index - 4), -1)
                       if speakers[j] != speaker), None)
        if before is not None:
            row["before"] = float(scores[before])
        found.append(row)
    return found


def scores_of(fitted: LogisticRegression, calls: Sequence[Call]) -> dict[str, np.ndarray]:
    found = {}
    for call in calls:
        around = contexts(call.speakers, call.texts, call.times)
        x = train.matrix([features(t, c) for t, c in zip(call.texts, around, strict=True)])
        found[call.name] = fitted.decision_function(x)
    return found


def stacking(model: str) -> None:
    train_calls, val_calls, _ = calls_for(model)

    def fold(call: Call) -> int:
        return zlib.crc32(("fold:" + call.name.split("#")[0]).encode()) % 5

    unique = list({c.name: c for c in train_calls}.values())
    out_of_fold: dict[str, np.ndarray] = {}
    for k in range(5):
        x_rows, y = train.question_rows([c for c in train_calls if fold(c) != k],
                                        drop_context=True)
        fitted = train.fit(train.matrix(x_rows), np.array(y), STRENGTH[model], 1.0)
        out_of_fold.update(scores_of(fitted, [c for c in unique if fold(c) == k]))
    x_rows, y = train.question_rows(train_calls, drop_context=True)
    first = train.fit(train.matrix(x_rows), np.array(y), STRENGTH[model], 1.0)
    val_scores = scores_of(first, val_calls)
    v_y = [q for c in val_calls for q in c.question]
    show(f"{model} first stage", v_y, 1 / (1 + np.exp(-np.concatenate(
        [val_scores[c.name] for c in val_calls]))))
    stage_rows: list[dict[str, float]] = []
    stage_y: list[bool] = []
    for call in train_calls:  # repeated sales calls count as often as in training
        stage_rows += neighbours(call, out_of_fold[call.name])
        stage_y += call.question
    vectors = DictVectorizer()
    x = vectors.fit_transform(stage_rows)
    v_x = vectors.transform([r for c in val_calls for r in neighbours(c, val_scores[c.name])])
    for strength in (0.03, 0.1, 0.3, 1.0):
        second = LogisticRegression(C=strength, max_iter=2000).fit(x, np.array(stage_y))
        show(f"{model} second stage C={strength}", v_y, second.predict_proba(v_x)[:, 1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("experiment",
                        choices=("baseline", "stacking", "overlap", "rate", "weights"))
    parser.add_argument("--model", choices=("punctuated", "plain"), default=None)
    args = parser.parse_args()
    for model in [args.model] if args.model else ["punctuated", "plain"]:
        if args.experiment == "baseline":
            linear(model)
        elif args.experiment == "stacking":
            stacking(model)
        elif args.experiment == "weights":
            if model == "plain":
                for weight in (0.4, 0.15):
                    linear(model, name=f"phone calls weighted {weight}", weighted=weight)
        else:
            linear(model, overlap if args.experiment == "overlap" else rate, args.experiment)


if __name__ == "__main__":
    main()
