"""Sending through Apprise (https://github.com/caronc/Apprise): e-mail (mailto://, as HTML with
a plain text part), Slack, Matrix, ntfy, webhooks (json://) and the rest of its services."""

from __future__ import annotations

import logging

from tarwatch.notify.transport import Outgoing, TransportError
from tarwatch.records import Channel
from tarwatch.redact import scrub, secrets_of

log = logging.getLogger("tarwatch.notify")


class AppriseTransport:
    """A Transport through Apprise: a channel that shows HTML gets the HTML (mail: with a plain
    text part made from it), any other the plain text."""

    def __init__(self) -> None:
        import apprise

        self._apprise = apprise
        # Apprise's own log lines may name URLs: they reach people only through TransportError,
        # redacted, never through the root logger.
        logging.getLogger("apprise").propagate = False
        self._asset = apprise.AppriseAsset(app_id="tarwatch", app_desc="tarwatch", app_url="")

    def send(self, channel: Channel, message: Outgoing) -> None:
        """Given a channel and a message, send it; raise TransportError (permanent for a URL
        Apprise does not understand) with Apprise's own reason, secrets redacted."""
        ap = self._apprise
        with ap.LogCapture(level=logging.INFO) as captured:
            plugin = ap.Apprise.instantiate(channel.url, asset=self._asset)
            if plugin is None:
                raise TransportError(
                    f"{channel.label} is not an Apprise URL tarwatch can use"
                    + _why(captured.getvalue(), channel),
                    permanent=True,
                )
            html = _prefers(plugin.notify_format) == ap.NotifyFormat.HTML
            ok = plugin.notify(
                body=message.html if html else message.text,
                title=message.subject,
                body_format=ap.NotifyFormat.HTML if html else ap.NotifyFormat.TEXT,
            )
        if not ok:
            raise TransportError(f"sending to {channel.label} failed" + _why(captured.getvalue(), channel))
        log.debug("sent %r to %s", message.subject, channel.label)


def _prefers(notify_format: object) -> object:
    """Given a plugin's notify_format (one format, or from Apprise 1.9 on the formats it takes,
    preferred first), return its preferred format."""
    return notify_format[0] if isinstance(notify_format, tuple | list) else notify_format


def _why(logged: str, channel: Channel) -> str:
    """Given what Apprise logged, return its warnings and errors as ": reason; reason", redacted."""
    lines = [
        line.split(" - ", 2)[-1].strip()
        for line in logged.splitlines()
        if " - WARNING - " in line or " - ERROR - " in line
    ]
    return (": " + "; ".join(scrub(line, secrets_of(channel.url)) for line in lines)) if lines else ""
