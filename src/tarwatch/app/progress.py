"""What a nightly run tells whoever shows it, step by step: the collector's progress node by
node, then the report, what notify did and what publish wrote; and Quiet, which shows nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from tarwatch.checks import Report
from tarwatch.collect.poll import Outcome as Listed
from tarwatch.collect.poll import Progress as CollectProgress

if TYPE_CHECKING:
    from tarwatch.notify.run import Outcome as Notified
    from tarwatch.publish.site import Summary


class Progress(CollectProgress, Protocol):
    """The collector's Progress, and the steps of a nightly run after it."""

    def checked(self, report: Report) -> None: ...
    def notified(self, outcome: Notified) -> None: ...
    def published(self, summary: Summary) -> None: ...


class Quiet:
    """A Progress that shows nothing."""

    def started(self, node: str) -> None: ...
    def files(self, node: str, count: int) -> None: ...
    def finished(self, node: str, outcomes: Sequence[Listed]) -> None: ...
    def checked(self, report: Report) -> None: ...
    def notified(self, outcome: Notified) -> None: ...
    def published(self, summary: Summary) -> None: ...
