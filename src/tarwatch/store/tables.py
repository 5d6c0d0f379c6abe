"""The store's tables (SQLAlchemy Core). Times are seconds since the epoch, UTC: fast to compare,
the same on SQLite and PostgreSQL. Schema changes go through Alembic (migrations/)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("now", Float, nullable=False, doc="the run's time (--now), epoch seconds"),
    Column("started", Float, nullable=False, doc="wall clock at start"),
    Column("finished", Float, nullable=True),
    Column("command", Text, nullable=False),
    Column("hubs", Text, nullable=False, doc="space-separated hub tags"),
    Column("pid", Integer, nullable=True, doc="the process that ran it"),
    Column("host", Text, nullable=True, doc="the machine it ran on"),
    Column(
        "outcome",
        Text,
        nullable=True,
        doc='"finished", or "abandoned": its process ended before it did; null while it runs',
    ),
)

polls = Table(
    "polls",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("hub", Text, nullable=False),
    Column("node", Text, nullable=False),
    Column("at", Float, nullable=False, doc="the run's time"),
    Column("ok", Boolean, nullable=False),
    Column("reason", Text, nullable=True, doc="why it failed, for people"),
    Column("duration", Float, nullable=False, doc="seconds"),
    Column("root", Text, nullable=True, doc="the root as the node resolved it"),
    Column("files", Integer, nullable=False, default=0, doc="tarballs listed"),
    Column("complete", Boolean, nullable=False, default=False, doc="the listing ran to its end"),
    Column("malformed", Integer, nullable=False, default=0, doc="records that did not parse"),
    Column("unfit", Integer, nullable=False, default=0, doc="paths that do not fit the layout"),
    Column("notes", Text, nullable=True, doc="samples of malformed records and unfit paths"),
    Column("added", Integer, nullable=False, default=0, doc="tarballs new in this poll"),
    Column("changed", Integer, nullable=False, default=0, doc="tarballs whose size, mtime or .dna changed"),
    Column("removed", Integer, nullable=False, default=0, doc="tarballs marked gone by this poll"),
    Column(
        "listing_digest", Text, nullable=True, doc="digest of a complete listing (unchanged: skip the diff)"
    ),
    Column("unreadable", Text, nullable=True, doc="JSON list of the folders the listing could not read"),
)
Index("ix_polls_hub_node_at", polls.c.hub, polls.c.node, polls.c.at)

tarballs = Table(
    "tarballs",
    metadata,
    Column("node", Text, nullable=False),
    Column("path", Text, nullable=False, doc="absolute path on the node"),
    Column("hub", Text, nullable=False),
    Column("item", Text, nullable=False),
    Column("stamp", BigInteger, nullable=False, doc="from the dated folders, UTC"),
    Column("size", BigInteger, nullable=False, doc="bytes"),
    Column("mtime", Float, nullable=False),
    Column("revision", BigInteger, nullable=True),
    Column("digest", Text, nullable=True, doc="md5 from the .dna sidecar"),
    Column("dna_size", BigInteger, nullable=True, doc="size the .dna sidecar claims"),
    Column("md5", Text, nullable=True, doc='md5 computed on the node (verify = "md5")'),
    Column("first_seen", Float, nullable=False),
    Column(
        "last_seen",
        Float,
        nullable=False,
        doc="the last poll that wrote the node's rows and listed it (unchanged listings write none)",
    ),
    Column("gone", Float, nullable=True, doc="when a listing first missed it"),
    # Two hubs whose roots on a node overlap list the same paths: each keeps its own rows.
    PrimaryKeyConstraint("node", "hub", "path", name="pk_tarballs"),
    # On SQLite the rows live in the (node, hub, path) B-tree itself: one tree to fill, not two.
    sqlite_with_rowid=False,
)
# (node, hub, path), the primary key, is the only index on tarballs: a node's rows are found by its
# prefix, and every further index would slow the first ingest of a million rows; checks read
# the `items` table.

# One row per (hub, node, item): what the checks read, kept up to date by every poll that changes
# the item (tarwatch.history.summarize is its definition), so that checking reads a row per item.
items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hub", Text, nullable=False),
    Column("node", Text, nullable=False),
    Column("item", Text, nullable=False),
    Column("count", Integer, nullable=False),
    Column("oldest", BigInteger, nullable=False),
    Column("newest_stamp", BigInteger, nullable=False),
    Column("newest_size", BigInteger, nullable=False),
    Column("newest_path", Text, nullable=False),
    Column("newest_revision", BigInteger, nullable=True),
    Column("newest_digest", Text, nullable=True),
    Column("newest_dna_size", BigInteger, nullable=True),
    Column("newest_md5", Text, nullable=True),
    Column("prev_stamp", BigInteger, nullable=True),
    Column("prev_size", BigInteger, nullable=True),
    Column("prev_path", Text, nullable=True),
    Column("dna_bad", Integer, nullable=False),
    Column("dna_bad_stamp", BigInteger, nullable=True),
    Column("dna_bad_size", BigInteger, nullable=True),
    Column("dna_bad_claim", BigInteger, nullable=True),
    Column("manifest", Text, nullable=False, doc="JSON [[stamp, size], …] of every kept tarball"),
    Column("manifest_hash", Text, nullable=False, doc="a digest of `manifest`"),
    Column("updated", Float, nullable=False, doc="the poll time when this row was last rewritten"),
    UniqueConstraint("hub", "node", "item", name="uq_items_hub_node_item"),
)

# One row per (hub, node): the (stamp, size) of every tarball stamped since `since`, gone ones
# included, by item, kept up to date with `items` at collect time: the baseline of the `anomaly`
# check and capacity's largest night, read as one row per node instead of the node's tarballs.
recent_sizes = Table(
    "recent_sizes",
    metadata,
    Column("hub", Text, nullable=False),
    Column("node", Text, nullable=False),
    Column("since", BigInteger, nullable=False, doc="every tarball stamped at or after it is in `sizes`"),
    Column("sizes", Text, nullable=False, doc='JSON {item: "[[stamp, size], …]"}, each by stamp'),
    Column("updated", Float, nullable=False, doc="the poll time when this row was last rewritten"),
    PrimaryKeyConstraint("hub", "node", name="pk_recent_sizes"),
)

marks = Table(
    "marks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("node", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("kind", Text, nullable=False, doc='"locked" or "last"'),
    Column("hub", Text, nullable=False),
    Column("item", Text, nullable=True),
    Column("target", Text, nullable=True, doc="where a `last` link points"),
    Column("mtime", Float, nullable=True),
    Column("first_seen", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
    Column("gone", Float, nullable=True),
    UniqueConstraint("node", "path", "kind", name="uq_marks_node_path_kind"),
)

# The disk under each listed root, per poll (`df -P -k`, bytes), and the tarballs kept on it then:
# the history of `capacity`'s forecast.
disks = Table(
    "disks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hub", Text, nullable=False),
    Column("node", Text, nullable=False),
    Column("at", Float, nullable=False, doc="the run's time"),
    Column("root", Text, nullable=False, doc="the root as the node resolved it"),
    Column("filesystem", Text, nullable=True, doc="df's first column"),
    Column("mount", Text, nullable=True, doc="where that filesystem is mounted"),
    Column("total", BigInteger, nullable=False, doc="bytes"),
    Column("used", BigInteger, nullable=False, doc="bytes"),
    Column("free", BigInteger, nullable=False, doc="bytes available to the node's user"),
    Column("kept", BigInteger, nullable=True, doc="bytes of the tarballs kept under the root then"),
)
Index("ix_disks_hub_node_at", disks.c.hub, disks.c.node, disks.c.at)

# The newest restore drill of each tarball (verify = "gzip" or "tar"), as the file was then: it holds
# while the tarball keeps that size and mtime.
drills = Table(
    "drills",
    metadata,
    Column("node", Text, nullable=False),
    Column("hub", Text, nullable=False),
    Column("path", Text, nullable=False, doc="absolute on the node"),
    Column("item", Text, nullable=False),
    Column("size", BigInteger, nullable=False, doc="bytes, when it was tested"),
    Column("mtime", Float, nullable=False, doc="when it was tested"),
    Column("at", Float, nullable=False, doc="the run's time"),
    Column("method", Text, nullable=False, doc="gzip or tar"),
    Column("ok", Boolean, nullable=False),
    Column("error", Text, nullable=True, doc="why it failed"),
    Column("stderr", Text, nullable=True, doc="the tool's first stderr line"),
    Column("seconds", Float, nullable=True, doc="how long the test took"),
    PrimaryKeyConstraint("node", "hub", "path", name="pk_drills"),
)
Index("ix_drills_hub_node_item", drills.c.hub, drills.c.node, drills.c.item)

# -- notify (tarwatch.notify): states, transitions, messages, their deliveries, snoozes ----------

# The status of every open problem per (hub, node, item, check); item "" for the node's own.
notify_states = Table(
    "notify_states",
    metadata,
    Column("hub", Text, primary_key=True),
    Column("node", Text, primary_key=True),
    Column("item", Text, primary_key=True, doc='"" for a problem of the node itself'),
    Column("check_name", Text, primary_key=True),
    Column("status", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("since", Float, nullable=False, doc="when the problem opened"),
    Column("changed", Float, nullable=False, doc="when its status last changed"),
    Column("told", Float, nullable=True, doc="when a message last named it; null: never"),
)

# One row per message composed: its wording is kept, so a retried delivery sends the same text.
notify_messages = Table(
    "notify_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hub", Text, nullable=False),
    Column("at", Float, nullable=False, doc="the run's time"),
    Column("kind", Text, nullable=False, doc='"problems" or "all_well"'),
    Column("subject", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("html", Text, nullable=False),
)
Index("ix_notify_messages_hub_kind_at", notify_messages.c.hub, notify_messages.c.kind, notify_messages.c.at)

# Each change of a problem's status, as detected by a run.
notify_transitions = Table(
    "notify_transitions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hub", Text, nullable=False),
    Column("node", Text, nullable=False),
    Column("item", Text, nullable=False),
    Column("check_name", Text, nullable=False),
    Column("at", Float, nullable=False, doc="the run's time"),
    Column("change", Text, nullable=False, doc="new, worse, better or recovered"),
    Column("old_status", Text, nullable=True),
    Column("new_status", Text, nullable=True),
    Column("message", Text, nullable=False),
    Column("message_id", Integer, ForeignKey("notify_messages.id"), nullable=True, doc="the message told"),
)

# One row per (message, channel): pending until sent; a sent one is never sent again.
notify_deliveries = Table(
    "notify_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", Integer, ForeignKey("notify_messages.id"), nullable=False),
    Column("channel_id", Text, nullable=False, doc="a digest of the channel's URL (never the URL)"),
    Column("channel", Text, nullable=False, doc="the channel's URL with its secrets redacted"),
    Column(
        "state",
        Text,
        nullable=False,
        doc="pending, sending (claimed by a sender), sent, failed (retrying cannot help) or dropped",
    ),
    Column("attempts", Integer, nullable=False),
    Column("last_attempt", Float, nullable=True),
    Column("sent", Float, nullable=True),
    Column("error", Text, nullable=True, doc="the last failure, secrets redacted"),
)
Index("ix_notify_deliveries_state", notify_deliveries.c.state)

# `tarwatch snooze`: problems under (hub[, node[, item]]) send nothing until `until`.
snoozes = Table(
    "snoozes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hub", Text, nullable=False),
    Column("node", Text, nullable=True),
    Column("item", Text, nullable=True),
    Column("since", Float, nullable=False),
    Column("until", Float, nullable=False),
    Column("why", Text, nullable=False),
    Column("cleared", Float, nullable=True, doc="when `snooze --clear` ended it early"),
)
