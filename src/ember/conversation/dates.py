"""Finding and resolving spoken due dates ("next Tuesday at 3", "by the end of next week").

A regular expression finds the date words a sentence holds; `resolve` turns
them into a day (and a time when one was said) relative to the call date,
with the conventions of sales calls:

- a bare weekday is the next such day after the call ("Friday" said on a
  Friday is a week later); "next Tuesday" and "Tuesday next week" are the
  Tuesday of the following calendar week; "this Friday" is this week's;
- "this week" / "end of the week" is this week's Friday, "next week" its
  Monday ("early next week" too), "end of next week" the Friday after;
- "end of the month / quarter / year" is its last day; "in two weeks" and
  "within two weeks" are fourteen days on; "in May" is the first of May;
- "a week from today", "two weeks from now" count like "in two weeks"; "the
  week after next" is the Monday two weeks on;
- "today", "tonight", "later today", "after this call", "before lunch"
  are the call's own day; "tomorrow (morning)" the next;
- a bare hour means business hours: "at 3" is 15:00, "at 9" is 09:00,
  "at two" 14:00, "at nine thirty" 09:30, "at noon" 12:00.

Anything else the pattern finds (rare shapes) goes to dateparser, which is
slow to import, so it is imported only then. Results are cached per (phrase,
call minute).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_ABBREV = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4}
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_MONTH_ABBREV = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
                 "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12}
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
             "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
             "seventeenth", "eighteenth", "nineteenth", "twentieth")
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
            "couple of": 2, "a couple of": 2, "few": 3, "a few": 3}

_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri)"
_MONTH = (r"(?:january|february|march|april|may|june|july|august|september|october|november|"
          r"december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)")
_MONTH_NOT_MAY = _MONTH.replace("may|", "")
_ORD_WORD = (r"(?:(?:twenty|thirty)[- ](?:first|second|third|fourth|fifth|sixth|seventh|eighth|"
             r"ninth)|thirtieth|twentieth|" + "|".join(reversed(_ORDINALS)) + r")")
_ORD = rf"(?:\d{{1,2}}(?:st|nd|rd|th)|{_ORD_WORD})"
_NUM = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|(?:a )?couple of|(?:a )?few)"
_HOUR_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|noon)"
_CLOCK = (rf"(?:at|around|by|from)\s+(?:\d{{1,2}}(?::\d{{2}})?\s*(?:am|pm|a\.m\.|p\.m\.|o'clock)?"
          rf"|{_HOUR_WORD}(?:\s+(?:thirty|fifteen|forty-five|o'clock))?(?:\s+(?:am|pm))?)")
_PART = r"(?:\s+(?:morning|afternoon|evening|night|lunchtime|after lunch))"
_WHEN = (
    rf"(?:(?:next|this|coming|this coming)\s+)?{_DAY}{_PART}?(?:\s+next week)?"
    rf"|{_NUM} (?:days?|weeks?|months?) from (?:now|today|tomorrow)|the week after next"
    rf"|tomorrow{_PART}?|today(?!'s)|tonight|later today|this (?:morning|afternoon|evening)"
    rf"|before lunch|(?:right\s+)?after (?:this|the|our) call|(?:as soon as|once|when|after) we hang up"
    rf"|in the next (?:\d+|few|couple of|ten|twenty|thirty) minutes"
    rf"|(?:the\s+)?end of (?:the\s+|this\s+)?(?:next\s+)?(?:day|week|month|quarter|year)"
    rf"(?:\s+tomorrow)?|eod|eow|eom"
    rf"|(?:early|later|late|mid)?[- ]?(?:next|this|the following|this coming) (?:week|month|quarter)"
    rf"|(?:in|within) (?:the next )?{_NUM} (?:business |working )?(?:days?|weeks?|months?)"
    rf"|(?:the )?(?:first|second|last) week of {_MONTH}|the week of (?:the )?(?:{_ORD}|{_MONTH} \d{{1,2}})"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?|{_MONTH}\s+{_ORD_WORD}"
    rf"|the \d{{1,2}}(?:st|nd|rd|th)(?: of {_MONTH})?|the {_ORD_WORD} of {_MONTH}|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|(?:early|mid|late|end of) {_MONTH}|(?:in|by|before|until) may|{_MONTH_NOT_MAY}"
)
DUE_PHRASE = re.compile(
    rf"\b(?:(?:by|before|on|until|for|in|during|over)\s+)?(?:{_WHEN})(?:\s*,?\s*{_CLOCK})?\b"
    rf"|\b(?:on|by|before|until)\s+the\s+{_ORD_WORD}\b(?:\s*,?\s*{_CLOCK})?"
    rf"|\b{_CLOCK}(?:\s+(?:on\s+)?(?:{_DAY}|tomorrow|today))?\b",
    re.IGNORECASE,
)
# Words that make a bare clock a time of day ("at two" could be "at two
# locations"): the clock must end the phrase or come with a day.
_BARE_CLOCK_TAIL = re.compile(r"^\s*(?:[.,;:?!]|$|o'clock|am\b|pm\b|thirty\b|then\b|works?\b|"
                              r"on\b|tomorrow\b|today\b|is\b|tuesday|monday|wednesday|thursday|"
                              r"friday|would\b|could\b|sounds?\b|if\b|and\b|or\b|your\b|my\b|"
                              r"their time|our time|eastern|pacific|central)")

# The same pattern for lower-case ASCII text: case-insensitive matching makes
# this long alternation several times slower.
_DUE_LOWER = re.compile(DUE_PHRASE.pattern)
_LEAD = re.compile(r"^(?:by|before|on|until|for|in|during|over)\s+")


def find_due_phrase(text: str) -> str | None:
    """The first date words in the text, as said ("by next Friday at 3")."""
    lowered = text.lower() if text.isascii() else None
    pattern = _DUE_LOWER if lowered is not None else DUE_PHRASE
    for found in pattern.finditer(lowered if lowered is not None else text):
        phrase = text[found.start():found.end()].strip(" ,")
        if _is_bare_clock(phrase) and not _BARE_CLOCK_TAIL.match(text[found.end():]):
            continue  # "at two locations", "by five people"
        if phrase.lower() == "may" and not _month_context(text, found.start()):
            continue
        return phrase
    return None


_BARE_CLOCK = re.compile(rf"(?i)(?:at|around|by|from)\s+(?:\d{{1,2}}|{_HOUR_WORD})"
                         r"(?:\s+(?:thirty|fifteen|forty-five))?")


def _is_bare_clock(phrase: str) -> bool:
    """ "at two", "by 5": a time only when what follows says so."""
    return _BARE_CLOCK.fullmatch(phrase) is not None and "noon" not in phrase.lower()


def _month_context(text: str, start: int) -> bool:
    return re.search(r"(?i)\b(?:in|by|early|late|mid|end of|until|before)\s+$", text[:start]) is not None


def resolve(phrase: str, call_date: datetime) -> tuple[datetime | None, bool]:
    """The due datetime for a phrase said on `call_date`, and whether a time was said."""
    return _resolve_cached(phrase.lower().strip(), call_date.replace(second=0, microsecond=0))


@lru_cache(maxsize=4096)
def _resolve_cached(phrase: str, base: datetime) -> tuple[datetime | None, bool]:
    said = " ".join(phrase.replace("-", " ").split())
    clock, rest = _clock(said)
    text = _LEAD.sub("", rest.strip())
    day = _day(text, base.date())
    if day is None and clock is None:
        return _dateparser(text, base)
    if day is None:  # "at 3" alone: today if still ahead, else tomorrow
        assert clock is not None
        day = base.date() if clock > base.time() else base.date() + timedelta(days=1)
    if clock is None:
        part = next((hour for pattern, hour in _PARTS_OF_DAY if re.search(pattern, text)), None)
        if part is None:
            return datetime.combine(day, time(0)), False
        return datetime.combine(day, time(part)), True
    return datetime.combine(day, clock), True


# A part of the day stands for a time: "tomorrow morning" is 09:00, "tonight"
# and "end of day" the end of the working day.
_PARTS_OF_DAY = ((r"\bmorning\b", 9), (r"\blunch", 12), (r"\bafternoon\b", 14),
                 (r"\bevening\b", 18), (r"\btonight\b|end of (?:the )?day|\beod\b", 17))


def _dateparser(text: str, base: datetime) -> tuple[datetime | None, bool]:
    import dateparser  # slow import, deferred until a phrase needs it

    parsed = dateparser.parse(text, languages=["en"],
                              settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future"})
    if parsed is None:
        return None, False
    return datetime.combine(parsed.date(), time(0)), False


def _weekday(word: str) -> int | None:
    if word in _WEEKDAYS:
        return _WEEKDAYS.index(word)
    return _DAY_ABBREV.get(word)


def _month(word: str) -> int | None:
    if word in _MONTHS:
        return _MONTHS.index(word) + 1
    return _MONTH_ABBREV.get(word)


def _ordinal(word: str) -> int | None:
    digits = re.match(r"(\d{1,2})(?:st|nd|rd|th)?$", word)
    if digits:
        return int(digits.group(1))
    word = word.replace("-", " ")
    if word in _ORDINALS:
        return _ORDINALS.index(word) + 1
    if word == "twentieth":
        return 20
    if word == "thirtieth":
        return 30
    tens, _, unit = word.partition(" ")
    if tens in ("twenty", "thirty") and unit in _ORDINALS[:9]:
        return (20 if tens == "twenty" else 30) + _ORDINALS.index(unit) + 1
    return None


def _next_weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _monday(today: date, weeks: int = 0) -> date:
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)


def _end_of_month(year: int, month: int) -> date:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def _day(text: str, today: date) -> date | None:
    for finder in (_from_now_day, _relative_day, _weekday_day, _period_day, _span_day, _calendar_day):
        found = finder(text, today)
        if found is not None:
            return found
    return None


def _from_now_day(text: str, today: date) -> date | None:
    """ "A week from today", "two weeks from now" (counted like "in two
    weeks"); "the week after next" is the Monday two weeks on."""
    if re.search(r"\bthe week after next\b", text):
        return _monday(today, 2)
    found = re.search(r"\b(.+?) (day|week|month)s? from (now|today|tomorrow)\b", text)
    if not found:
        return None
    start = today + timedelta(days=1) if found.group(3) == "tomorrow" else today
    return _span_day(f"{found.group(1)} {found.group(2)}", start)


def _relative_day(text: str, today: date) -> date | None:
    if re.search(r"\btomorrow\b", text):
        return today + timedelta(days=1)
    if re.search(r"\b(today|tonight|eod|later today|this (morning|afternoon|evening)|before lunch|"
                 r"hang up|after (this|the|our) call|minutes|lunch)\b|^end of (the )?day$", text):
        return today
    return None


def _weekday_day(text: str, today: date) -> date | None:
    found = re.search(rf"\b(next |this |coming |this coming )?({_DAY})\b( next week)?", text)
    if not found:
        return None
    weekday = _weekday(found.group(2))
    if weekday is None:
        return None
    if found.group(1) == "next " or found.group(3):
        return _monday(today, 1) + timedelta(days=weekday)
    if found.group(1) in ("this ",) and weekday > today.weekday():
        return _monday(today) + timedelta(days=weekday)
    return _next_weekday(today, weekday)


def _period_day(text: str, today: date) -> date | None:
    """End of / early / next: week, month, quarter, year."""
    found = re.search(r"\b(end of (?:the |this )?(next )?|(early |later |late |mid )?"
                      r"(next|this|the following|this coming) )(week|month|quarter|year)\b", text)
    if not found and re.search(r"\beow\b", text):
        return _monday(today) + timedelta(days=4)
    if not found and re.search(r"\beom\b", text):
        return _end_of_month(today.year, today.month)
    if not found:
        return None
    is_end = found.group(1).startswith("end")
    later = bool(found.group(2)) or found.group(4) in ("next", "the following")
    unit = found.group(5)
    if unit == "week":
        monday = _monday(today, 1 if later else 0)
        return monday + timedelta(days=4) if is_end or not later else monday
    if unit == "month":
        month = today.month + (1 if later else 0)
        if is_end or not later:
            return _end_of_month(today.year, month)
        return date(today.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    if unit == "quarter":
        last = ((today.month - 1) // 3 + 1) * 3 + (3 if later else 0)
        if is_end or not later:
            return _end_of_month(today.year, last)
        return date(today.year + (last - 3) // 12, (last - 3) % 12 + 1, 1)
    return date(today.year + later, 12, 31) if is_end or not later else date(today.year + 1, 1, 1)


def _span_day(text: str, today: date) -> date | None:
    found = re.search(r"(?:^|\b(?:in|within) )(?:the next )?(\d+|a couple of|couple of|a few|few|an|a|"
                      r"one|two|three|four|five|six|seven|eight|nine|ten) (?:business |working )?"
                      r"(day|week|month)s?\b", text)
    if not found:
        return None
    count = int(found.group(1)) if found.group(1).isdigit() else _NUMBERS[found.group(1)]
    if found.group(2) == "day":
        return today + timedelta(days=count)
    if found.group(2) == "week":
        return today + timedelta(weeks=count)
    month = today.month + count
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, min(today.day, _end_of_month(year, month).day))


def _calendar_day(text: str, today: date) -> date | None:
    """Month names and ordinals: "March 20th", "the 18th", "the fifth of June", "in May"."""
    iso = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", text)
    if iso:
        return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    month, day = None, None
    for word in re.findall(r"(?:twenty|thirty) (?:first|second|third|fourth|fifth|sixth|seventh|"
                           r"eighth|ninth)|[a-z0-9]+", text):
        month = month or _month(word)
        if day is None and not _month(word):
            day = _ordinal(word)
    if re.search(r"\b(?:first|second|last) week of\b", text) and month:
        start = date(today.year + (month < today.month), month, 1)
        if "last week" in text:
            return _end_of_month(start.year, month) - timedelta(days=6)
        return start + timedelta(weeks=1 if "second week" in text else 0)
    if day is None and month is None:
        return None
    if day is None:
        assert month is not None
        day = 15 if re.search(r"\bmid\b", text) else 1
        if re.search(r"\b(end of|late)\b", text):
            return _end_of_month(today.year + (month < today.month), month)
    if month is None:
        month = today.month if day >= today.day else today.month % 12 + 1
        year = today.year + (month < today.month)
    else:
        year = today.year + ((month, day) < (today.month, today.day))
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _clock(text: str) -> tuple[time | None, str]:
    """The time of day said, and the text without it."""
    found = re.search(r"\b(?:at|around|by|from) (\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|o'clock)?"
                      r"|\b(?:at|around|by|from) (one|two|three|four|five|six|seven|eight|nine|ten|"
                      r"eleven|twelve|noon)(?: (thirty|fifteen|forty five))?(?: (am|pm))?", text)
    if not found:
        return None, text
    rest = text[: found.start()] + text[found.end():]
    if found.group(4) == "noon":
        return time(12), rest
    hour = int(found.group(1)) if found.group(1) else _NUMBERS[found.group(4)]
    minutes = int(found.group(2) or 0) if found.group(1) else {
        None: 0, "thirty": 30, "fifteen": 15, "forty five": 45}[found.group(5)]
    suffix = (found.group(3) or found.group(6) or "").replace(".", "")
    if hour > 23 or minutes > 59:
        return None, rest
    if suffix == "pm" and hour < 12:
        hour += 12
    elif suffix == "am" and hour == 12:
        hour = 0
    elif not suffix or suffix == "o'clock":
        # Business hours: "at 3" on a sales call means 3 pm; 8 to 11 the morning.
        hour = hour + 12 if 1 <= hour <= 7 else hour
    return time(hour, minutes), rest


def weekday_name(value: date) -> str:
    return _WEEKDAYS[value.weekday()]
