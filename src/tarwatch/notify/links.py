"""The link in a hub's message to its page: `publish.url` joined with the hub's page (by URL
rules: the path joined, the query and fragment kept where they belong), else the hub's `url`.

Such a URL may carry a credential (a token in the query, `user:password@`). The reader needs it
to open the page, and a message goes only to the hub's own channels: what is sent carries the
link in full. What is kept in the store and printed (`notify --dry-run`, logs) has it redacted;
the full link is put back only as a message is handed to a channel."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

from markupsafe import escape

from tarwatch.config.models import Config
from tarwatch.notify.transport import Outgoing
from tarwatch.redact import redact_url


def join(base: str, path: str) -> str:
    """Given a base URL (a folder, with or without its trailing "/", maybe with a query and a
    fragment) and a relative path in it, return the URL of that path, query and fragment kept:
    ("https://x/tw?token=t", "hub/ZZ.html") → "https://x/tw/hub/ZZ.html?token=t"."""
    parts = urlsplit(base)
    folder = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urlunsplit((parts.scheme, parts.netloc, folder + quote(path), parts.query, parts.fragment))


def hub_link(config: Config, hub: str) -> str | None:
    """Given a hub tag, return the URL of its page, in full: the dashboard's (publish.url),
    else the hub's own `url`."""
    from tarwatch.publish.paths import hub_page

    if config.publish.url:
        return join(config.publish.url, hub_page(hub))
    return config.hubs[hub].url


def links(config: Config, hubs: list[str]) -> dict[str, str]:
    """Given hub tags, return each one's page link in full, for those that have one."""
    return {h: link for h in hubs if (link := hub_link(config, h))}


def reveal(message: Outgoing, link: str | None) -> Outgoing:
    """Given a message as kept (its link redacted) and the hub's link in full, return the message
    to send: the redacted link replaced by the full one in the subject, text and HTML."""
    if not link:
        return message
    shown = redact_url(link)
    if shown == link:
        return message
    return Outgoing(
        message.subject,
        message.text.replace(shown, link),
        message.html.replace(str(escape(shown)), str(escape(link))),
    )
