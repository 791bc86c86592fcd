"""Reps' mailboxes read by IMAP: connection (secret encrypted), how far each folder
was read, and every message that concerned a contact with what Ember did with it

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mailboxes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE",
                                                          name="fk_mailboxes_user_id_users"), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("security", sa.String(10), nullable=False),
        sa.Column("username", sa.String(320), nullable=False),
        sa.Column("auth", sa.String(10), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("inbox_folder", sa.String(200), nullable=False),
        sa.Column("sent_folder", sa.String(200), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_mailboxes"),
        sa.UniqueConstraint("user_id", name="uq_mailboxes_user_id"),
    )
    op.create_table(
        "mailbox_folders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mailbox_id", sa.Integer(), sa.ForeignKey("mailboxes.id", ondelete="CASCADE",
                                                             name="fk_mailbox_folders_mailbox_id_mailboxes"),
                  nullable=False),
        sa.Column("folder", sa.String(200), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_mailbox_folders"),
        sa.UniqueConstraint("mailbox_id", "folder", name="uq_mailbox_folders_mailbox_id_folder"),
    )
    op.create_table(
        "inbound_mails",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mailbox_id", sa.Integer(), sa.ForeignKey("mailboxes.id", ondelete="CASCADE",
                                                             name="fk_inbound_mails_mailbox_id_mailboxes"),
                  nullable=False),
        sa.Column("folder", sa.String(200), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.String(300), nullable=True),
        sa.Column("from_email", sa.String(320), nullable=True),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contact_id", sa.Integer(), sa.ForeignKey("contacts.id", ondelete="SET NULL",
                                                             name="fk_inbound_mails_contact_id_contacts"),
                  nullable=True),
        sa.Column("outbound_message_id", sa.Integer(),
                  sa.ForeignKey("outbound_messages.id", ondelete="SET NULL",
                                name="fk_inbound_mails_outbound_message_id_outbound_messages"), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("return_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("touch_id", sa.Integer(), sa.ForeignKey("touches.id", ondelete="SET NULL",
                                                           name="fk_inbound_mails_touch_id_touches"), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_inbound_mails"),
        sa.UniqueConstraint("mailbox_id", "folder", "uidvalidity", "uid",
                            name="uq_inbound_mails_mailbox_id_folder_uidvalidity_uid"),
    )
    op.create_index("ix_inbound_mails_mailbox_id", "inbound_mails", ["mailbox_id"])
    op.create_index("ix_inbound_mails_message_id", "inbound_mails", ["message_id"])
    op.create_index("ix_inbound_mails_contact_id", "inbound_mails", ["contact_id"])
    # Replies and bounces name Ember's own messages by Message-ID.
    op.create_index("ix_outbound_messages_message_id", "outbound_messages", ["message_id"])


def downgrade() -> None:
    op.drop_index("ix_outbound_messages_message_id", "outbound_messages")
    op.drop_table("inbound_mails")
    op.drop_table("mailbox_folders")
    op.drop_table("mailboxes")
