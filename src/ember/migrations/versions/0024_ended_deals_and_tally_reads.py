"""Ended deals read from an index of their own; activity counts by month first; first conversations of every rep together

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
    # First conversations of every rep together under rep 0, as the connect rates are: the
    # all-teams view reads a few rows instead of every rep's. Added up from the rows already
    # counted, so the cursor stays where it is.
    op.execute("INSERT INTO ftc_tallies (rep_id, attempt, month, contacts) "
               "SELECT 0, attempt, month, sum(contacts) FROM ftc_tallies GROUP BY attempt, month")


def downgrade() -> None:
    op.execute("DELETE FROM ftc_tallies WHERE rep_id = 0")
    op.drop_index("ix_activity_tallies_month", table_name="activity_tallies")
    op.drop_index("ix_deals_ended", table_name="deals")
