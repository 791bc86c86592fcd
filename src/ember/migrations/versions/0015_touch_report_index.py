"""A covering index for the team numbers: touches by rep, channel, outcome and attempt label

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["rep_id", "channel", "outcome", "label", "occurred_at", "contact_id"]


def upgrade() -> None:
    # Activity, first-time-call attempts and connect rates read only these
    # columns: the dashboard scans this index instead of the wide touch rows.
    op.create_index("ix_touches_report", "touches", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_touches_report", table_name="touches")
