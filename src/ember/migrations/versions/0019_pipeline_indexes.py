"""Indexes for a rep with thousands of open deals: deals by owner, stage and amount; next steps by deal and status

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The pipeline sorts and totals a rep's deals by stage and amount: with the amount in the
    # index, both read the index alone instead of every deal row.
    op.create_index("ix_deals_owner_stage_amount", "deals", ["owner_id", "stage", "amount"])
    op.drop_index("ix_deals_owner_stage", table_name="deals")
    # The open step of each deal on a pipeline page: found by deal and status, not by walking
    # every open step of the team (what the status index alone offered).
    op.create_index("ix_next_steps_deal_status_due", "next_steps", ["deal_id", "status", "due_at"])
    op.drop_index("ix_next_steps_deal_id", table_name="next_steps")


def downgrade() -> None:
    op.create_index("ix_next_steps_deal_id", "next_steps", ["deal_id"])
    op.drop_index("ix_next_steps_deal_status_due", table_name="next_steps")
    op.create_index("ix_deals_owner_stage", "deals", ["owner_id", "stage"])
    op.drop_index("ix_deals_owner_stage_amount", table_name="deals")
