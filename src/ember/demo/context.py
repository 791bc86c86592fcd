"""State shared by the demo builders while one data set is generated."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ember.demo.cadence import Labeller
from ember.demo.clock import Calendar
from ember.demo.repository import Writer


@dataclass(frozen=True, slots=True)
class Rep:
    id: int
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Scale:
    """How much of everything to build."""

    contacts: int
    deals: int
    touches_per_contact: float
    calls: int
    events: int

    @classmethod
    def for_contacts(cls, contacts: int, touches_per_contact: float | None = None) -> Scale:
        # The default data set (800 contacts) matches the product's demo figures; a
        # larger one keeps the same proportions, with calls and events capped
        # because they add little to a benchmark but cost time and space.
        return cls(
            contacts=contacts,
            deals=max(contacts // 2, 1),
            touches_per_contact=touches_per_contact or DEFAULT_TOUCHES_PER_CONTACT,
            calls=min(max(round(contacts * CALLS_PER_800 / 800), 1), 2_000),
            events=min(contacts, 100_000),
        )


# Enough recorded calls that the team's own call benchmarks can be learned from the demo.
CALLS_PER_800 = 220
DEFAULT_TOUCHES_PER_CONTACT = 6.25  # 5,000 touches for the 800 contacts of the default set
# The drawn cadences alone give about 5.1 touches a contact; this brings the
# mean to the asked figure (measured on the default set).
CALIBRATION = 1.24
# About one touch a contact does not stretch (the conversation that ends the
# FTC phase); measured: 9.4 touches a contact for 10 asked before this.
UNSCALED = 1.0


@dataclass(slots=True)
class Context:
    rng: random.Random
    seed: int
    now: datetime
    calendar: Calendar
    writer: Writer
    scale: Scale
    reps: list[Rep]
    labels: Labeller
    analyze: Callable[..., Any] | None = None  # ember.conversation.analyze_text, if there
    calls_left: int = 0
    events_left: int = 0
    call_chance: float = 0.0
    deals_made: int = 0
    contacts_made: int = 0
    domains: dict[str, int] = field(default_factory=dict)
    # Won-deal contacts lately generated: who later deals say referred them.
    referrers: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=200))
    rep_by_id: dict[int, Rep] = field(default_factory=dict)
    variant_ids: dict[str, int] = field(default_factory=dict)  # message library key -> id
    pricing_rule_id: int | None = None  # the trigger rule a pricing-page visit fires, when it exists already

    def __post_init__(self) -> None:
        self.rep_by_id = {rep.id: rep for rep in self.reps}

    def stretch(self, count: int) -> int:
        """Scale a count of touches to the asked touches-per-contact, rounding at random."""
        extra = (self.scale.touches_per_contact - UNSCALED) / (
            DEFAULT_TOUCHES_PER_CONTACT - UNSCALED)
        wanted = count * CALIBRATION * max(extra, 0.05)
        whole = int(wanted)
        return whole + (1 if self.rng.random() < wanted - whole else 0)
