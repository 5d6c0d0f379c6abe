"""poll_node over a fake Transport (the seam): one connection per node, one listing per job, md5
after the listing; a node's failure (connect refused, a timeout, a dropped session) is its
outcome's reason, never an exception; the session is always closed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tarwatch.app.progress import Quiet
from tarwatch.collect.poll import Job, Outcome, poll_node
from tarwatch.collect.transport import Finished, NodeError

UTC = ZoneInfo("UTC")
ROOT = "/b/dayabay"
DIGEST = "0123456789abcdef0123456789abcdef"


def records(*fields: str) -> bytes:
    return b"".join(f.encode() + b"\0" for f in fields)


LISTING = (
    records(
        f"R\t{ROOT}",
        "T\t100\t1.0\tsvn/env/2012/08/03/171121/env-1.tar.gz",
        "T\t200\t2.0\tsvn/env/2012/08/04/171121/env-2.tar.gz",
        "D\t40\t2.0\tsvn/env/2012/08/04/171121/env-2.tar.gz.dna",
        "C\tsvn/env/2012/08/04/171121/env-2.tar.gz.dna",
        f"{{'dig': '{DIGEST}', 'size': 200}}",
    )
    + b"\0E\t0\0"
)


class Script:
    """What the fake node answers: per command kind ("listing", "md5"), a list of steps."""

    def __init__(self, **steps: object) -> None:
        self.steps = steps
        self.commands: list[str] = []
        self.opened = 0
        self.closed = 0


class FakeSession:
    def __init__(self, script: Script) -> None:
        self.script = script

    async def run(self, command: str, sink: Callable[[bytes], None]) -> Finished:
        self.script.commands.append(command)
        kind = "md5" if "md5sum" in command else "listing"
        step = self.script.steps[kind]
        if isinstance(step, BaseException):
            raise step
        if step == "hang":
            await asyncio.sleep(3600)
        assert isinstance(step, bytes)
        half = len(step) // 2
        sink(step[:half])  # in two chunks: the parser must not care
        sink(step[half:])
        return Finished(0, "")

    async def close(self) -> None:
        self.script.closed += 1


class FakeTransport:
    def __init__(self, script: Script, refuse: str | None = None, hang: bool = False) -> None:
        self.script, self.refuse, self.hang = script, refuse, hang

    async def open(self) -> FakeSession:
        self.script.opened += 1
        if self.refuse:
            raise NodeError(self.refuse)
        if self.hang:
            await asyncio.sleep(3600)
        return FakeSession(self.script)


def poll(transport: FakeTransport, jobs: Sequence[Job], timeout: float = 5.0, known=None) -> list[Outcome]:
    return asyncio.run(poll_node(transport, jobs, timedelta(seconds=timeout), Quiet(), known))


def job(hub: str = "ZZ", md5: bool = False, hash_timeout: float = 5.0) -> Job:
    return Job(hub, "SDU", ROOT, UTC, md5, timedelta(seconds=hash_timeout))


def test_one_connection_and_one_listing_per_job_and_the_session_closed():
    script = Script(listing=LISTING)
    out = poll(FakeTransport(script), [job("ZZ"), job("YY")])
    assert [o.ok for o in out] == [True, True]
    assert script.opened == 1 and script.closed == 1 and len(script.commands) == 2
    snap = out[0].snap
    assert snap is not None and snap.complete
    assert [(t.item, t.size) for t in snap.tarballs] == [("svn/env", 100), ("svn/env", 200)]
    assert snap.tarballs[1].digest == DIGEST


def test_a_refused_connection_is_every_jobs_reason():
    script = Script(listing=LISTING)
    out = poll(FakeTransport(script, refuse="connection refused by SDU"), [job("ZZ"), job("YY")])
    assert [(o.ok, o.reason) for o in out] == [(False, "connection refused by SDU")] * 2
    assert script.commands == []


def test_a_node_that_never_answers_times_out_on_connecting():
    out = poll(FakeTransport(Script(), hang=True), [job()], timeout=0.2)
    assert not out[0].ok and "connection timed out" in (out[0].reason or "")


def test_a_listing_past_the_timeout_fails_that_job_and_the_session_is_closed():
    script = Script(listing="hang")
    out = poll(FakeTransport(script), [job()], timeout=0.2)
    assert not out[0].ok and "did not finish within" in (out[0].reason or "")
    assert script.closed == 1


def test_a_session_dropped_mid_listing_is_the_reason_and_the_next_job_still_runs():
    script = Script(listing=NodeError("connection to SDU lost: reset"))
    out = poll(FakeTransport(script), [job("ZZ"), job("YY")])
    assert [(o.ok, o.reason) for o in out] == [(False, "connection to SDU lost: reset")] * 2
    assert len(script.commands) == 2 and script.closed == 1


def test_md5_runs_after_the_listing_only_for_the_newest_tarball_with_a_dna():
    md5 = f"{DIGEST}  svn/env/2012/08/04/171121/env-2.tar.gz\n".encode()
    script = Script(listing=LISTING, md5=md5)
    out = poll(FakeTransport(script), [job(md5=True)])
    assert len(script.commands) == 2 and "md5sum" in script.commands[1]
    assert "env-2.tar.gz" in script.commands[1] and "env-1.tar.gz" not in script.commands[1]
    assert out[0].md5s == {f"{ROOT}/svn/env/2012/08/04/171121/env-2.tar.gz": DIGEST}
    assert out[0].warning is None


def test_md5_is_skipped_for_a_tarball_hashed_already_as_it_is():
    async def known(hub: str, node: str) -> dict[str, tuple[int, float]]:
        return {f"{ROOT}/svn/env/2012/08/04/171121/env-2.tar.gz": (200, 2.0)}

    script = Script(listing=LISTING, md5=b"")
    out = poll(FakeTransport(script), [job(md5=True)], known=known)
    assert len(script.commands) == 1 and out[0].ok and out[0].md5s == {}


@pytest.mark.parametrize(
    ("step", "said"),
    [("hang", "timed out after"), (NodeError("connection to SDU lost"), "connection to SDU lost")],
)
def test_an_md5_that_fails_is_a_warning_and_the_listing_stands(step, said):
    script = Script(listing=LISTING, md5=step)
    out = poll(FakeTransport(script), [job(md5=True, hash_timeout=0.2)])
    assert out[0].ok and out[0].snap is not None and len(out[0].snap.tarballs) == 2
    assert said in (out[0].warning or "")
