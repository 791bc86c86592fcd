"""Message variants, follow-up templates and customer stories belong to a team or are shared:
what exists becomes the shared default, and a manager's edit makes her team's own copy

Revision ID: 0016
Revises: 0019
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every row there is today was written for everyone: it becomes the shared default.
    op.execute(sa.text("UPDATE message_variants SET team_id = NULL"))
    with op.batch_alter_table("message_variants") as batch:
        batch.add_column(sa.Column("scope", sa.String(20), nullable=False, server_default="*"))
        batch.drop_constraint("uq_message_variants_key", type_="unique")
        batch.create_unique_constraint("uq_message_variants_scope_key", ["scope", "key"])
    with op.batch_alter_table("compose_templates") as batch:
        batch.add_column(sa.Column("scope", sa.String(20), nullable=False, server_default="*"))
        batch.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_compose_templates_team_id_teams", "teams", ["team_id"], ["id"],
                                 ondelete="CASCADE")
        batch.drop_constraint("uq_compose_templates_name", type_="unique")
        batch.create_unique_constraint("uq_compose_templates_scope_name", ["scope", "name"])
    with op.batch_alter_table("proof_points") as batch:
        batch.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("hidden", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_foreign_key("fk_proof_points_team_id_teams", "teams", ["team_id"], ["id"], ondelete="CASCADE")
        batch.create_foreign_key("fk_proof_points_replaces_id_proof_points", "proof_points", ["replaces_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_unique_constraint("uq_proof_points_team_id_replaces_id", ["team_id", "replaces_id"])
        batch.create_index("ix_proof_points_team_id", ["team_id"])


def downgrade() -> None:
    # Teams' own copies have no place in a shared-only library: they go, the shared rows stay.
    op.execute(sa.text("DELETE FROM proof_points WHERE team_id IS NOT NULL"))
    op.execute(sa.text("DELETE FROM compose_templates WHERE scope <> '*'"))
    op.execute(sa.text("DELETE FROM message_variants WHERE scope <> '*'"))
    with op.batch_alter_table("proof_points") as batch:
        batch.drop_index("ix_proof_points_team_id")
        batch.drop_constraint("uq_proof_points_team_id_replaces_id", type_="unique")
        batch.drop_constraint("fk_proof_points_replaces_id_proof_points", type_="foreignkey")
        batch.drop_constraint("fk_proof_points_team_id_teams", type_="foreignkey")
        batch.drop_column("hidden")
        batch.drop_column("replaces_id")
        batch.drop_column("team_id")
    with op.batch_alter_table("compose_templates") as batch:
        batch.drop_constraint("uq_compose_templates_scope_name", type_="unique")
        batch.create_unique_constraint("uq_compose_templates_name", ["name"])
        batch.drop_constraint("fk_compose_templates_team_id_teams", type_="foreignkey")
        batch.drop_column("team_id")
        batch.drop_column("scope")
    with op.batch_alter_table("message_variants") as batch:
        batch.drop_constraint("uq_message_variants_scope_key", type_="unique")
        batch.create_unique_constraint("uq_message_variants_key", ["key"])
        batch.drop_column("scope")
