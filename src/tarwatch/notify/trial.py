"""Trying a channel before it matters (for `tarwatch doctor --send-test`): does a short test
message get through (Apprise's notify() result: accepted at the SMTP or HTTP level, not read by
anyone yet). Whether Apprise understands a URL at all is channels.validate_channels."""

from __future__ import annotations

import socket

from tarwatch.notify.transport import Outgoing, TransportError
from tarwatch.records import Channel


def trial_message(hub: str) -> Outgoing:
    """Given a hub tag, return the short test message doctor sends to its channels."""
    host = socket.gethostname()
    subject = f"tarwatch doctor: test message for {hub}"
    text = (
        f"This is a test message from `tarwatch doctor --send-test` on {host} for hub {hub}.\n"
        "It arrived: this channel works. Nothing is wrong.\n"
    )
    html = f"<p>{text.splitlines()[0]}</p><p>{text.splitlines()[1]}</p>".replace("`", "")
    return Outgoing(subject, text, html)


def send_test(channel: Channel, hub: str) -> str | None:
    """Given a channel and its hub, send it one test message; return None when Apprise says it
    was accepted, else the reason it was not (secrets redacted)."""
    from tarwatch.notify.apprise_transport import AppriseTransport

    try:
        AppriseTransport().send(channel, trial_message(hub))
    except TransportError as e:
        return e.reason
    return None
