"""The one seam for sending: a transport delivers a message to a channel, or raises
TransportError saying whether retrying can help."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tarwatch.records import Channel


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message as sent: subject, plain text and HTML (a channel takes what it shows best)."""

    subject: str
    text: str
    html: str


class TransportError(Exception):
    """A send that failed, with a reason for people (secrets redacted); `permanent` when
    retrying cannot help (a URL no transport understands), else it is retried next run."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Transport(Protocol):
    """Sends messages to channels."""

    def send(self, channel: Channel, message: Outgoing) -> None:
        """Given a channel and a message, send it; raise TransportError if it was not sent."""
        ...
