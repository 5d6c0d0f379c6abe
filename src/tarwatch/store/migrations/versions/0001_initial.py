"""The first schema: runs, polls, tarballs, items (per-item summaries), marks; notify's states,
messages, transitions and deliveries; snoozes.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("now", sa.Float, nullable=False),
        sa.Column("started", sa.Float, nullable=False),
        sa.Column("finished", sa.Float, nullable=True),
        sa.Column("command", sa.Text, nullable=False),
        sa.Column("hubs", sa.Text, nullable=False),
    )
    op.create_table(
        "polls",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("hub", sa.Text, nullable=False),
        sa.Column("node", sa.Text, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("duration", sa.Float, nullable=False),
        sa.Column("root", sa.Text, nullable=True),
        sa.Column("files", sa.Integer, nullable=False),
        sa.Column("complete", sa.Boolean, nullable=False),
        sa.Column("malformed", sa.Integer, nullable=False),
        sa.Column("unfit", sa.Integer, nullable=False),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("added", sa.Integer, nullable=False),
        sa.Column("changed", sa.Integer, nullable=False),
        sa.Column("removed", sa.Integer, nullable=False),
        sa.Column("listing_digest", sa.Text, nullable=True),
    )
    op.create_index("ix_polls_hub_node_at", "polls", ["hub", "node", "at"])
    op.create_table(
        "tarballs",
        sa.Column("node", sa.Text, primary_key=True),
        sa.Column("path", sa.Text, primary_key=True),
        sa.Column("hub", sa.Text, nullable=False),
        sa.Column("item", sa.Text, nullable=False),
        sa.Column("stamp", sa.BigInteger, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("mtime", sa.Float, nullable=False),
        sa.Column("revision", sa.BigInteger, nullable=True),
        sa.Column("digest", sa.Text, nullable=True),
        sa.Column("dna_size", sa.BigInteger, nullable=True),
        sa.Column("md5", sa.Text, nullable=True),
        sa.Column("first_seen", sa.Float, nullable=False),
        sa.Column("last_seen", sa.Float, nullable=False),
        sa.Column("gone", sa.Float, nullable=True),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("hub", sa.Text, nullable=False),
        sa.Column("node", sa.Text, nullable=False),
        sa.Column("item", sa.Text, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("oldest", sa.BigInteger, nullable=False),
        sa.Column("newest_stamp", sa.BigInteger, nullable=False),
        sa.Column("newest_size", sa.BigInteger, nullable=False),
        sa.Column("newest_path", sa.Text, nullable=False),
        sa.Column("newest_revision", sa.BigInteger, nullable=True),
        sa.Column("newest_digest", sa.Text, nullable=True),
        sa.Column("newest_dna_size", sa.BigInteger, nullable=True),
        sa.Column("newest_md5", sa.Text, nullable=True),
        sa.Column("prev_stamp", sa.BigInteger, nullable=True),
        sa.Column("prev_size", sa.BigInteger, nullable=True),
        sa.Column("prev_path", sa.Text, nullable=True),
        sa.Column("dna_bad", sa.Integer, nullable=False),
        sa.Column("dna_bad_stamp", sa.BigInteger, nullable=True),
        sa.Column("dna_bad_size", sa.BigInteger, nullable=True),
        sa.Column("dna_bad_claim", sa.BigInteger, nullable=True),
        sa.Column("manifest", sa.Text, nullable=False),
        sa.Column("manifest_hash", sa.Text, nullable=False),
        sa.Column("updated", sa.Float, nullable=False),
        sa.UniqueConstraint("hub", "node", "item", name="uq_items_hub_node_item"),
    )
    op.create_table(
        "marks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("node", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("hub", sa.Text, nullable=False),
        sa.Column("item", sa.Text, nullable=True),
        sa.Column("target", sa.Text, nullable=True),
        sa.Column("mtime", sa.Float, nullable=True),
        sa.Column("first_seen", sa.Float, nullable=False),
        sa.Column("last_seen", sa.Float, nullable=False),
        sa.Column("gone", sa.Float, nullable=True),
        sa.UniqueConstraint("node", "path", "kind", name="uq_marks_node_path_kind"),
    )

    op.create_table(
        "notify_states",
        sa.Column("hub", sa.Text, primary_key=True),
        sa.Column("node", sa.Text, primary_key=True),
        sa.Column("item", sa.Text, primary_key=True),
        sa.Column("check_name", sa.Text, primary_key=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("since", sa.Float, nullable=False),
        sa.Column("changed", sa.Float, nullable=False),
        sa.Column("told", sa.Float, nullable=True),
    )
    op.create_table(
        "notify_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("hub", sa.Text, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("html", sa.Text, nullable=False),
    )
    op.create_index("ix_notify_messages_hub_kind_at", "notify_messages", ["hub", "kind", "at"])
    op.create_table(
        "notify_transitions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("hub", sa.Text, nullable=False),
        sa.Column("node", sa.Text, nullable=False),
        sa.Column("item", sa.Text, nullable=False),
        sa.Column("check_name", sa.Text, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("change", sa.Text, nullable=False),
        sa.Column("old_status", sa.Text, nullable=True),
        sa.Column("new_status", sa.Text, nullable=True),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("message_id", sa.Integer, sa.ForeignKey("notify_messages.id"), nullable=True),
    )
    op.create_table(
        "notify_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.Integer, sa.ForeignKey("notify_messages.id"), nullable=False),
        sa.Column("channel_id", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_attempt", sa.Float, nullable=True),
        sa.Column("sent", sa.Float, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
    )
    op.create_index("ix_notify_deliveries_state", "notify_deliveries", ["state"])
    op.create_table(
        "snoozes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("hub", sa.Text, nullable=False),
        sa.Column("node", sa.Text, nullable=True),
        sa.Column("item", sa.Text, nullable=True),
        sa.Column("since", sa.Float, nullable=False),
        sa.Column("until", sa.Float, nullable=False),
        sa.Column("why", sa.Text, nullable=False),
        sa.Column("cleared", sa.Float, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("snoozes")
    op.drop_index("ix_notify_deliveries_state", "notify_deliveries")
    op.drop_table("notify_deliveries")
    op.drop_table("notify_transitions")
    op.drop_index("ix_notify_messages_hub_kind_at", "notify_messages")
    op.drop_table("notify_messages")
    op.drop_table("notify_states")
    op.drop_table("marks")
    op.drop_table("items")
    op.drop_table("tarballs")
    op.drop_index("ix_polls_hub_node_at", "polls")
    op.drop_table("polls")
    op.drop_table("runs")
