"""Indexes for the team numbers (ended deals, a rep's touches by time, activity counts by month); every rep's first conversations together

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Follow-ups to close, give-up points, cycle lengths and stalled deals read these columns of
    # every ended deal: from this index alone, not from the deal rows with their names and notes.
    op.create_index("ix_deals_ended", "deals", ["outcome", "stalled_at", "closed_at", "created_at", "owner_id"])
    # The all-history activity sits under one month (0001-01-01), the last column of the key: with
    # the month first, a read of it (or of the months since a date) is one range, not the whole table.
    op.create_index("ix_activity_tallies_month", "activity_tallies",
                    ["month", "rep_id", "channel", "outcome", "touches"])
    # A rep's touches by time, with what the team numbers count of them: the touches of a period's
    # first partial month (and those not folded in yet) are one range of this index per rep. The
    # report index put the time after channel, outcome and label, so SQLite, reading from it alone,
    # walked every touch of every rep to find one month's. (rep_id, occurred_at) is its prefix.
    op.create_index("ix_touches_rep_time", "touches",
                    ["rep_id", "occurred_at", "channel", "outcome", "label", "contact_id"])
    op.drop_index("ix_touches_report", table_name="touches")
    op.drop_index("ix_touches_rep_occurred", table_name="touches")
    # First conversations of every rep together under rep 0, as the connect rates are: the
    # all-teams view reads a few rows instead of every rep's. Added up from the rows already
    # counted, so the cursor stays where it is.
    op.execute("INSERT INTO ftc_tallies (rep_id, attempt, month, contacts) "
               "SELECT 0, attempt, month, sum(contacts) FROM ftc_tallies GROUP BY attempt, month")


def downgrade() -> None:
    op.create_index("ix_touches_rep_occurred", "touches", ["rep_id", "occurred_at"])
    op.create_index("ix_touches_report", "touches",
                    ["rep_id", "channel", "outcome", "label", "occurred_at", "contact_id"])
    op.drop_index("ix_touches_rep_time", table_name="touches")
    op.execute("DELETE FROM ftc_tallies WHERE rep_id = 0")
    op.drop_index("ix_activity_tallies_month", table_name="activity_tallies")
    op.drop_index("ix_deals_ended", table_name="deals")
