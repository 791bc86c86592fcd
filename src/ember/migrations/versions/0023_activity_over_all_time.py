"""Each rep's activity counted over all time as well, beside the months

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The all-history view read one row per rep, channel, outcome and month (half a million on
    # ten million touches); a row per rep, channel and outcome under the month 0001-01-01 holds
    # the same sum. Added up from the months already counted, so the cursor stays where it is.
    # SQLite keeps dates as text; PostgreSQL needs the literal typed as a date.
    all_time = "DATE '0001-01-01'" if op.get_bind().dialect.name == "postgresql" else "'0001-01-01'"
    op.execute("INSERT INTO activity_tallies (rep_id, channel, outcome, month, touches) "
               f"SELECT rep_id, channel, outcome, {all_time}, sum(touches) FROM activity_tallies "
               "GROUP BY rep_id, channel, outcome")


def downgrade() -> None:
    op.execute("DELETE FROM activity_tallies WHERE month = '0001-01-01'")
