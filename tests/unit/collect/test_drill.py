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
    assert rotation_nights([10, 2000], 0, 1000) is None  # larger than a run starts: never


def test_the_floor_drills_the_item_verified_longest_ago_beyond_drill_shares_part():
    newest = [tb("a", 40), tb("b", 10), tb("c", 3)]
    known = Verified({}, {"b": 1.0, "c": 2.0})  # a never: first in line
    assert [t.item for t in choose(newest, known, 5, 100)] == ["a"]  # alone, past the 5 bytes
    assert [t.item for t in choose(newest, known, 5)] == ["c"]  # without the floor: what fits
    assert [t.item for t in choose(newest, known, 5, 30)] == ["b"]  # a never starts: b is next
    assert [t.item for t in choose(newest, known, 60, 100)] == ["a", "b", "c"]  # share enough
    assert rotation_nights([40, 10, 3], 5, 100) == 3  # one a run at least: as many as items
    assert rotation_nights([10] * 10, 50, 100) == 3  # many small ones: the share's part does better


@given(
    st.lists(st.integers(1, 1000), min_size=1, max_size=30),
    st.integers(0, 3000),
    st.integers(0, 3000),
)
def test_with_the_floor_every_item_is_drilled_within_the_promised_runs(sizes, limit, extra):
    most = max(max(sizes), limit) + extra  # every one can start
    nights = rotation_nights(sizes, limit, most)
    assert nights is not None and nights <= len(sizes)
    newest = [tb(str(i), s) for i, s in enumerate(sizes)]
    last: dict[str, float] = {}
    for night in range(1, nights + 1):  # a new newest every night: nothing holds
        for t in choose(newest, Verified({}, last), limit, most):
            last[t.item] = night
    assert set(last) == {t.item for t in newest}


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


def test_a_run_whose_share_is_spent_still_drills_one_on_the_node(tmp_path):
    """drill() through a real shell (the local transport): drill_share's part is nothing (a
    fast listing), yet the item verified longest ago is tested; one larger than drill_time lets
    a run read at the node's rate is never started."""
    import asyncio

    from tarwatch.collect.drill import Budget, drill
    from tarwatch.collect.local import LocalTransport

    good = subprocess.run(["gzip", "-c"], input=b"x" * 1000, capture_output=True).stdout
    tars = []
    for item in ("a", "b"):
        (tmp_path / item).mkdir()
        (tmp_path / item / "x.tar.gz").write_bytes(good)
        tars.append(Tarball(f"{tmp_path}/{item}/x.tar.gz", item, 100, len(good), 1.0, None))
    known = Verified({}, {"a": 5.0, "b": 1.0}, seconds=0.0, rate=1e6)  # b drilled longest ago

    async def go(budget: Budget) -> list[str]:
        session = await LocalTransport().open()
        try:
            by = {"gzip": tars}
            done, note = await drill(session, str(tmp_path), str(tmp_path), by, known, budget, 9.0)
        finally:
            await session.close()
        assert note is None
        return [f"{d.item} {d.ok}" for d in done]

    assert asyncio.run(go(Budget(10**6, 10.0))) == ["b True"]
    assert asyncio.run(go(Budget(10**6, len(good) / 1e6 / 2))) == []  # too large for drill_time
    assert asyncio.run(go(Budget(len(good) - 1, 10.0))) == []  # too large for drill_bytes
