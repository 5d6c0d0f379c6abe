"""Trying a channel before it matters (for `tarwatch doctor`): does Apprise understand its URL,
and does a short test message get through (Apprise's notify() result: accepted at the SMTP or
HTTP level, not read by anyone yet)."""

from __future__ import annotations

import logging
import socket
from typing import Any

from tarwatch.notify.transport import Outgoing, TransportError
from tarwatch.records import Channel
from tarwatch.redact import scrub, secrets_of


def unusable(channel: Channel) -> str | None:
    """Given a channel, return why Apprise cannot make a notifier of its URL (an unknown scheme,
    a malformed address), or None when it can. Nothing is sent."""
    import apprise

    ap: Any = apprise  # its LogCapture is untyped
    logging.getLogger("apprise").propagate = False
    with ap.LogCapture(level=logging.WARNING) as captured:
        plugin = ap.Apprise.instantiate(channel.url)
    if plugin is not None:
        return None
    scheme = channel.url.split("://", 1)[0] if "://" in channel.url else ""
    why = f"Apprise does not know the scheme {scheme}://" if scheme else "not an Apprise URL"
    reasons = [
        scrub(reason, secrets_of(channel.url))
        for line in captured.getvalue().splitlines()
        if (reason := line.split(" - ", 2)[-1].strip()) and "://" not in reason
    ]
    return why + (f" ({'; '.join(reasons)})" if reasons else "")


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
