"""Attempt labels: FTC #n until the first conversation, then follow-up #n per deal."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ember.cadence.attempts import (
    AttemptLabel,
    AttemptPhase,
    TouchFact,
    counts_as_conversation,
    label_touches,
    next_label,
)
from ember.vocabulary import Outcome

T0 = datetime(2025, 5, 12, 9, 0, tzinfo=UTC)


def touch(
    id: int, hours: float, outcome: str, deal_id: int | None = None, channel: str = "call"
) -> TouchFact:
    return TouchFact(id=id, occurred_at=T0 + timedelta(hours=hours), outcome=outcome,
                     channel=channel, deal_id=deal_id)


def texts(touches: list[TouchFact], **kwargs: object) -> dict[int, str]:
    return {k: v.text for k, v in label_touches(touches, **kwargs).items()}  # type: ignore[arg-type]


def test_gatekeeper_voicemail_email_are_ftc_1_to_3() -> None:
    history = [touch(1, 0, "gatekeeper"), touch(2, 24, "voicemail"),
               touch(3, 24.1, "email-sent", channel="email")]
    assert texts(history) == {1: "FTC #1", 2: "FTC #2", 3: "FTC #3"}


def test_touch_with_first_conversation_is_still_ftc_and_the_next_is_follow_up_1() -> None:
    history = [touch(1, 0, "no-answer"), touch(2, 24, "conversation"), touch(3, 72, "voicemail")]
    assert texts(history) == {1: "FTC #1", 2: "FTC #2", 3: "follow-up #1"}


def test_first_touch_that_gets_through_is_ftc_1() -> None:
    assert texts([touch(1, 0, "conversation"), touch(2, 5, "email-sent")]) == {
        1: "FTC #1", 2: "follow-up #1"}


@pytest.mark.parametrize("outcome", ["email-replied", "meeting-held", "said-no", "not-now"])
def test_every_kind_of_reaching_the_person_ends_the_ftc_phase(outcome: str) -> None:
    assert texts([touch(1, 0, outcome), touch(2, 5, "no-answer")])[2] == "follow-up #1"


def test_follow_ups_are_numbered_per_deal_after_a_contact_wide_first_conversation() -> None:
    history = [
        touch(1, 0, "voicemail"),  # no deal yet
        touch(2, 24, "conversation", deal_id=10),
        touch(3, 48, "no-answer", deal_id=10),
        touch(4, 50, "email-sent", deal_id=20, channel="email"),  # a second deal
        touch(5, 72, "voicemail", deal_id=10),
        touch(6, 80, "no-answer", deal_id=20),
    ]
    assert texts(history) == {1: "FTC #1", 2: "FTC #2", 3: "follow-up #1", 4: "follow-up #1",
                              5: "follow-up #2", 6: "follow-up #2"}


def test_ftc_counts_across_deals_unless_asked_per_deal() -> None:
    history = [touch(1, 0, "no-answer", deal_id=1), touch(2, 1, "no-answer", deal_id=2),
               touch(3, 2, "voicemail", deal_id=1)]
    assert texts(history) == {1: "FTC #1", 2: "FTC #2", 3: "FTC #3"}
    assert texts(history, ftc_per_deal=True) == {1: "FTC #1", 2: "FTC #1", 3: "FTC #2"}


def test_back_dated_touch_renumbers_the_later_ones() -> None:
    history = [touch(1, 10, "voicemail"), touch(2, 20, "conversation"), touch(3, 30, "no-answer")]
    back_dated = [*history, touch(4, 5, "gatekeeper")]  # logged last, happened first
    assert texts(back_dated) == {4: "FTC #1", 1: "FTC #2", 2: "FTC #3", 3: "follow-up #1"}


def test_back_dated_conversation_turns_later_ftc_attempts_into_follow_ups() -> None:
    history = [touch(1, 10, "voicemail"), touch(2, 20, "no-answer")]
    assert texts([*history, touch(3, 5, "conversation")]) == {
        3: "FTC #1", 1: "follow-up #1", 2: "follow-up #2"}


def test_deleting_a_touch_renumbers() -> None:
    history = [touch(1, 0, "gatekeeper"), touch(2, 1, "voicemail"), touch(3, 2, "conversation"),
               touch(4, 3, "no-answer"), touch(5, 4, "voicemail")]
    without_second = [t for t in history if t.id != 2]
    assert texts(without_second) == {1: "FTC #1", 3: "FTC #2", 4: "follow-up #1",
                                     5: "follow-up #2"}
    without_conversation = [t for t in history if t.id != 3]
    assert set(texts(without_conversation).values()) == {"FTC #1", "FTC #2", "FTC #3", "FTC #4"}


def test_same_moment_is_ordered_by_id() -> None:
    history = [touch(7, 0, "no-answer"), touch(3, 0, "conversation")]
    assert texts(history) == {3: "FTC #1", 7: "follow-up #1"}


def test_order_uses_instants_not_wall_clock_in_a_dst_fold() -> None:
    ny = ZoneInfo("America/New_York")
    first = TouchFact(1, datetime(2025, 11, 2, 1, 40, tzinfo=ny), "conversation", "call")  # EDT
    later = TouchFact(2, datetime(2025, 11, 2, 1, 10, fold=1, tzinfo=ny), "no-answer", "call")
    assert texts([later, first]) == {1: "FTC #1", 2: "follow-up #1"}


def test_custom_outcomes_can_count_as_conversation() -> None:
    custom = {"demo-booked": True, "left-note-at-desk": False}
    history = [touch(1, 0, "left-note-at-desk"), touch(2, 1, "demo-booked"),
               touch(3, 2, "no-answer")]
    assert texts(history, custom_outcomes=custom) == {1: "FTC #1", 2: "FTC #2",
                                                      3: "follow-up #1"}
    assert texts(history) == {1: "FTC #1", 2: "FTC #2", 3: "FTC #3"}


def test_built_in_outcomes_cannot_be_redefined() -> None:
    assert counts_as_conversation("conversation", {"conversation": False})
    assert not counts_as_conversation("voicemail", {"voicemail": True})


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        label_touches([TouchFact(1, datetime(2025, 1, 1), "no-answer", "call")])


def test_next_label() -> None:
    history = [touch(1, 0, "voicemail"), touch(2, 1, "conversation", deal_id=5),
               touch(3, 2, "no-answer", deal_id=5)]
    assert next_label([]) == AttemptLabel(AttemptPhase.FTC, 1)
    assert next_label(history[:1]).text == "FTC #2"
    assert next_label(history, deal_id=5).text == "follow-up #2"
    assert next_label(history, deal_id=6).text == "follow-up #1"
    assert str(next_label(history, deal_id=5)) == "follow-up #2"


OUTCOMES = [o.value for o in Outcome] + ["custom-yes", "custom-no"]
CUSTOM = {"custom-yes": True, "custom-no": False}


@st.composite
def histories(draw: st.DrawFn) -> list[TouchFact]:
    size = draw(st.integers(min_value=0, max_value=25))
    minutes = draw(st.lists(st.integers(0, 60 * 24 * 90), min_size=size, max_size=size))
    outcomes = draw(st.lists(st.sampled_from(OUTCOMES), min_size=size, max_size=size))
    deals = draw(st.lists(st.sampled_from([None, 1, 2]), min_size=size, max_size=size))
    return [TouchFact(i + 1, T0 + timedelta(minutes=m), o, "call", d)
            for i, (m, o, d) in enumerate(zip(minutes, outcomes, deals, strict=True))]


@settings(max_examples=300, deadline=None)
@given(histories(), st.randoms(use_true_random=False))
def test_labels_are_a_function_of_the_history_alone(
    history: list[TouchFact], rnd: random.Random
) -> None:
    shuffled = history[:]
    rnd.shuffle(shuffled)
    assert label_touches(shuffled, CUSTOM) == label_touches(history, CUSTOM)


@settings(max_examples=300, deadline=None)
@given(histories())
def test_labels_number_consecutively(history: list[TouchFact]) -> None:
    labels = label_touches(history, CUSTOM)
    in_order = sorted(history, key=lambda t: (t.occurred_at, t.id))
    ftc = [labels[t.id].number for t in in_order if labels[t.id].phase is AttemptPhase.FTC]
    assert ftc == list(range(1, len(ftc) + 1))
    for deal in (None, 1, 2):
        numbers = [labels[t.id].number for t in in_order
                   if t.deal_id == deal and labels[t.id].phase is AttemptPhase.FOLLOW_UP]
        assert numbers == list(range(1, len(numbers) + 1))
    # FTC ends exactly with the first conversation.
    reached = [i for i, t in enumerate(in_order) if counts_as_conversation(t.outcome, CUSTOM)]
    assert len(ftc) == (reached[0] + 1 if reached else len(in_order))


@settings(max_examples=200, deadline=None)
@given(histories(), st.data())
def test_deleting_a_touch_only_shifts_later_labels(
    history: list[TouchFact], data: st.DataObject
) -> None:
    if not history:
        return
    gone = data.draw(st.sampled_from(history))
    before = label_touches(history, CUSTOM)
    after = label_touches([t for t in history if t is not gone], CUSTOM)
    key = (gone.occurred_at, gone.id)
    for t in history:
        if (t.occurred_at, t.id) < key:
            assert after[t.id] == before[t.id]  # nothing earlier moves
    assert gone.id not in after
