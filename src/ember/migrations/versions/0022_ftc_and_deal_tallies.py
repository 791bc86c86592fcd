"""Running counts of first conversations by attempt, and of each deal's follow-ups and "said no" touches

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ftc_tallies",
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("contacts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("rep_id", "attempt", "month", name=op.f("pk_ftc_tallies")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "deal_touch_tallies",
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("follow_ups", sa.Integer(), nullable=False),
        sa.Column("said_no", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("deal_id", name=op.f("pk_deal_touch_tallies")),
    )
    # The touches already folded in are not in the new tables: without a cursor, the next fold
    # empties every count and starts from the first touch.
    op.execute("DELETE FROM tally_cursors")


def downgrade() -> None:
    op.drop_table("deal_touch_tallies")
    op.drop_table("ftc_tallies")
    op.execute("DELETE FROM tally_cursors")
