"""Keeping the running counts of the touches up to date.

* ``refresh`` folds in the touches added since the last fold, a batch of ids at
  a time, so its cost follows the new touches, not the history. The worker's
  sweep runs it every minute; the team page and ``ember report`` run it first.
* ``recounting`` wraps a change to touches that are already counted (a touch
  deleted or corrected, a contact's time zone changed, a contact deleted): it
  takes their part out before the change and puts it back after.
* ``recounting_deals`` does the same around a change to deals (closed, re-opened,
  stalled, another owner, deleted), and ``count_new_deals`` after deals are
  added: the ended deals are counted by owner, month, outcome and follow-ups.
* ``recount`` starts over from the first touch: nightly, and whenever the
  outcomes that count as a conversation change, it repairs anything a bulk
  change made behind the counts' back.

Readers call ``folded``: the id up to which every touch is counted, or None
when the counts cannot be used (never folded, or folded with other outcomes).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ember.db import unit_of_work
from ember.tallies import repository as repo
from ember.tallies.repository import TouchRange
from ember.tallies.rules import (
    LocalClock,
    activity_counts,
    basis_of,
    changes,
    cycle_counts,
    day_hour_counts,
    deal_counts,
    ending_counts,
    ftc_counts,
    ftc_day_counts,
    hour_counts,
)

# Touch ids folded per transaction: a few seconds of work at most, so other writers wait little.
BATCH = 250_000
# What a page folds in before it reads: about a second of work, so a page never waits on a long fold.
CATCH_UP = 50_000
# On PostgreSQL a touch is folded once it is this old: a transaction that ran longer than this when
# it wrote a touch could see it passed over until the nightly recount.
SETTLE = timedelta(minutes=5)
log = logging.getLogger(__name__)


def folded(session: Session, outcomes: Iterable[str]) -> int | None:
    """Every touch with an id up to this is in the counts (None: the counts are not usable)."""
    found = repo.cursor(session)
    if found is None or found.basis != basis_of(outcomes):
        return None
    return found.last_touch_id


def _add(session: Session, touches: TouchRange, outcomes: frozenset[str], sign: int) -> None:
    clock = LocalClock()
    calls = repo.call_slices(session, touches, outcomes)
    repo.add_hour_counts(session, hour_counts(calls, clock, sign))
    repo.add_day_hour_counts(session, day_hour_counts(calls, clock, sign))
    repo.add_activity_counts(session, activity_counts(repo.activity_slices(session, touches), sign))
    first_conversations = repo.ftc_slices(session, touches, outcomes)
    repo.add_ftc_counts(session, ftc_counts(first_conversations, sign))
    repo.add_ftc_day_counts(session, ftc_day_counts(first_conversations, sign))
    deals = repo.deal_slices(session, touches)
    with _ending_moves(session, [row.deal_id for row in deals], cycles=False):
        repo.add_deal_counts(session, deal_counts(deals, sign))


@contextmanager
def _ending_moves(session: Session, deal_ids: Collection[int], *, cycles: bool = True) -> Iterator[None]:
    """Around a change to these deals or to their touch counts: the ending (and cycle) counts move by
    the difference between what the deals added up to before and after."""
    if not deal_ids:
        yield
        return
    endings = ending_counts(repo.ending_slices(session, deal_ids))
    cycle = cycle_counts(repo.cycle_slices(session, deal_ids)) if cycles else {}
    yield
    session.flush()
    repo.add_ending_counts(session, changes(endings, ending_counts(repo.ending_slices(session, deal_ids))))
    if cycles:
        repo.add_cycle_counts(session, changes(cycle, cycle_counts(repo.cycle_slices(session, deal_ids))))


def _start_over(session: Session, basis: str, now: datetime) -> None:
    """Empty counts and a cursor at the start; every ended deal counted as having no touches yet (the
    folds add its follow-ups and "said no" touches as they reach them)."""
    repo.start_over(session, basis, now)
    repo.add_ending_counts(session, ending_counts(repo.ending_slices(session, None)))
    repo.add_cycle_counts(session, cycle_counts(repo.cycle_slices(session, None)))


def fold_batch(session: Session, *, batch: int = BATCH, now: datetime | None = None) -> int:
    """Fold in up to ``batch`` touch ids past the cursor; how many ids it covered (0: nothing new,
    or another process is folding the same ones)."""
    now = now or datetime.now(UTC)
    outcomes = repo.conversation_outcomes(session)
    basis = basis_of(outcomes)
    found = repo.cursor(session)
    top = repo.last_touch_id(session)
    # Past the last touch: the newest touches were deleted behind the counts' back (a cascade), and
    # their part cannot be taken out any more. Count again from the start.
    if found is None or found.basis != basis or found.last_touch_id > top:
        _start_over(session, basis, now)
        start = 0
    else:
        start = found.last_touch_id
    if top <= start:
        return 0
    end = _settled(session, start, min(top, start + batch), now)
    if end <= start:
        return 0
    if not repo.move_cursor(session, start=start, end=end, basis=basis, now=now):
        return 0
    _add(session, TouchRange(after_id=start, upto_id=end), outcomes, +1)
    return end - start


def _settled(session: Session, start: int, end: int, now: datetime) -> int:
    """Where the fold may stop so that no touch is passed over: on an engine where a lower id can still
    be in a running transaction, only touches written more than ``SETTLE`` ago are folded (the
    readers count the newer ones themselves)."""
    if repo.commits_in_id_order(session):
        return end
    recent = repo.first_touch_created_after(session, after_id=start, upto_id=end, moment=now - SETTLE)
    return end if recent is None else recent - 1


def refresh(engine: Engine, *, batch: int = BATCH, now: datetime | None = None) -> int:
    """Fold in every touch added since the last fold, one transaction per batch; the ids covered."""
    total = 0
    while True:
        with unit_of_work(engine) as session:
            covered = fold_batch(session, batch=batch, now=now)
        if not covered:
            return total
        total += covered


def catch_up(engine: Engine, *, most: int = CATCH_UP, now: datetime | None = None) -> int:
    """Before a reader counts: fold in what is new, up to ``most`` touch ids (on a history never folded,
    the reader counts the rest itself, and the worker folds it). A database too busy to take the
    write is no error: the reader counts the new touches itself."""
    try:
        with unit_of_work(engine) as session:
            return fold_batch(session, batch=most, now=now)
    except OperationalError as error:
        log.warning("running counts not brought up to date before reading: %s", error)
        return 0


def recount(engine: Engine, *, batch: int = BATCH, now: datetime | None = None) -> int:
    """Count every touch again from the start (until it has caught up, readers count the rest themselves)."""
    with unit_of_work(engine) as session:
        _start_over(session, basis_of(repo.conversation_outcomes(session)), now or datetime.now(UTC))
    return refresh(engine, batch=batch, now=now)


@contextmanager
def recounting(session: Session, *, touch_ids: Iterable[int] | None = None,
               contact_id: int | None = None) -> Iterator[None]:
    """Around a change to some touches (or to what their counts depend on, like their contact's time
    zone): their part of the counts comes out before the change and, as they are after it, back in.
    Only touches already folded in are recounted; later ones are folded as they are when their turn comes."""
    if touch_ids is None and contact_id is None:
        raise ValueError("say which touches change: their ids or their contact")
    found = repo.hold_cursor(session, datetime.now(UTC))
    outcomes = repo.conversation_outcomes(session)
    if found is None or found.basis != basis_of(outcomes):
        yield  # the next fold counts from the start anyway
        session.flush()
        return
    touches = TouchRange(upto_id=found.last_touch_id, contact_id=contact_id,
                         touch_ids=tuple(touch_ids) if touch_ids is not None else None)
    _add(session, touches, outcomes, -1)
    yield
    session.flush()
    _add(session, touches, outcomes, +1)
    repo.cursor_down_to_last_touch(session)  # in case the newest touches went


@contextmanager
def relabelling(session: Session, touch_ids: Iterable[int]) -> Iterator[None]:
    """Around a rewrite of attempt labels: recounted only when touches already folded in are among
    them (labels usually change only on a touch just logged, which no fold has seen yet)."""
    found = repo.cursor(session)
    counted = [i for i in touch_ids if found is not None and i <= found.last_touch_id]
    if not counted:
        yield
        return
    with recounting(session, touch_ids=counted):
        yield


def _deals_counted(session: Session) -> bool:
    """The ending counts are kept up to date (and locked until this transaction ends, so that folds
    and deal changes take turns); when false, the next fold counts every deal from the start anyway."""
    found = repo.hold_cursor(session, datetime.now(UTC))
    return found is not None and found.basis == basis_of(repo.conversation_outcomes(session))


@contextmanager
def recounting_deals(session: Session, deal_ids: Collection[int]) -> Iterator[None]:
    """Around a change to deals (closed, re-opened, stalled, given to another owner, deleted): their
    part of the ending and cycle counts comes out before the change and, as they are after it, back
    in. A deleted deal's touch counts go with it."""
    if not deal_ids or not _deals_counted(session):
        yield
        session.flush()
        return
    with _ending_moves(session, deal_ids):
        yield
    repo.drop_deal_counts(session, deal_ids)


def count_new_deals(session: Session, deal_ids: Collection[int]) -> None:
    """Deals just written (created or imported, already ended or not): their part of the counts goes in."""
    if deal_ids and _deals_counted(session):
        session.flush()
        repo.add_ending_counts(session, ending_counts(repo.ending_slices(session, deal_ids)))
        repo.add_cycle_counts(session, cycle_counts(repo.cycle_slices(session, deal_ids)))
