"""Values a node controls, at their extremes, never stop a check: a LOCKED folder's mtime of
minus infinity or -1e300, a .dna size of 2**63 - 1."""

from __future__ import annotations

import math

import pytest

from tarwatch.checks import digest, locked
from tarwatch.config.models import Defaults
from tarwatch.history import Tar, summarize
from tarwatch.records import Status

NOW = 1_764_000_000.0


@pytest.mark.parametrize("since", [-math.inf, -1e300, math.nan, -1.0])
def test_a_locked_folder_with_an_absurd_mtime_is_a_warning_not_an_overflow(since: float) -> None:
    f = locked.check([("a/b/LOCKED", since)], NOW, Defaults())
    assert f is not None and f.status == Status.WARN
    assert "a/b/LOCKED has been there for" in f.message


def test_a_locked_folder_from_the_future_is_not_old() -> None:
    assert locked.check([("a/b/LOCKED", math.inf)], NOW, Defaults()) is None


def test_a_dna_size_of_the_largest_integer_is_shown() -> None:
    h = summarize([("a/b", Tar(int(NOW), 10, "p", dna_size=2**63 - 1))])["a/b"]
    f = digest.check(h, "size")
    assert f is not None and f.status == Status.ALARM
