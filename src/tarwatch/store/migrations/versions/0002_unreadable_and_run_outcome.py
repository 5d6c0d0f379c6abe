"""The folders a listing could not read (polls.unreadable); who ran a run and how it ended
(runs.pid, runs.host, runs.outcome), so that a killed run is seen as abandoned.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("pid", sa.Integer, nullable=True))
        batch.add_column(sa.Column("host", sa.Text, nullable=True))
        batch.add_column(sa.Column("outcome", sa.Text, nullable=True))
    with op.batch_alter_table("polls") as batch:
        batch.add_column(sa.Column("unreadable", sa.Text, nullable=True))
    # Unfinished runs of the earlier schema are marked abandoned by the next run that begins.
    op.execute("UPDATE runs SET outcome = 'finished' WHERE finished IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("polls") as batch:
        batch.drop_column("unreadable")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("outcome")
        batch.drop_column("host")
        batch.drop_column("pid")
