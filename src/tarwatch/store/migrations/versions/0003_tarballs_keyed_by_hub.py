"""Tarballs keyed by (node, hub, path), not (node, path): two hubs whose roots on one node
overlap list the same paths, and each keeps its own rows (before, the second hub's poll of such
a node failed on the key).

SQLite cannot change a primary key in place: the table is made again under the new key (rows
copied in key order, the table WITHOUT ROWID as before). PostgreSQL swaps the constraint.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = (
    "node, path, hub, item, stamp, size, mtime, revision, digest, dna_size, md5, first_seen, last_seen, gone"
)


def _create(name: str, key: tuple[str, ...]) -> None:
    op.create_table(
        name,
        sa.Column("node", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
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
        sa.PrimaryKeyConstraint(*key, name="pk_tarballs"),
        sqlite_with_rowid=False,
    )


def _rekey(key: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        old = sa.inspect(op.get_bind()).get_pk_constraint("tarballs")["name"] or "tarballs_pkey"
        op.drop_constraint(old, "tarballs", type_="primary")
        op.create_primary_key("pk_tarballs", "tarballs", list(key))
        return
    _create("tarballs_rekeyed", key)
    op.execute(
        f"INSERT INTO tarballs_rekeyed ({COLUMNS}) SELECT {COLUMNS} FROM tarballs ORDER BY {', '.join(key)}"
    )
    op.drop_table("tarballs")
    op.rename_table("tarballs_rekeyed", "tarballs")


def upgrade() -> None:
    _rekey(("node", "hub", "path"))


def downgrade() -> None:
    _rekey(("node", "path"))
