"""A hub's channels: its `notify` Apprise URLs, and one mail channel per legacy `email` address,
sent through the configured SMTP server ([notify.mail])."""

from __future__ import annotations

from urllib.parse import quote

from tarwatch.config.models import Config, Mail
from tarwatch.records import Channel

SMTP_MODES = {"none": "insecure", "starttls": "starttls", "ssl": "ssl"}
SMTP_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


def hub_channels(config: Config, hub: str) -> list[Channel]:
    """Given the configuration and a hub tag, return the hub's channels, each once."""
    h = config.hubs[hub]
    urls = [*h.notify, *(mail_url(config.notify.mail, address) for address in h.email)]
    return [Channel.of(u) for u in dict.fromkeys(urls)]


def mail_url(mail: Mail, address: str) -> str:
    """Given the SMTP settings and an address, return the Apprise mailto:// URL that mails it."""
    login = ""
    if mail.smtp_user:
        login = quote(mail.smtp_user, safe="")
        if mail.smtp_password:
            login += ":" + quote(mail.smtp_password.get_secret_value(), safe="")
        login += "@"
    port = mail.smtp_port or SMTP_PORTS[mail.smtp_security]
    query = "&".join(
        f"{k}={quote(v, safe='@')}"
        for k, v in (
            ("smtp", mail.smtp_host),
            ("from", mail.sender),
            ("to", address),
            ("mode", SMTP_MODES[mail.smtp_security]),
        )
    )
    return f"mailto://{login}{_host(mail.smtp_host)}:{port}?{query}"


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
