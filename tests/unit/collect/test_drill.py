"""Restore drills' pure parts: the command, its parser, which tarballs are tested."""

from __future__ import annotations

import subprocess

from hypothesis import given
from hypothesis import strategies as st

from tarwatch.checks.drill import rotation_nights
from tarwatch.collect.drill import Verified, choose, drill_command, parse_drill
from tarwatch.records import Tarball


def tb(item: str, size: int, mtime: float = 1.0) -> Tarball:
    return Tarball(f"/r/{item}/x.tar.gz", item, 100, size, mtime, None)


def test_choose_takes_the_item_drilled_longest_ago_first_and_what_fits():
    newest = [tb("a", 40), tb("b", 40), tb("c", 40), tb("d", 10)]
    known = Verified({}, {"a": 30.0, "b": 10.0})  # c and d never
    assert [t.item for t in choose(newest, known, 100)] == ["c", "d", "b"]
    assert [t.item for t in choose(newest, known, 45)] == ["c"]  # then 5 bytes left: none fits
    assert [t.item for t in choose(newest, known, 50)] == ["c", "d"]


def test_a_drill_that_holds_is_not_repeated_until_the_file_changes():
    t = tb("a", 40, mtime=5.0)
    held = Verified({t.path: (40, 5.0)}, {"a": 1.0})
    assert choose([t], held, 100) == []
    assert choose([tb("a", 41, mtime=5.0)], held, 100) != []
    assert choose([tb("a", 40, mtime=6.0)], held, 100) != []


def test_the_command_tests_each_file_and_a_cut_record_is_left_out(tmp_path):
    (tmp_path / "ok.gz").write_bytes(
        subprocess.run(["gzip", "-c"], input=b"x" * 100, capture_output=True).stdout
    )
    (tmp_path / "bad name.gz").write_bytes(b"not gzip")
    out = subprocess.run(
        ["sh", "-c", drill_command("gzip", str(tmp_path), ["ok.gz", "bad name.gz"])],
        capture_output=True,
        stdin=subprocess.PIPE,
        check=False,
    ).stdout
    got = parse_drill(out)
    assert [(r, s == 0) for r, s, _ in got] == [("ok.gz", True), ("bad name.gz", False)]
    assert "not in gzip format" in got[1][2]
    assert parse_drill(out[:-1]) == got[:1]  # the last stderr record never ended


@given(st.lists(st.integers(1, 1000), min_size=1, max_size=30), st.integers(1000, 5000))
def test_every_item_is_drilled_within_the_promised_runs(sizes, limit):
    nights = rotation_nights(sizes, limit)
    assert nights is not None
    newest = [tb(str(i), s) for i, s in enumerate(sizes)]
    last: dict[str, float] = {}
    for night in range(1, nights + 1):
        for t in choose(newest, Verified({}, last), limit):
            last[t.item] = night
    assert set(last) == {t.item for t in newest}


def test_a_tarball_larger_than_drill_bytes_is_never_promised():
    assert rotation_nights([10, 2000], 1000) is None
    assert rotation_nights([], 1000) == 0
    assert rotation_nights([400, 500], 1000) == 1


def test_names_that_are_not_utf8_are_drilled_and_hashed_as_their_own_bytes(tmp_path):
    """The listing stores a byte that is not UTF-8 as `\\xNN`: the drill and the md5 commands give
    the node's shell the name's real bytes back (a good tarball is not a failed drill), a file
    gone since the listing gets no record, and the results come back under the stored names."""
    from tarwatch.collect.listing import md5_command, parse_md5

    good = subprocess.run(["gzip", "-c"], input=b"x" * 100, capture_output=True).stdout
    raw = b"caf\xe9 \xff'$(x)\n.tar.gz"  # Latin-1, a stray byte, a quote, shell syntax, a newline
    (tmp_path / "d").mkdir()
    (tmp_path / "d").joinpath(raw.decode("utf-8", "surrogateescape")).write_bytes(good)
    (tmp_path / "f\\x41.gz").write_bytes(b"not gzip")  # a real backslash stays a backslash
    stored = "d/" + raw.decode("utf-8", "backslashreplace")
    assert "\\xe9" in stored and "\\xff" in stored
    names = [stored, "f\\x41.gz", "gone since the listing.gz"]

    def run(command: str) -> bytes:
        return subprocess.run(["sh", "-c", command], capture_output=True, stdin=subprocess.PIPE).stdout

    got = parse_drill(run(drill_command("gzip", str(tmp_path), names)))
    assert [(r, s == 0) for r, s, _ in got] == [(stored, True), ("f\\x41.gz", False)]
    md5s = parse_md5(run(md5_command(str(tmp_path), names[:2])))
    assert md5s[stored] == __import__("hashlib").md5(good).hexdigest()
