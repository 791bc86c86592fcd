"""Alerts by contact and time (the nurture funnel's "alerted again"); planned touches by deal; a deal's touches covered

Revision ID: 0020
Revises: 0016
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0016"  # the chain runs 0019 -> 0016
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The team page asks, for every contact put on the nurture list, whether an alert came for
    # them afterwards. Without an index on the contact that was a scan of every alert per
    # membership: hours on a million contacts. With it, one short range each.
    #
    # The alerts table stays small next to the touches, so a plain CREATE INDEX holds the write
    # lock for seconds at most. An installation that cannot pause alert writes even that long
    # creates the index beforehand, outside any transaction, with
    #   CREATE INDEX CONCURRENTLY ix_alerts_contact_created ON alerts (contact_id, created_at);
    # and this step then finds it and does nothing.
    op.create_index("ix_alerts_contact_created", "alerts", ["contact_id", "created_at"], if_not_exists=True)
    # A contact's page reads the multithreading plans of the contact's deals, and replanning a deal
    # finds its open plans: by deal, which no index led to, so each was a scan of every plan
    # (about 50 ms on a million contacts, on every contact page). The same note applies: the
    # index can be made beforehand with CREATE INDEX CONCURRENTLY, and this step then skips it.
    op.create_index("ix_planned_touches_deal_status", "planned_touches", ["deal_id", "status"], if_not_exists=True)

    # The team numbers count each ended deal's follow-ups and look for a "said no" among its
    # touches: through the deal index alone, every one of those touches was read from the table
    # (2.1 s CPU for 500,000 deals and ten million touches; 0.95 s with this index). It starts
    # with the deal, so it serves everything the plain deal index did, which goes.
    # On PostgreSQL this one is over the largest table: build it beforehand with
    #   CREATE INDEX CONCURRENTLY ix_touches_deal_outcome_label ON touches (deal_id, outcome, label, occurred_at);
    # so that writes to touches are not held up while it builds; this step then skips it.
    op.create_index("ix_touches_deal_outcome_label", "touches", ["deal_id", "outcome", "label", "occurred_at"],
                    if_not_exists=True)
    op.drop_index("ix_touches_deal_id", table_name="touches")


def downgrade() -> None:
    op.create_index("ix_touches_deal_id", "touches", ["deal_id"])
    op.drop_index("ix_touches_deal_outcome_label", table_name="touches")
    op.drop_index("ix_planned_touches_deal_status", table_name="planned_touches")
    op.drop_index("ix_alerts_contact_created", table_name="alerts")
