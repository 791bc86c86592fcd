"""Running counts of the touches for the team numbers: calls and connects by the prospect's hour, activity

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The tables start empty: the first refresh (the worker's sweep, or the team page) folds in
    # every touch there is, a few batches at a time; until then the numbers are read from the
    # touches themselves, as before.
    op.create_table(
        "tally_cursors",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("last_touch_id", sa.Integer(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_tally_cursors")),
    )
    op.create_table(
        "call_hour_tallies",
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("connects", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("rep_id", "weekday", "hour", "month", name=op.f("pk_call_hour_tallies")),
        sqlite_with_rowid=False,  # kept in key order: sums over a rep's months read the rows in place
    )
    op.create_table(
        "activity_tallies",
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("outcome", sa.String(40), nullable=False),
        sa.Column("touches", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("rep_id", "channel", "outcome", "month", name=op.f("pk_activity_tallies")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("activity_tallies")
    op.drop_table("call_hour_tallies")
    op.drop_table("tally_cursors")
