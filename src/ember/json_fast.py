"""JSON where its speed counts (the tracking intake, event payloads): orjson, else the standard library.

orjson reads a 100-call batch several times faster. It is stricter (UTF-8 only, no NaN,
integers within 64 bits): a body it refuses is read again by the standard library, which
either takes it as before or says what is wrong with it, as before.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(data: bytes | str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)  # the standard library's answer (a value, or its own error) decides


def dumps(value: Any) -> str:
    """Compact JSON text. What orjson refuses (an integer past 64 bits, say) the standard library writes."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return json.dumps(value, separators=(",", ":"))


def verbatim(text: bytes) -> Any:
    """JSON text already made (a request body as it came in), written as it is wherever the value
    holding it is written: not parsed and encoded again. ``text`` must be valid JSON."""
    return orjson.Fragment(text)
