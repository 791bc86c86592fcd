"""Message rotation: which variant to use for the next touch.

Pure rules over an immutable library. The invariant the product promises:
a contact never gets the same variant twice, across all deals and cadences,
so the caller passes every key the contact has ever received.

Order of preference for a situation and phase:

1. the exact pair of the variant just used (voicemail <-> email),
2. a variant written for this attempt number,
3. a variant written for the phase without an attempt number,
4. a variant of the same phase written for another attempt (nearest first),
5. a general variant of the situation (``phase=None``).

Paired variants promise their partner ("I just left you a voicemail",
"I'm sending you an email now"); they are proposed only where that promise
holds (``allow_paired``), so an email never claims a voicemail that wasn't left.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from ember.vocabulary import MessagePhase, MessageSituation

_PHASE_WORDS: Mapping[MessagePhase, str] = MappingProxyType(
    {
        MessagePhase.FTC: "first-time attempts",
        MessagePhase.FOLLOW_UP: "follow-ups",
        MessagePhase.NUDGE: "nudges after silence",
        MessagePhase.TRIGGER: "trigger events",
        MessagePhase.REFERRAL: "referrals",
    }
)


@dataclass(frozen=True, slots=True)
class MessageVariant:
    """One gatekeeper line, voicemail, email or social message.

    ``phase=None`` marks a general variant usable in any phase.
    ``body`` and ``subject`` hold ``{placeholders}`` (see ``fill``).
    """

    key: str
    situation: MessageSituation
    phase: MessagePhase | None
    body: str
    attempt: int | None = None
    subject: str | None = None
    pairs_with: str | None = None


@dataclass(frozen=True, slots=True)
class Proposal:
    variant: MessageVariant
    why: str

    @property
    def key(self) -> str:
        return self.variant.key

    @property
    def exhausted(self) -> bool:
        return False


@dataclass(frozen=True, slots=True)
class Exhausted:
    situation: MessageSituation
    phase: MessagePhase
    message: str

    @property
    def key(self) -> None:
        return None

    @property
    def exhausted(self) -> bool:
        return True


class VariantLibrary:
    """An indexed, read-only set of variants (built once, queried per touch)."""

    __slots__ = ("_by_key", "_by_phase", "_general", "variants")

    def __init__(self, variants: Iterable[MessageVariant]) -> None:
        self.variants: tuple[MessageVariant, ...] = tuple(variants)
        by_key: dict[str, MessageVariant] = {}
        by_phase: dict[tuple[MessageSituation, MessagePhase], list[MessageVariant]] = {}
        general: dict[MessageSituation, list[MessageVariant]] = {}
        for variant in self.variants:
            if variant.key in by_key:
                raise ValueError(f"message variant key {variant.key!r} is used twice")
            by_key[variant.key] = variant
            if variant.phase is None:
                general.setdefault(variant.situation, []).append(variant)
            else:
                by_phase.setdefault((variant.situation, variant.phase), []).append(variant)
        for variant in self.variants:
            if variant.pairs_with is not None and variant.pairs_with not in by_key:
                raise ValueError(
                    f"message variant {variant.key!r} pairs with {variant.pairs_with!r}, "
                    "which is not in the library"
                )
        self._by_key = by_key
        self._by_phase = {k: tuple(v) for k, v in by_phase.items()}
        self._general = {k: tuple(v) for k, v in general.items()}

    def get(self, key: str) -> MessageVariant | None:
        return self._by_key.get(key)

    def for_phase(
        self, situation: MessageSituation, phase: MessagePhase
    ) -> tuple[MessageVariant, ...]:
        return self._by_phase.get((situation, phase), ())

    def general(self, situation: MessageSituation) -> tuple[MessageVariant, ...]:
        return self._general.get(situation, ())

    def __len__(self) -> int:
        return len(self.variants)


def _usable(variant: MessageVariant, received: Collection[str], allow_paired: bool) -> bool:
    return variant.key not in received and (allow_paired or variant.pairs_with is None)


def _exact_pair(
    situation: MessageSituation,
    pair_of: str | None,
    received: Collection[str],
    library: VariantLibrary,
) -> MessageVariant | None:
    if pair_of is None:
        return None
    previous = library.get(pair_of)
    if previous is None or previous.pairs_with is None:
        return None
    partner = library.get(previous.pairs_with)
    if partner is None or partner.situation != situation or partner.key in received:
        return None
    return partner


def _pick_in_phase(
    candidates: tuple[MessageVariant, ...],
    attempt: int | None,
    received: Collection[str],
    allow_paired: bool,
) -> tuple[MessageVariant, str] | None:
    usable = [v for v in candidates if _usable(v, received, allow_paired)]
    if not usable:
        return None
    if attempt is not None:
        for variant in usable:
            if variant.attempt == attempt:
                return variant, f"written for attempt #{attempt}"
    for variant in usable:
        if variant.attempt is None:
            return variant, "written for this phase"
    # Only variants for other attempt numbers are left: the nearest reads
    # most naturally (an attempt-5 text fits attempt 6 better than attempt 1).
    target = attempt or 1
    variant = min(usable, key=lambda v: (abs((v.attempt or 0) - target), v.attempt or 0))
    return variant, f"written for attempt #{variant.attempt}, the nearest one left"


def _exhausted(
    situation: MessageSituation, phase: MessagePhase, library: VariantLibrary
) -> Exhausted:
    total = len(library.for_phase(situation, phase)) + len(library.general(situation))
    words = _PHASE_WORDS.get(phase, str(phase))
    return Exhausted(
        situation=situation,
        phase=phase,
        message=(
            f"This contact has already received every {situation.value} message for "
            f"{words} ({total} in the library). Write a new variant or edit the library "
            "before the next touch; Ember will not repeat a message."
        ),
    )


def propose_variant(
    situation: MessageSituation,
    phase: MessagePhase,
    attempt: int | None,
    received_keys: Collection[str],
    library: VariantLibrary,
    *,
    pair_of: str | None = None,
    allow_paired: bool = True,
    fallback_phases: Sequence[MessagePhase] = (),
) -> Proposal | Exhausted:
    """Propose the variant for the next touch, never one the contact received.

    ``received_keys``: every variant key the contact has received (all deals,
    all cadences); pass a set for speed. ``pair_of``: key of the variant used
    in the touch just before, so its partner comes first. ``allow_paired``:
    False when the partner cannot follow (no voicemail was left before this
    email; no email can follow this voicemail). ``fallback_phases``: phases
    to try, in order, before general variants (a referral falls back to FTC
    texts, a nudge to follow-up texts).
    """
    partner = _exact_pair(situation, pair_of, received_keys, library)
    if partner is not None:
        return Proposal(partner, f"pairs with {pair_of}, used in the touch just before")
    picked = _pick_in_phase(
        library.for_phase(situation, phase), attempt, received_keys, allow_paired
    )
    if picked is not None:
        return Proposal(picked[0], picked[1])
    for fallback in fallback_phases:
        picked = _pick_in_phase(
            library.for_phase(situation, fallback), attempt, received_keys, allow_paired
        )
        if picked is not None:
            why = (f"the texts for {_PHASE_WORDS[phase]} are used up; "
                   f"{picked[1]} (from {_PHASE_WORDS[fallback]})")
            return Proposal(picked[0], why)
    for variant in library.general(situation):
        if _usable(variant, received_keys, allow_paired):
            return Proposal(variant, "a general variant: the ones for this phase are used up")
    return _exhausted(situation, phase, library)


class _KeepMissing(dict[str, str]):
    # Unknown placeholders stay visible ("{problem}") so the rep sees what to
    # fill in, instead of the message silently losing words.
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str, values: Mapping[str, str]) -> str:
    """Fill ``{placeholders}``; those without a value are left as they are."""
    return text.format_map(_KeepMissing(values))


_UNFILLED = re.compile(r"\{[a-z_]+\}")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def readable(text: str, values: Mapping[str, str]) -> str | None:
    """The message as a rep can read it at a glance: never a bare ``{placeholder}``.

    Placeholders with a value are filled. A sentence (or a ``·``-separated part of
    a signature line) that still needs a fact Ember does not know is left out, so
    the preview reads as plain words; the compose page shows the full text with
    what remains to fill. None when nothing readable is left.
    """
    lines = []
    for line in fill(text, values).splitlines():
        parts = [p for p in line.split(" · ") if not _UNFILLED.search(p)]
        line = " · ".join(parts)
        sentences = [s for s in _SENTENCE_END.split(line) if not _UNFILLED.search(s)]
        lines.append(" ".join(sentences))
    kept = "\n".join(lines).strip()
    kept = re.sub(r"\n{3,}", "\n\n", kept)
    # Only a greeting and a signature left: there is no message to read.
    return kept if re.search(r"[.!?]", kept) else None


def missing_facts(text: str, values: Mapping[str, str]) -> list[str]:
    """Placeholder names a message needs that have no value (what the rep must add)."""
    return sorted({m.group(0)[1:-1] for m in _UNFILLED.finditer(fill(text, values))})
