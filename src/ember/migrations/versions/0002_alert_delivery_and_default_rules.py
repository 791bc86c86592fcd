"""alert delivery schedule and default trigger rules

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 17:26:42.612659
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import ember.models.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The default trigger rules as of this revision (team_id NULL: everyone's).
# Written out here rather than imported, so the migration never changes later.
_RULES = [
    ("Pricing page visit", "page_view", "*/pricing*", 1, 168, "any"),
    ("Demo page visit", "page_view", "*/demo*", 1, 168, "any"),
    ("Case study read", "page_view", "*/case-stud*, */customers/*", 1, 168, "any"),
    ("Back on the site three times in a day", "page_view", None, 3, 24, "nurture"),
    ("Newsletter subscription", "newsletter_subscribe", None, 1, 168, "any"),
    ("Podcast subscription", "podcast_subscribe", None, 1, 168, "any"),
    ("Webinar or event RSVP", "webinar_rsvp", None, 1, 168, "any"),
    ("Shared our content", "content_share", None, 1, 168, "any"),
    ("Used the demo", "demo_use", None, 1, 168, "any"),
    ("Replied to an email", "email_reply", None, 1, 168, "any"),
    ("Clicked a link in an email", "email_click", None, 1, 168, "any"),
]


def upgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", ember.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_alerts_status_next", ["status", "next_attempt_at"], unique=False)

    rules = sa.table(
        "trigger_rules",
        sa.column("name", sa.String), sa.column("event_type", sa.String), sa.column("url_pattern", sa.String),
        sa.column("min_count", sa.Integer), sa.column("window_hours", sa.Integer), sa.column("audience", sa.String),
        sa.column("is_active", sa.Boolean), sa.column("created_at", ember.models.base.UTCDateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    op.bulk_insert(rules, [
        {"name": name, "event_type": type_, "url_pattern": pattern, "min_count": count, "window_hours": hours,
         "audience": audience, "is_active": True, "created_at": now}
        for name, type_, pattern, count, hours, audience in _RULES
    ])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM trigger_rules WHERE team_id IS NULL"))
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_alerts_status_next")
        batch_op.drop_column("next_attempt_at")
