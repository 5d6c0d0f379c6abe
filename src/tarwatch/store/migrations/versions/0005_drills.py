"""Restore drills (verify = "gzip" or "tar"): the newest drill of each tarball, as the file was
when it was tested (size, mtime), when, how, whether it passed (else the error and the
tool's stderr line) and how long it took.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drills",
        sa.Column("node", sa.Text, nullable=False),
        sa.Column("hub", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("item", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("mtime", sa.Float, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("method", sa.Text, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("stderr", sa.Text, nullable=True),
        sa.Column("seconds", sa.Float, nullable=True),
        sa.PrimaryKeyConstraint("node", "hub", "path", name="pk_drills"),
    )
    op.create_index("ix_drills_hub_node_item", "drills", ["hub", "node", "item"])


def downgrade() -> None:
    op.drop_index("ix_drills_hub_node_item", table_name="drills")
    op.drop_table("drills")
