"""Train the packaged question classifier on public dialogue-act corpora.

Usage: python scripts/train_question_model.py [--data DIR] [--epochs N]

Reads swda/train (punctuated phone calls) and mrda/train (unpunctuated
meetings) from the shared data folder, keeps one file in five out of
training (chosen by a hash of the file name, so the split is stable and not
hand-picked), trains a logistic regression over hashed features with
AdaGrad, and writes src/ember/conversation/question_model.json. Pure Python:
a few minutes on one core. bench/accuracy.py reports on the held-out files.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ember.conversation.questions import BUCKETS, THRESHOLD, Context, bucket, features  # noqa: E402
from ember.conversation.text import words  # noqa: E402

Example = tuple[str, Context, bool]

SWDA_QUESTION_TAGS = frozenset({"qy", "qw", "qy^d", "qo", "qh", "qrr", "^g", "qw^d"})
HELD_OUT_EVERY = 5


def held_out(path: Path) -> bool:
    """One file in five, by a stable hash of its name."""
    # The corpus name without any suffix, so "X.vtt" and "X.labels.json" agree.
    return zlib.crc32(path.name.split(".")[0].encode()) % HELD_OUT_EVERY == 0


def with_context(turns: list[tuple[str, str, bool]]) -> Iterator[Example]:
    """(speaker, text, label) in order -> (text, context, label)."""
    for index, (speaker, text, label) in enumerate(turns):
        prev_same = index > 0 and turns[index - 1][0] == speaker
        nxt: str | None = None
        if index + 1 < len(turns):
            n_speaker, n_text, _ = turns[index + 1]
            n_words = words(n_text)
            nxt = "" if n_speaker == speaker else (n_words[0] if n_words else "-")
        yield text, Context(prev_same, nxt), label


def swda_examples(folder: Path, *, train: bool) -> Iterator[Example]:
    for path in sorted(folder.glob("*.txt")):
        if held_out(path) == train:
            continue
        turns = []
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("|")
            if len(parts) >= 3:
                turns.append((parts[0], "|".join(parts[1:-1]), parts[-1] in SWDA_QUESTION_TAGS))
        yield from with_context(turns)


def mrda_examples(folder: Path, *, train: bool) -> Iterator[Example]:
    for path in sorted(folder.glob("*.labels.json")):
        if held_out(path) == train:
            continue
        items = json.loads(path.read_text(encoding="utf-8"))
        yield from with_context([(i["speaker"], i["text"], bool(i["question"])) for i in items])


def train(examples: list[tuple[list[int], bool]], epochs: int, l2: float) -> dict[int, float]:
    weights: dict[int, float] = {}
    squares: dict[int, float] = {}
    rate = 0.3
    rng = random.Random(7)
    for epoch in range(epochs):
        rng.shuffle(examples)
        loss = 0.0
        for buckets, label in examples:
            score = sum(weights.get(b, 0.0) for b in buckets)
            prob = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))
            loss -= math.log(max(1e-9, prob if label else 1.0 - prob))
            gradient = prob - (1.0 if label else 0.0)
            for b in buckets:
                w = weights.get(b, 0.0)
                g = gradient + l2 * w
                squares[b] = squares.get(b, 0.0) + g * g
                weights[b] = w - rate * g / math.sqrt(squares[b] + 1e-8)
        print(f"epoch {epoch + 1}: mean log loss {loss / len(examples):.4f}", file=sys.stderr)
    return weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--l2", type=float, default=1e-4)
    args = parser.parse_args()
    raw = [
        *swda_examples(args.data / "swda" / "train", train=True),
        *mrda_examples(args.data / "mrda" / "train", train=True),
    ]
    examples = [
        (sorted({bucket(f) for f in features(text, context)}), label)
        for text, context, label in raw
    ]
    print(f"{len(examples)} training utterances", file=sys.stderr)
    weights = train(examples, args.epochs, args.l2)
    # More epochs fit the training files better but score worse on the
    # held-out ones (measured); one pass generalises best. Dense, rounded
    # weights keep the file small and loading fast.
    dense = [round(weights.get(b, 0.0), 2) for b in range(BUCKETS)]
    out = ROOT / "src" / "ember" / "conversation" / "question_model.json"
    payload = {
        "about": "Logistic regression over hashed features of ember.conversation.questions."
        " Trained by scripts/train_question_model.py on SwDA and MRDA train files"
        " (one file in five held out).",
        "buckets": BUCKETS,
        "threshold": THRESHOLD,
        "weights": dense,
    }
    out.write_text(json.dumps(payload, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {len(dense)} weights, {out.stat().st_size // 1024} KiB", file=sys.stderr)


if __name__ == "__main__":
    main()
