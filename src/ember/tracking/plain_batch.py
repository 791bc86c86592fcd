"""A batch that every check would let through, recognised in one pass. Pure.

Nearly every ``/v1/batch`` request is a list of well-formed calls made by a
library. Reading such a body into Python objects and checking each call
(:func:`ember.tracking.segment.checked_batch`) was most of what the request cost.
Here a typed decoder reads only the fields those checks look at, skipping the
rest of each call (its properties and context) without making objects of them,
and a short loop checks what a type cannot say (a time, an id that is only
spaces).

It answers only "certainly fine" or "look closer". Whatever it is unsure of (a
call with a problem, an alias, a time in an unusual spelling, a large call, a
body that is not ASCII) goes to the full checks, which say exactly what is
wrong. So it never lets through what they would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from ember.tracking.segment import MAX_ID, MAX_MESSAGE_BYTES

# Bounds the types enforce, so that a value within them passes segment._id whatever it is.
_Id = (Annotated[str, msgspec.Meta(max_length=MAX_ID)]
       | Annotated[int, msgspec.Meta(ge=-(10**18), le=10**18)] | float | None)
_Time = str | None
# The full checks measure a call by writing it again as compact JSON. From ASCII text that
# never lengthens a string, a literal or the space between them; it can lengthen a number
# at most 4.5-fold ("1e15" is written 1000000000000000.0). A call sent in at most a fifth of
# the limit is therefore within it.
_SURELY_SMALL = MAX_MESSAGE_BYTES // 5


class _Call(msgspec.Struct):
    """The fields of a call the checks read; an alias (which needs two ids) is left to them."""

    type: Literal["track", "page", "screen", "identify", "group"]
    userId: _Id = None
    anonymousId: _Id = None
    messageId: _Id = None
    event: str | None = None
    timestamp: _Time = None
    originalTimestamp: _Time = None
    sentAt: _Time = None


class _Batch(msgspec.Struct):
    batch: list[_Call]
    sentAt: _Time = None
    writeKey: str | None = None  # Segment's own libraries send it here as well as in the header


class _Sizes(msgspec.Struct):
    batch: list[msgspec.Raw]


class _Parts(msgspec.Struct):
    """What the worker reads of a batch, as it was sent."""

    batch: msgspec.Raw
    sentAt: msgspec.Raw = msgspec.Raw(b"null")


_read_batch = msgspec.json.Decoder(_Batch)
_read_sizes = msgspec.json.Decoder(_Sizes)
_read_parts = msgspec.json.Decoder(_Parts)


@dataclass(frozen=True)
class PlainBatch:
    calls: int
    write_key: str | None  # the key the body carries, if it carries one
    text: bytes  # what to keep: the body as it came, less a key it carries (a key is never stored)


def plain_batch(data: bytes) -> PlainBatch | None:
    """The batch in ``data`` when it is certainly acceptable as it is; None when the full checks
    must look at it (they decide; nothing is refused here)."""
    if not data.isascii():  # so that what is kept is valid JSON whatever it is read as
        return None
    try:
        body = _read_batch.decode(data)
    except msgspec.DecodeError:  # not JSON, or a field of another type: the full checks say which
        return None
    if not _is_time(body.sentAt) or not all(_plain(call) for call in body.batch):
        return None
    if len(data) > MAX_MESSAGE_BYTES and not _calls_surely_small(data):
        return None
    return PlainBatch(len(body.batch), body.writeKey, data if body.writeKey is None else _without_key(data))


def _plain(call: _Call) -> bool:
    if call.type == "track" and not (call.event and call.event.strip()):
        return False
    if not (_present(call.userId) or _present(call.anonymousId)):
        return False
    return _is_time(call.timestamp or call.originalTimestamp) and _is_time(call.sentAt)


def _present(value: str | int | float | None) -> bool:
    """Whether the full checks would see an id here (they strip a string's spaces first)."""
    if type(value) is str:
        return bool(value.strip())
    return value is not None


def _is_time(value: str | None) -> bool:
    """An absent time, or one spelt as the full checks read it at first try."""
    if not value:
        return True
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _without_key(data: bytes) -> bytes:
    """The batch and its sentAt as they were sent, without the rest of the body (its key)."""
    parts = _read_parts.decode(data)
    return b'{"batch":' + bytes(parts.batch) + b',"sentAt":' + bytes(parts.sentAt) + b"}"


def _calls_surely_small(data: bytes) -> bool:
    return all(len(call) <= _SURELY_SMALL for call in _read_sizes.decode(data).batch)
