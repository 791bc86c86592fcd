"""Phone numbers as keys: the same number written two ways is one number."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

_NOT_DIGIT = re.compile(r"\D")


def phone_key(number: str | None, country: str | None = None) -> str | None:
    """The number's E.164 form (its digits when it cannot be read that way), for matching a
    contact by phone; ``country`` is the region assumed for numbers without a +code.

    Numbers written with their +code (most CRM exports) need no parsing: E.164 is
    the plus and the digits, once a "(0)" trunk digit is dropped. Only national
    numbers go through phonenumbers, which knows each country's trunk prefix.
    """
    if not number:
        return None
    text = number.strip().replace("(0)", "")
    digits = _NOT_DIGIT.sub("", text)
    if text.startswith("+") or text.startswith("00"):
        digits = digits[2:] if not text.startswith("+") else digits
        return f"+{digits}"[:32] if len(digits) >= 5 else None
    if country:
        return _national(text, country)
    return digits[:32] if len(digits) >= 5 else None


@lru_cache(maxsize=65536)
def _national(text: str, country: str) -> str | None:
    try:
        parsed = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_possible_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    digits = _NOT_DIGIT.sub("", text)
    return digits[:32] if len(digits) >= 5 else None
