"""`df -P -k` under the root, in the listing's one command: its record parsed from GNU, BusyBox
and BSD output (a wrapped long filesystem name, a mount point with spaces, a df that failed),
and kept out of the listing's digest, which must not change when only free space does."""

from __future__ import annotations

from tarwatch.collect.listing import ListingParser, parse_df
from tarwatch.records import Disk

GNU = (
    "Filesystem     1024-blocks     Used Available Capacity Mounted on\n"
    "/dev/sda1        41152736 12345678  26688924      32% /\n"
)
BUSYBOX = (
    "Filesystem           1024-blocks    Used Available Use% Mounted on\n"
    "/dev/mapper/vg0-backup\n"
    "                      41152736 12345678  26688924  32% /srv/my backups\n"
)
BSD_512 = "Filesystem 512-blocks Used Avail Capacity Mounted on\n/dev/ada0p2 1000 400 500 44% /\n"


def test_gnu_df_gives_bytes_of_total_used_and_available() -> None:
    assert parse_df(0, GNU) == (
        Disk("/dev/sda1", "/", 41152736 * 1024, 12345678 * 1024, 26688924 * 1024),
        None,
    )


def test_a_wrapped_filesystem_name_and_a_mount_with_spaces_are_read() -> None:
    disk, note = parse_df(0, BUSYBOX)
    assert note is None and disk is not None
    assert (disk.filesystem, disk.mount, disk.free) == (
        "/dev/mapper/vg0-backup",
        "/srv/my backups",
        26688924 * 1024,
    )


def test_the_headers_block_size_is_used() -> None:
    assert parse_df(0, BSD_512) == (Disk("/dev/ada0p2", "/", 1000 * 512, 400 * 512, 500 * 512), None)


def test_a_df_that_failed_or_printed_no_figures_is_a_note_not_a_disk() -> None:
    assert parse_df(127, "sh: df: not found\n") == (None, "df failed (exit status 127): sh: df: not found")
    assert parse_df(0, "Filesystem 1K-blocks\nnonsense here\n") == (
        None,
        "df printed no figures: Filesystem 1K-blocks",
    )
    assert parse_df(0, "") == (None, "df printed no figures: no output")
    huge = f"Filesystem 1024-blocks Used Available Capacity Mounted on\nx {2**62} 1 1 1% /\n"
    assert parse_df(0, huge)[0] is None


def stream(df: str, chunk: int) -> tuple[object, str, object]:
    body = b"F\t0\t" + df.encode() + b"\0R\t/b\0T\t5\t1.0\tsvn/x/1/x-1.tar.gz\0\0E\t0\0"
    p = ListingParser()
    for i in range(0, len(body), chunk):
        p.feed(body[i : i + chunk])
    listing = p.close()
    return listing.disk, listing.digest, listing.tarballs


def test_the_df_record_is_parsed_in_the_stream_and_left_out_of_its_digest() -> None:
    other = GNU.replace("12345678  26688924", "22345678  16688924")
    got = {stream(df, chunk)[1] for df in (GNU, other) for chunk in (1, 3, 7, 4096)}
    assert len(got) == 1  # free space changed, the listing did not
    disk, _, tarballs = stream(GNU, 5)
    assert isinstance(disk, Disk) and disk.used == 12345678 * 1024
    assert tarballs == [("svn/x/1/x-1.tar.gz", 5, 1.0)]
    rest = b"R\t/b\0T\t5\t1.0\tsvn/x/1/x-1.tar.gz\0\0E\t0\0"
    without, changed = ListingParser(), ListingParser()
    without.feed(rest)
    changed.feed(rest.replace(b"T\t5", b"T\t6"))
    assert without.close().digest in got  # a listing without df: the same digest
    assert changed.close().digest not in got  # the rest of the stream is hashed
