import os
import subprocess
from pathlib import Path

import pytest

from support.listing import parse_listing
from support.tree import link, tarball
from tarwatch.collect.listing import ListingParser, listing_command, root_argument

DNA = "{'dig': '3f0a8c5d2e9b41f7a6c0d3e8b2f14a57', 'size': 1000L}\n"


def run_listing(root: str, env: dict[str, str] | None = None) -> bytes:
    return subprocess.run(
        ["sh", "-c", listing_command(root)], capture_output=True, check=True, env=env
    ).stdout


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "scm" / "backup" / "cms02"
    tarball(root, "repos/env/2012/08/03/171121/env-1717.tar.gz", 1000, DNA)
    tarball(root, "tracs/env/2012/08/03/171121/env.tar.gz", 5)
    tarball(root, "repos/we ird/2012/08/04/000000/a\tb <img src=x>.tar.gz", 7)
    tarball(root, "repos/nl/2012/08/04/000000/a\nb.tar.gz", 9)
    tarball(root, "repos/env/2012/08/03/171121/notes.txt", 3)
    link(root, "repos/env/last", "2012/08/03/171121")
    (root / "LOCKED").mkdir()
    tarball(root, "LOCKED/partial.tar.gz", 1)  # inside LOCKED: not listed
    return root


def test_one_command_lists_tarballs_sidecars_links_and_locks(tree):
    lst = parse_listing(run_listing(str(tree)))
    assert lst.root == str(tree)
    assert lst.complete
    got = {p: s for p, s, _ in lst.tarballs}
    assert got == {
        "repos/env/2012/08/03/171121/env-1717.tar.gz": 1000,
        "tracs/env/2012/08/03/171121/env.tar.gz": 5,
        "repos/we ird/2012/08/04/000000/a\tb <img src=x>.tar.gz": 7,
        "repos/nl/2012/08/04/000000/a\nb.tar.gz": 9,
    }
    assert lst.dna == {"repos/env/2012/08/03/171121/env-1717.tar.gz.dna": DNA.strip()}
    assert lst.links == [("repos/env/last", "2012/08/03/171121")]
    assert [p for p, _ in lst.locked] == ["LOCKED"]
    assert lst.malformed == 0


def test_vars_in_the_root_are_expanded_by_the_nodes_shell(tree):
    env = dict(os.environ, SCM_FOLD=str(tree.parent.parent))
    lst = parse_listing(run_listing("$SCM_FOLD/backup/cms02", env))
    assert lst.root == str(tree)
    assert len(lst.tarballs) == 4


def test_everything_but_vars_is_quoted():
    assert root_argument("$SCM_FOLD/backup/x") == '"${SCM_FOLD}"/backup/x'
    assert root_argument("/a b/$(rm -rf ~)/`id`;x") == "'/a b/$(rm -rf ~)/`id`;x'"
    assert root_argument("~/backup/${X}y") == '"$HOME"/backup/"${X}"y'


def test_a_root_with_shell_characters_is_listed_not_run(tmp_path):
    root = tmp_path / "a b;touch pwned'$(touch pwned2)"
    tarball(root, "repos/env/2012/08/03/171121/env.tar.gz", 1)
    lst = parse_listing(run_listing(str(root)))
    assert len(lst.tarballs) == 1
    assert not (Path.cwd() / "pwned").exists() and not (Path.cwd() / "pwned2").exists()


def test_a_missing_root_is_said_not_listed(tmp_path):
    lst = parse_listing(run_listing(str(tmp_path / "nope")))
    assert lst.missing_root and "no such folder" in lst.missing_root
    assert lst.status is None and not lst.complete


def test_find_without_printf_falls_back_to_stat(tree, tmp_path):
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "find").write_text(
        '#!/bin/sh\nfor a in "$@"; do [ "$a" = -printf ] && '
        '{ echo "find: bad option -printf" >&2; exit 1; }; done\n'
        'exec /usr/bin/find "$@"\n'
    )
    (shim / "find").chmod(0o755)
    env = dict(os.environ, PATH=f"{shim}:{os.environ['PATH']}")
    lst = parse_listing(run_listing(str(tree), env))
    got = {p: s for p, s, _ in lst.tarballs}
    assert got["repos/env/2012/08/03/171121/env-1717.tar.gz"] == 1000
    assert got["repos/we ird/2012/08/04/000000/a\tb <img src=x>.tar.gz"] == 7
    assert lst.dna["repos/env/2012/08/03/171121/env-1717.tar.gz.dna"] == DNA.strip()
    assert lst.links == [("repos/env/last", "2012/08/03/171121")]
    assert [p for p, _ in lst.locked] == ["LOCKED"]
    # A newline in a name cannot survive stat's line output: it is counted, never fatal.
    assert lst.malformed >= 1
    assert lst.complete


def test_the_parser_gives_the_same_listing_however_the_stream_is_cut(tree):
    data = run_listing(str(tree))
    whole = parse_listing(data)
    for size in (1, 3, 17, 4096):
        p = ListingParser()
        for i in range(0, len(data), size):
            p.feed(data[i : i + size])
        assert p.close() == whole


def test_malformed_records_are_counted_and_the_rest_is_kept():
    data = b"R\t/r\0T\t12\t1.5\ta/b/2012/01/01/000000/b.tar.gz\0T\tx\t1\tbad\0Q\0T\t3\0E\t0\0T\t5\t1"
    lst = parse_listing(data)
    assert lst.tarballs == [("a/b/2012/01/01/000000/b.tar.gz", 12, 1.5)]
    assert lst.malformed == 4  # bad size, unknown tag, too few fields, truncated tail
    assert len(lst.malformed_samples) == 4


def test_names_that_are_not_utf8_are_kept_recognisably():
    lst = parse_listing(b"R\t/r\0T\t1\t1\ta/b/2012/01/01/000000/\xff.tar.gz\0E\t0\0")
    assert lst.tarballs[0][0] == "a/b/2012/01/01/000000/\\xff.tar.gz"


def test_without_a_temporary_file_the_sidecars_are_read_in_a_second_walk(tree, tmp_path):
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "mktemp").write_text("#!/bin/sh\necho 'mktemp: read-only file system' >&2\nexit 1\n")
    (shim / "mktemp").chmod(0o755)
    env = dict(os.environ, PATH=f"{shim}:{os.environ['PATH']}")
    lst = parse_listing(run_listing(str(tree), env))
    assert lst.dna == {"repos/env/2012/08/03/171121/env-1717.tar.gz.dna": DNA.strip()}
    assert len(lst.tarballs) == 4 and lst.complete


def test_no_temporary_file_is_left_behind(tree, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    lst = parse_listing(run_listing(str(tree), dict(os.environ, TMPDIR=str(scratch))))
    assert lst.dna and list(scratch.iterdir()) == []
