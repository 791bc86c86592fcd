"""Phone numbers as keys: the same number written two ways is one number."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers


@lru_cache(maxsize=65536)
def phone_key(number: str | None, country: str | None = None) -> str | None:
    """The number's E.164 form (its digits when it cannot be read that way), for matching a
    contact by phone; ``country`` is the region assumed for numbers without a +code."""
    if not number:
        return None
    try:
        parsed = phonenumbers.parse(number, country)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_possible_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    digits = re.sub(r"\D", "", number)
    return digits[:32] if len(digits) >= 5 else None
