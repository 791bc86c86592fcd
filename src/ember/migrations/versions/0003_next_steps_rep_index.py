"""Index next steps by rep, status and due time (the Today queue reads them that way)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_next_steps_rep_status_due", "next_steps", ["rep_id", "status", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_next_steps_rep_status_due", table_name="next_steps")
