"""Build backup trees on disk for tests: sparse tarballs, .dna sidecars, last links, LOCKED."""

from __future__ import annotations

import os
from pathlib import Path


def tarball(root: Path, rel: str, size: int, dna: str | None = None) -> Path:
    """Make a sparse file of `size` bytes at root/rel (and its .dna sidecar holding `dna`)."""
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    with open(p, "wb") as f:
        f.truncate(size)
    if dna is not None:
        Path(f"{p}.dna").write_text(dna)
    return p


def link(root: Path, rel: str, target: str) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, p)


def seed_tree(root: Path) -> None:
    """The seed's real layout for hub cms02: repos and tracs of env and aberdeen, a folder."""
    tarball(root, "repos/aberdeen/2012/08/03/171121/aberdeen-1717.tar.gz", 5_000_000)
    tarball(root, "repos/aberdeen/2012/08/04/171125/aberdeen-1720.tar.gz", 5_100_000)
    tarball(root, "tracs/aberdeen/2012/08/04/171125/aberdeen.tar.gz", 700_000)
    tarball(root, "repos/env/2012/08/04/171125/env-3538.tar.gz", 80_000_000)
    tarball(root, "tracs/env/2012/05/01/130104/env.tar.gz", 1_048_576)
    tarball(root, "folders/svnsetup/2012/08/04/171125/svnsetup.tar.gz", 20_480)
    link(root, "repos/aberdeen/last", "2012/08/04/171125")
