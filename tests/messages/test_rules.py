"""Message rotation: never the same variant twice, the right one for the attempt."""

from __future__ import annotations

import string
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ember.messages.defaults import DEFAULT_VARIANTS, PLACEHOLDERS, default_library
from ember.messages.rules import (
    Exhausted,
    MessageVariant,
    Proposal,
    VariantLibrary,
    fill,
    propose_variant,
)
from ember.vocabulary import MessagePhase, MessageSituation

GK, VM, EM, SO = (MessageSituation.GATEKEEPER, MessageSituation.VOICEMAIL,
                  MessageSituation.EMAIL, MessageSituation.SOCIAL)
FTC, FU, NU, TR, RE = (MessagePhase.FTC, MessagePhase.FOLLOW_UP, MessagePhase.NUDGE,
                       MessagePhase.TRIGGER, MessagePhase.REFERRAL)
LIB = default_library()


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def proposed(result: Proposal | Exhausted) -> MessageVariant:
    assert isinstance(result, Proposal), getattr(result, "message", result)
    return result.variant


# --- the default library --------------------------------------------------

def test_every_situation_and_phase_has_several_variants() -> None:
    per_situation = Counter(v.situation for v in DEFAULT_VARIANTS)
    assert all(per_situation[s] >= 6 for s in MessageSituation)
    for situation in MessageSituation:
        for phase in MessagePhase:
            assert len(LIB.for_phase(situation, phase)) >= 2, (situation, phase)


def test_ftc_variants_are_written_for_attempt_numbers() -> None:
    for situation in MessageSituation:
        attempts = {v.attempt for v in LIB.for_phase(situation, FTC)}
        assert {1, 2, 3, 4} <= attempts, situation


def test_placeholders_are_the_documented_ones() -> None:
    for variant in DEFAULT_VARIANTS:
        used = fields(variant.body) | fields(variant.subject or "")
        assert used <= PLACEHOLDERS, (variant.key, used - PLACEHOLDERS)


def test_trigger_texts_name_what_they_did_and_referral_texts_name_the_referrer() -> None:
    for variant in DEFAULT_VARIANTS:
        if variant.phase is TR:
            assert "trigger" in fields(variant.body), variant.key
        if variant.phase is RE:
            assert "referrer" in fields(variant.body), variant.key


def test_voicemail_and_email_pairs_refer_to_each_other() -> None:
    pairs = [v for v in DEFAULT_VARIANTS if v.pairs_with]
    assert len(pairs) >= 20
    for variant in pairs:
        partner = LIB.get(variant.pairs_with or "")
        assert partner is not None and partner.pairs_with == variant.key
        assert {variant.situation, partner.situation} == {VM, EM}
        if variant.situation is VM:
            assert "email" in variant.body.lower(), variant.key
        else:
            assert "voicemail" in variant.body.lower(), variant.key


def test_no_purposeless_openers_and_emails_have_subjects() -> None:
    banned = ("touch base", "touching base", "check in", "checking in", "just following up",
              "catch up")
    for variant in DEFAULT_VARIANTS:
        text = (variant.body + " " + (variant.subject or "")).lower()
        assert not any(b in text for b in banned), variant.key
        assert (variant.subject is not None) == (variant.situation is EM), variant.key


def test_follow_up_texts_recall_the_problem_or_the_next_step() -> None:
    for variant in LIB.for_phase(VM, FU) + LIB.for_phase(EM, FU):
        assert fields(variant.body) & {"problem", "next_step"}, variant.key


def test_library_refuses_duplicate_keys_and_dangling_pairs() -> None:
    a = MessageVariant("a", EM, FTC, "x", subject="s")
    with pytest.raises(ValueError, match="used twice"):
        VariantLibrary([a, a])
    with pytest.raises(ValueError, match="not in the library"):
        VariantLibrary([MessageVariant("b", VM, FTC, "x", pairs_with="nope")])


# --- proposals ------------------------------------------------------------

def test_prefers_the_variant_written_for_the_attempt_number() -> None:
    assert proposed(propose_variant(GK, FTC, 3, set(), LIB)).key == "gk-ftc-3"
    assert proposed(propose_variant(VM, FTC, 2, set(), LIB)).key == "vm-ftc-2"


def test_then_the_nearest_attempt_left_then_general() -> None:
    received = {"gk-ftc-3"}
    result = propose_variant(GK, FTC, 3, received, LIB)
    assert isinstance(result, Proposal)
    assert result.key in {"gk-ftc-2", "gk-ftc-4"} and "nearest" in result.why
    all_ftc = {v.key for v in LIB.for_phase(GK, FTC)}
    assert proposed(propose_variant(GK, FTC, 3, all_ftc, LIB)).key == "gk-any-1"


def test_phase_wide_variants_before_other_attempt_numbers() -> None:
    lib = VariantLibrary([
        MessageVariant("one", SO, FTC, "1", attempt=1),
        MessageVariant("any", SO, FTC, "any"),
    ])
    assert proposed(propose_variant(SO, FTC, 2, set(), lib)).key == "any"


def test_exhausted_says_so_in_plain_words() -> None:
    everything = {v.key for v in DEFAULT_VARIANTS}
    result = propose_variant(GK, FU, 1, everything, LIB)
    assert isinstance(result, Exhausted) and result.exhausted and result.key is None
    assert "already received every gatekeeper message" in result.message
    assert "will not repeat" in result.message


def test_the_voicemail_just_left_brings_its_own_email() -> None:
    result = propose_variant(EM, FTC, 3, {"vm-ftc-2"}, LIB, pair_of="vm-ftc-2")
    assert isinstance(result, Proposal) and result.key == "em-ftc-2"
    assert "pairs with vm-ftc-2" in result.why
    # ...unless the contact already got that email: then another one.
    other = propose_variant(EM, FTC, 3, {"vm-ftc-2", "em-ftc-2"}, LIB, pair_of="vm-ftc-2")
    assert proposed(other).key not in {"em-ftc-2", "vm-ftc-2"}


def test_paired_texts_only_where_their_promise_holds() -> None:
    for attempt in range(1, 8):
        variant = proposed(propose_variant(EM, FTC, attempt, set(), LIB, allow_paired=False))
        assert variant.pairs_with is None
        assert "voicemail" not in variant.body.lower()


def test_fallback_phases_come_before_general_variants() -> None:
    used = {v.key for v in LIB.for_phase(SO, RE)}
    result = propose_variant(SO, RE, 1, used, LIB, fallback_phases=(FTC,))
    assert isinstance(result, Proposal) and result.key == "so-ftc-1"
    assert "the texts for referrals are used up" in result.why


def test_fill_keeps_unknown_placeholders_visible() -> None:
    assert fill("Hi {first_name}, about {problem}", {"first_name": "Ana"}) == (
        "Hi Ana, about {problem}")


requests = st.tuples(st.sampled_from(list(MessageSituation)), st.sampled_from(list(MessagePhase)),
                     st.one_of(st.none(), st.integers(1, 9)), st.booleans(), st.booleans())


@settings(max_examples=200, deadline=None)
@given(st.lists(requests, min_size=1, max_size=150))
def test_no_contact_ever_receives_the_same_variant_twice(
    sequence: list[tuple[MessageSituation, MessagePhase, int | None, bool, bool]],
) -> None:
    received: list[str] = []
    previous: str | None = None
    for situation, phase, attempt, allow_paired, use_pair in sequence:
        result = propose_variant(situation, phase, attempt, set(received), LIB,
                                 pair_of=previous if use_pair else None,
                                 allow_paired=allow_paired)
        if isinstance(result, Exhausted):
            # Exhausted means exhausted: nothing usable is left.
            left = [v for v in LIB.for_phase(situation, phase) + LIB.general(situation)
                    if v.key not in received and (allow_paired or v.pairs_with is None)]
            assert left == []
            continue
        received.append(result.key)
        previous = result.key
    assert len(received) == len(set(received))
