"""The disk each listing's root lives on, as `df -P -k` saw it (total, used, free) together with
the sum of the tarballs kept there, per poll: the history the capacity forecast reads.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("hub", sa.Text, nullable=False),
        sa.Column("node", sa.Text, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("root", sa.Text, nullable=False),
        sa.Column("filesystem", sa.Text, nullable=True),
        sa.Column("mount", sa.Text, nullable=True),
        sa.Column("total", sa.BigInteger, nullable=False),
        sa.Column("used", sa.BigInteger, nullable=False),
        sa.Column("free", sa.BigInteger, nullable=False),
        sa.Column("kept", sa.BigInteger, nullable=True),
    )
    op.create_index("ix_disks_hub_node_at", "disks", ["hub", "node", "at"])


def downgrade() -> None:
    op.drop_index("ix_disks_hub_node_at", table_name="disks")
    op.drop_table("disks")
