"""Record ids as requests give them.

Ids are 64-bit signed integers in both engines: a larger number can name no
record, and passing it on would fail inside the database driver (a server
error, and a way to tell made-up ids from hidden ones). Refused up front with a
clear 422 instead; any id in range that the caller may not see is answered as
a missing record.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Ge, Le

MAX_ID = 2**63 - 1

RecordId = Annotated[int, Ge(-MAX_ID), Le(MAX_ID)]
"""An id in a path, a query or a body."""

Count = Annotated[int, Ge(0), Le(MAX_ID)]
"""An offset or another count a database compares with its integers."""
