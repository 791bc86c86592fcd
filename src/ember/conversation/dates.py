"""Finding and resolving spoken due dates ("next Tuesday at 3").

dateparser is slow to import and to call, so a cheap regular expression
finds candidate phrases first, a few common shapes dateparser gets wrong are
rewritten, and results are cached per (phrase, call day).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache

_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri)"
_MONTH = (r"(?:january|february|march|april|may|june|july|august|september|october|november|"
          r"december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)")
_NUM = r"(?:\d+|a|an|one|two|three|four|five|six|couple of|few)"
_CLOCK = r"(?:at|around|by)\s+\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.|o'clock)?"
_WHEN = (
    rf"(?:(?:next|this|coming|the)\s+)?{_DAY}(?:\s+(?:morning|afternoon|evening))?"
    rf"|tomorrow(?:\s+(?:morning|afternoon))?|today(?!')|tonight|end of (?:the )?(?:next )?"
    rf"(?:day|week|month|quarter)|eod|eow|(?:next|this|the following) (?:week|month|quarter)"
    rf"|in {_NUM} (?:days?|weeks?|months?)|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?"
    rf"|(?:the )?\d{{1,2}}(?:st|nd|rd|th)(?: of {_MONTH})?|\d{{4}}-\d{{2}}-\d{{2}}"
)
DUE_PHRASE = re.compile(
    rf"\b(?:(?:by|before|on|until|for)\s+)?(?:{_WHEN})(?:\s*,?\s*{_CLOCK})?\b|\b{_CLOCK}\b",
    re.IGNORECASE,
)
_HAS_TIME = re.compile(
    r"\d{1,2}(:\d{2})?\s*(am|pm|a\.m\.|p\.m\.|o'clock)|\bat \d|morning|afternoon|evening|"
    r"tonight|\beod\b|end of (the )?day",
    re.I,
)
_BARE_HOUR = re.compile(r"\b(at|around|by)\s+(\d{1,2})(?::(\d{2}))?\b(?!\s*(?:am|pm|a\.m|p\.m))", re.I)
_LEAD = re.compile(r"^(by|before|on|until|for)\s+", re.I)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


# The same pattern for lower-case ASCII text: case-insensitive matching makes
# this long alternation about three times slower, and it runs on every
# sentence that commits someone.
_DUE_LOWER = re.compile(DUE_PHRASE.pattern)


def find_due_phrase(text: str) -> str | None:
    if text.isascii():
        # ASCII lower-casing keeps every position, so the span maps back.
        found = _DUE_LOWER.search(text.lower())
        if not found:
            return None
        start, end = found.span()
        phrase = text[start:end].strip(" ,")
    else:
        match = DUE_PHRASE.search(text)
        if not match:
            return None
        phrase = match.group(0).strip(" ,")
    # "the 3rd" style matches only count with a day or month nearby; a bare
    # "at 3" needs a verb context anyway, the caller checks that.
    return phrase


def resolve(phrase: str, call_date: datetime) -> tuple[datetime | None, bool]:
    """The due datetime for a phrase said on `call_date`, and whether a time was said."""
    return _resolve_cached(phrase.lower().strip(), call_date.replace(second=0, microsecond=0))


@lru_cache(maxsize=4096)
def _resolve_cached(phrase: str, base: datetime) -> tuple[datetime | None, bool]:
    has_time = bool(_HAS_TIME.search(phrase))
    special = _end_of(phrase, base.date())
    if special is not None:
        hour = 17 if has_time else 0
        return datetime.combine(special, time(hour)), has_time
    text = _LEAD.sub("", phrase)
    text = _BARE_HOUR.sub(_business_hour, text)
    text = text.replace("eow", "friday")
    import dateparser  # slow import, deferred until a phrase needs it

    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future"},
    )
    if parsed is None:
        return None, False
    if not has_time:
        parsed = datetime.combine(parsed.date(), time(0))
    return parsed.replace(tzinfo=None), has_time


def _business_hour(match: re.Match[str]) -> str:
    """"at 3" on a sales call means 3 pm; 8 to 11 mean the morning."""
    hour = int(match.group(2))
    minutes = match.group(3) or "00"
    suffix = "am" if 8 <= hour <= 11 else "pm"
    if hour > 12:
        return f"{match.group(1)} {hour}:{minutes}"
    return f"{match.group(1)} {hour}:{minutes} {suffix}"


def _end_of(phrase: str, today: date) -> date | None:
    """Shapes dateparser does not read: end of day/week/month, eod."""
    if phrase in ("eod", "by eod", "end of day", "by end of day", "end of the day",
                  "by the end of the day", "tonight"):
        return today
    match = re.search(r"end of (the )?(next )?(week|month|quarter)", phrase)
    if not match:
        return None
    unit, later = match.group(3), bool(match.group(2))
    if unit == "week":
        friday = today + timedelta(days=(4 - today.weekday()) % 7)
        return friday + timedelta(days=7) if later else friday
    if unit == "quarter":
        month = ((today.month - 1) // 3 + 1) * 3 + (3 if later else 0)
    else:
        month = today.month + (1 if later else 0)
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def weekday_name(value: date) -> str:
    return _WEEKDAYS[value.weekday()]
