"""A first listing's rows (store/listed.py, store/bulk.py): the one-pass summaries equal what
the code they replaced gave for the same listing (history.summarize_rows over the 13-column
INSERT rows, the recent sizes cut from the manifests), for any listing: items together or
interleaved, stamps out of path order or equal, .dna sidecars that agree or not; and a node
stored by a first ingest holds the same rows, items and recent sizes as one whose rows came
through the general diff."""

from __future__ import annotations

import bisect
import json
from collections.abc import Mapping
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from support.store_reads import engine_of
from tarwatch.history import ItemHistory, RowLayout, summarize_rows
from tarwatch.records import Snapshot, Tarball
from tarwatch.store import Store
from tarwatch.store.ingest import recent_since
from tarwatch.store.listed import listed_rows, summarize_listed

T0 = 1_700_000_000
DAY = 86400
_INSERT_ROW = RowLayout(item=3, stamp=4, size=5, path=1, revision=7, digest=8, dna_size=9, md5=10)


def old_recent_of_manifests(summary: Mapping[str, ItemHistory], since: int) -> str:
    """The first ingest's recent sizes as schema 0006 made them (the reference)."""
    out = {}
    for item, h in sorted(summary.items()):
        manifest = h.manifest_json or "[]"
        pairs = manifest[2:-2].split("],[") if len(manifest) > 2 else []
        i = bisect.bisect_left(pairs, since, key=lambda p: int(p[: p.index(",")]))
        if i == 0 and pairs:
            out[item] = manifest
        elif i < len(pairs):
            out[item] = "[[" + "],[".join(pairs[i:]) + "]]"
    return json.dumps(out, separators=(",", ":"))


def old_first_summaries(node: str, hub: str, at: float, tarballs: list[Tarball]) -> tuple[dict, str]:
    """What the first ingest computed before store/listed.py, from its INSERT rows."""
    inserts = [
        (node, t.path, hub, t.item, t.stamp, t.size, t.mtime, t.revision, t.digest, t.dna_size, None, at, at)
        for t in tarballs
    ]
    inserts.sort(key=lambda r: r[1])
    summary = summarize_rows(inserts, _INSERT_ROW)
    return summary, old_recent_of_manifests(summary, recent_since(at))


ITEMS = ("svn/a", "svn/ab", "svn/a-b", "git/x")


@st.composite
def listings(draw: st.DrawFn) -> list[Tarball]:
    n = draw(st.integers(0, 40))
    together = draw(st.booleans())  # the layout's folders, or paths in no relation to items
    out, seen = [], set()
    for k in range(n):
        item = draw(st.sampled_from(ITEMS))
        day = draw(st.integers(0, 80))
        stamp = T0 + day * DAY + draw(st.sampled_from((0, 0, 7)))
        path = f"/b/{item}/{day:03d}/{k}.tar.gz" if together else f"/b/{draw(st.integers(0, 99)):02d}/{k}"
        if path in seen:
            continue
        seen.add(path)
        size = draw(st.integers(0, 5) | st.just(T0 + draw(st.integers(0, 80)) * DAY))  # a stamp's digits too
        dna = draw(st.sampled_from((None, None, size, size + 1)))
        digest = None if dna is None else "d" * 32
        rev = draw(st.sampled_from((None, day)))
        out.append(Tarball(path, item, stamp, size, float(stamp + 60), rev, digest, dna))
    return out


@settings(max_examples=150, deadline=None)
@given(listings(), st.integers(0, 100))
def test_the_one_pass_summaries_equal_the_old_ones_for_any_listing(tarballs: list[Tarball], day: int) -> None:
    at = T0 + day * DAY + 3600.0
    want_summary, want_recent = old_first_summaries("N", "H", at, tarballs)
    summary, recent = summarize_listed(listed_rows(tarballs), recent_since(at))
    assert summary == want_summary
    assert [h.manifest_json for h in summary.values()] == [h.manifest_json for h in want_summary.values()]
    assert recent == want_recent


def test_a_first_ingest_stores_what_the_general_diff_stores(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'tw.db'}")
    first_ingest_equals_the_general_diff(store)


def first_ingest_equals_the_general_diff(store: Store) -> None:
    """The test above on any new store (PostgreSQL's is in e2e/test_postgres_store.py)."""
    listing = [
        Tarball(
            f"/b/{item}/{d:03d}/{item[-1]}.tar.gz",
            item,
            T0 + d * DAY + i,
            100 * d + i,
            d + 1 / 3,
            rev,
            dg,
            dn,
        )
        for i, item in enumerate(ITEMS)
        for d in range(0, 90, 1 + i)
        for rev, dg, dn in [
            (d if i % 2 else None, "e" * 32 if d % 7 == 0 else None, 3 if d % 14 == 0 else None)
        ]
    ]
    at = float(T0 + 90 * DAY)
    run = store.begin_run(at, "collect", ["H"])
    # A: the whole listing first; B: one tarball first (a first ingest), then the whole (a diff)
    store.record_poll(
        run, "H", "A", at, ok=True, reason=None, duration=0.1, snap=Snapshot("/b", True, listing)
    )
    store.record_poll(
        run, "H", "B", at, ok=True, reason=None, duration=0.1, snap=Snapshot("/b", False, listing[:1])
    )
    store.record_poll(
        run, "H", "B", at, ok=True, reason=None, duration=0.1, snap=Snapshot("/b", True, listing)
    )

    def of(node: str, sql: str) -> list[tuple]:
        with engine_of(store).connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), {"n": node})]

    tarball_rows = "SELECT * FROM tarballs WHERE node = :n ORDER BY path"
    items_rows = "SELECT * FROM items WHERE node = :n ORDER BY item"
    recent_rows = "SELECT since, sizes, updated FROM recent_sizes WHERE node = :n"
    a, b = of("A", tarball_rows), of("B", tarball_rows)
    assert len(a) == len(listing) and [r[1:] for r in a] == [r[1:] for r in b]
    a, b = of("A", items_rows), of("B", items_rows)
    assert len(a) == len(ITEMS) and [r[3:] for r in a] == [r[3:] for r in b]  # past id, hub, node
    assert of("A", recent_rows) == of("B", recent_rows) != []
    store.close()
