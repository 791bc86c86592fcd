"""Running counts of the ended deals (by owner, month, outcome, "said no" and follow-ups) and of cycle lengths

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNDATED = "0001-01-01"  # a deal with an outcome but no date it ended


def upgrade() -> None:
    op.create_table(
        "deal_end_tallies",
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("said_no", sa.Boolean(), nullable=False),
        sa.Column("follow_ups", sa.Integer(), nullable=False),
        sa.Column("deals", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "month", "outcome", "said_no", "follow_ups",
                                name=op.f("pk_deal_end_tallies")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "deal_cycle_tallies",
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("deals", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "month", "outcome", "days", name=op.f("pk_deal_cycle_tallies")),
        sqlite_with_rowid=False,
    )
    _backfill(op.get_bind().dialect.name)


def _backfill(dialect: str) -> None:
    """Counted from the deals and the follow-ups already counted per deal, so the cursor stays where it
    is: each owner's rows, then every owner's together under owner 0."""
    if dialect == "sqlite":
        def month(column: str) -> str:
            return f"substr({column}, 1, 7) || '-01'"
        days = "CAST(julianday(closed_at) - julianday(created_at) AS INTEGER)"
        undated = f"'{UNDATED}'"
    else:
        def month(column: str) -> str:
            return f"CAST(date_trunc('month', timezone('UTC', {column})) AS DATE)"
        days = "CAST(floor(extract(epoch FROM closed_at - created_at) / 86400) AS INTEGER)"
        undated = f"DATE '{UNDATED}'"
    op.execute(
        "INSERT INTO deal_end_tallies (owner_id, month, outcome, said_no, follow_ups, deals) "
        "SELECT owner_id, month, outcome, said_no, follow_ups, count(*) FROM ("
        f" SELECT d.owner_id AS owner_id, coalesce({month('coalesce(d.closed_at, d.stalled_at)')}, {undated}) AS month,"
        "  coalesce(d.outcome, '') AS outcome, coalesce(t.said_no, 0) > 0 AS said_no,"
        "  coalesce(t.follow_ups, 0) AS follow_ups"
        " FROM deals d LEFT JOIN deal_touch_tallies t ON t.deal_id = d.id"
        " WHERE d.outcome IS NOT NULL OR d.stalled_at IS NOT NULL) ended"
        " GROUP BY owner_id, month, outcome, said_no, follow_ups")
    op.execute(
        "INSERT INTO deal_cycle_tallies (owner_id, month, outcome, days, deals) "
        f"SELECT owner_id, {month('closed_at')}, outcome, {days}, count(*) FROM deals"
        " WHERE outcome IS NOT NULL AND closed_at IS NOT NULL"
        f" GROUP BY owner_id, {month('closed_at')}, outcome, {days}")
    op.execute("INSERT INTO deal_end_tallies (owner_id, month, outcome, said_no, follow_ups, deals) "
               "SELECT 0, month, outcome, said_no, follow_ups, sum(deals) FROM deal_end_tallies "
               "GROUP BY month, outcome, said_no, follow_ups")
    op.execute("INSERT INTO deal_cycle_tallies (owner_id, month, outcome, days, deals) "
               "SELECT 0, month, outcome, days, sum(deals) FROM deal_cycle_tallies GROUP BY month, outcome, days")


def downgrade() -> None:
    op.drop_table("deal_cycle_tallies")
    op.drop_table("deal_end_tallies")
