"""The recent sizes of each node's tarballs, one row per (hub, node), kept at collect time: the
(stamp, size) of every tarball stamped since a poll's time less RECENT_DAYS, gone ones included,
by item, so that `check` reads a row per node for the `anomaly` baseline and capacity's largest
night instead of every recent tarball. An existing store has them filled from its tarballs, as
of each node's newest successful poll.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from tarwatch.store.ingest import recent_since, recent_text

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recent_sizes",
        sa.Column("hub", sa.Text, nullable=False),
        sa.Column("node", sa.Text, nullable=False),
        sa.Column("since", sa.BigInteger, nullable=False),
        sa.Column("sizes", sa.Text, nullable=False),
        sa.Column("updated", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("hub", "node", name="pk_recent_sizes"),
    )
    bind = op.get_bind()
    nodes = bind.execute(
        sa.text(
            "SELECT t.hub, t.node, (SELECT max(p.at) FROM polls p WHERE p.hub = t.hub AND p.node = t.node"
            " AND p.ok = :ok) FROM (SELECT DISTINCT hub, node FROM tarballs) t"
        ),
        {"ok": True},
    ).all()
    pairs = sa.text(
        "SELECT item, stamp, size FROM tarballs WHERE hub = :hub AND node = :node AND stamp >= :since"
    )
    insert = sa.text(
        "INSERT INTO recent_sizes (hub, node, since, sizes, updated)"
        " VALUES (:hub, :node, :since, :sizes, :at)"
    )
    for hub, node, at in nodes:
        since = 0 if at is None else recent_since(at)  # no poll of it: every tarball
        rows = bind.execute(pairs, {"hub": hub, "node": node, "since": since}).all()
        sizes = recent_text((r[0], r[1], r[2]) for r in rows)
        bind.execute(insert, {"hub": hub, "node": node, "since": since, "sizes": sizes, "at": at or 0.0})


def downgrade() -> None:
    op.drop_table("recent_sizes")
