"""Running counts of the touches, kept so the team numbers need not read every touch each time.

They are derived data: everything in them can be recounted from the touches
(``ember db recount --from-start``, or the workers' nightly recount), and a reader adds the touches
not folded in yet, so a count is never behind what the touches say.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ember.models.base import Base, utcnow


class TallyCursor(Base):
    """How far the counts have read the touches: each touch with an id up to ``last_touch_id`` is in them."""

    __tablename__ = "tally_cursors"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_touch_id: Mapped[int] = mapped_column(default=0)
    # What the counts depend on besides the touches (the outcomes that count as a conversation):
    # when it changes, the counts are recounted from the start.
    basis: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CallHourTally(Base):
    """Calls and connects by rep, UTC month and the prospect's local weekday and hour."""

    __tablename__ = "call_hour_tallies"
    # Rows stored in key order on SQLite: a sum over a rep's months reads them in place.
    __table_args__ = {"sqlite_with_rowid": False}

    # The key ends with the month, so a reader summing months by (weekday, hour) walks the key in order.
    rep_id: Mapped[int] = mapped_column(primary_key=True)  # 0: every rep together (the all-teams view)
    weekday: Mapped[int] = mapped_column(primary_key=True)  # 0 = Monday, the prospect's own
    hour: Mapped[int] = mapped_column(primary_key=True)  # the prospect's own
    month: Mapped[date] = mapped_column(primary_key=True)  # first day of the UTC month the calls were in
    calls: Mapped[int] = mapped_column(default=0)
    connects: Mapped[int] = mapped_column(default=0)


class ActivityTally(Base):
    """Touches by rep, UTC month, channel and outcome."""

    __tablename__ = "activity_tallies"
    # The month first as well: the all-history rows (month ALL_TIME) and the months since a date are one range.
    __table_args__ = (Index("ix_activity_tallies_month", "month", "rep_id", "channel", "outcome", "touches"),
                      {"sqlite_with_rowid": False})

    rep_id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(40), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    touches: Mapped[int] = mapped_column(default=0)


class FtcTally(Base):
    """First conversations by rep, UTC month and the first-time-call attempt that got through."""

    __tablename__ = "ftc_tallies"
    __table_args__ = {"sqlite_with_rowid": False}

    rep_id: Mapped[int] = mapped_column(primary_key=True)  # 0: every rep together (the all-teams view)
    attempt: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    contacts: Mapped[int] = mapped_column(default=0)


class DealTouchTally(Base):
    """A deal's follow-up touches and its "said no" touches, as counted so far."""

    __tablename__ = "deal_touch_tallies"

    deal_id: Mapped[int] = mapped_column(primary_key=True)
    follow_ups: Mapped[int] = mapped_column(default=0)
    said_no: Mapped[int] = mapped_column(default=0)


class DealEndTally(Base):
    """Ended deals (closed, or stalled while open) by owner, UTC month ended, outcome, "said no" and
    follow-ups: what ``deal_touch_tallies`` and the deal rows say, added up, so the team numbers read
    a few rows instead of every ended deal."""

    __tablename__ = "deal_end_tallies"
    __table_args__ = {"sqlite_with_rowid": False}

    owner_id: Mapped[int] = mapped_column(primary_key=True)  # 0: every owner together (the all-teams view)
    month: Mapped[date] = mapped_column(primary_key=True)  # 0001-01-01: a deal with an outcome but no date
    outcome: Mapped[str] = mapped_column(String(10), primary_key=True)  # "": stalled, no outcome
    said_no: Mapped[bool] = mapped_column(primary_key=True)
    follow_ups: Mapped[int] = mapped_column(primary_key=True)
    deals: Mapped[int] = mapped_column(default=0)


class DealCycleTally(Base):
    """Closed deals by owner, UTC month closed, outcome and whole days from creation to close."""

    __tablename__ = "deal_cycle_tallies"
    __table_args__ = {"sqlite_with_rowid": False}

    owner_id: Mapped[int] = mapped_column(primary_key=True)  # 0: every owner together
    month: Mapped[date] = mapped_column(primary_key=True)
    outcome: Mapped[str] = mapped_column(String(10), primary_key=True)
    days: Mapped[int] = mapped_column(primary_key=True)  # as the engine counts them: may be negative
    deals: Mapped[int] = mapped_column(default=0)


class CallDayTally(Base):
    """Every rep's calls and connects together by UTC day and the prospect's local weekday and hour:
    a period that starts within a month reads that month's whole days from here."""

    __tablename__ = "call_day_tallies"
    __table_args__ = {"sqlite_with_rowid": False}

    day: Mapped[date] = mapped_column(primary_key=True)  # the key starts with the day: a run of days is one range
    weekday: Mapped[int] = mapped_column(primary_key=True)  # 0 = Monday, the prospect's own
    hour: Mapped[int] = mapped_column(primary_key=True)  # the prospect's own
    calls: Mapped[int] = mapped_column(default=0)
    connects: Mapped[int] = mapped_column(default=0)


class FtcDayTally(Base):
    """Every rep's first conversations together by UTC day and the first-time-call attempt that got through."""

    __tablename__ = "ftc_day_tallies"
    __table_args__ = {"sqlite_with_rowid": False}

    day: Mapped[date] = mapped_column(primary_key=True)
    attempt: Mapped[int] = mapped_column(primary_key=True)
    contacts: Mapped[int] = mapped_column(default=0)
