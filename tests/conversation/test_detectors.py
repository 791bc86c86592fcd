"""The detectors' fast paths give what the slow paths gave, and timing reaches the model."""

from __future__ import annotations

import zlib

import pytest

from ember.conversation.commitments import (
    MODEL_CUES,
    commitment_features,
    commitment_score,
    judge,
)
from ember.conversation.dates import DUE_PHRASE, find_due_phrase
from ember.conversation.questions import (
    BUCKETS,
    Context,
    FeatureWeights,
    context_features,
    contexts,
    is_question,
    text_features,
)
from ember.conversation.text import sentences, words


@pytest.mark.parametrize(
    "sentence",
    ["I'll send you the deck by Friday.", "can you loop in your CFO",
     "let's meet next Tuesday at 3", "please forward the contract to legal",
     "we're going to set up the sandbox this week"],
)
def test_commitments_pass_the_word_filter(sentence: str) -> None:
    assert not MODEL_CUES.isdisjoint(words(sentence))
    assert judge(sentence)[0] is not None


@pytest.mark.parametrize(
    "sentence",
    ["our biggest problem is that nobody knows what was promised",
     "right now it all lives in spreadsheets", "mm-hmm", "that makes sense"],
)
def test_sentences_without_cue_words_are_not_scored(sentence: str) -> None:
    assert MODEL_CUES.isdisjoint(words(sentence))
    assert judge(sentence)[0] is None


def test_commitment_features_keep_their_names() -> None:
    feats = commitment_features("So I'll send the deck")
    assert feats[:2] == ["bias", "kind:commit"]
    assert "w:i'll" in feats and "b:send the" in feats
    assert "not" in commitment_features("if we send it")


def test_feature_weights_match_the_hashed_buckets() -> None:
    weights = [float(i) for i in range(BUCKETS)]
    table = FeatureWeights(weights)
    for feature in ("bias", "w:right", "b:is that", "r1:yeah"):
        assert table[feature] == weights[zlib.crc32(feature.encode()) & (BUCKETS - 1)]
    assert len(table) == 4
    score = commitment_score("I'll send the deck")
    assert score is None or isinstance(score, float)


@pytest.mark.parametrize(
    "text",
    ["Let's meet next Tuesday at 3 to go over it.", "Let’s meet next Tuesday at 3.",
     "I'll send it by end of the month", "on MONDAY, at 10am then", "nothing dated here",
     "Café on Friday at 9"],
)
def test_due_phrase_matches_the_case_insensitive_pattern(text: str) -> None:
    match = DUE_PHRASE.search(text)
    assert find_due_phrase(text) == (match.group(0).strip(" ,") if match else None)


@pytest.mark.parametrize(
    ("text", "parts"),
    [("so how many reps do you have", ["so how many reps do you have"]),
     ("  padded words  ", ["padded words"]), ("   ", []),
     ("One. Two? Three!", ["One.", "Two?", "Three!"])],
)
def test_sentences(text: str, parts: list[str]) -> None:
    assert sentences(text) == parts


def test_timing_reaches_unpunctuated_contexts_only() -> None:
    speakers = ["a", "b", "a"]
    times = [(0.0, 0.3), (0.5, 2.0), (2.2, 4.0)]
    plain = contexts(speakers, ["right", "yeah we do", "ok so the next thing"], times)
    assert plain[0].duration == pytest.approx(0.3)
    assert plain[0].reply_gap == pytest.approx(0.2)
    assert plain[0].pause_before is None and plain[1].pause_before == pytest.approx(0.2)
    assert any(f.startswith("sw+gap:right:") for f in context_features("right", plain[0]))
    punctuated = contexts(speakers, ["Right?", "Yeah, we do.", "OK. So the next thing."], times)
    assert all(c.duration is None for c in punctuated)
    untimed = contexts(speakers, ["right", "yeah we do", "ok so the next thing"])
    assert untimed[0].duration is None
    assert context_features("right", untimed[0]) == context_features(
        "right", Context("start", "other", False, False, ("yeah", "we"), False)
    )


def test_question_features_read_the_end_mark_with_shape_and_length() -> None:
    assert {"len+end:2:?", "first+end:you:?", "raw1+len+end:oh:2:?"} <= set(
        text_features("Oh, you can?")
    )
    echo = context_features("Oh, you can?", Context("other", "other"))
    assert "echo:PA:?:other" in echo
    long = "So do you use a CRM today at all for the team?"
    assert not any(f.startswith("echo:") for f in context_features(long, Context()))


def test_is_question_accepts_timed_contexts() -> None:
    around = contexts(["rep", "prospect"], ["do you use a crm today", "yeah we do"],
                      [(0.0, 1.6), (1.9, 2.6)])
    assert is_question("do you use a crm today", around[0])
