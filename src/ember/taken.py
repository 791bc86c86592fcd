"""One answer for a unique value that is already in use, whoever's record holds it."""

from __future__ import annotations

from ember.errors import Conflict, Problem


def check_external_id_free(holder: int | None, own_id: int | None = None) -> None:
    """CRM ids are unique per kind of record: ``holder`` is the record that already has the id, if any.
    Refused with a 409 that names no other record, so the answer is the same for a record the caller can
    see and one they cannot."""
    if holder is not None and holder != own_id:
        raise Conflict("this external id is already used by another record",
                       [Problem("external_id", "already used by another record",
                                "use the id your CRM gives this record, or leave it out")])
