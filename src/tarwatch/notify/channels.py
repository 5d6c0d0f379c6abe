"""A hub's channels: its `notify` Apprise URLs, and one mail channel per legacy `email` address,
sent through the configured SMTP server ([notify.mail])."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from tarwatch.config.models import Config, Mail, NamedChannel, is_url
from tarwatch.config.toml import toml_key
from tarwatch.notify.routing import Route
from tarwatch.records import Channel, Status

SMTP_MODES = {"none": "insecure", "starttls": "starttls", "ssl": "ssl"}
SMTP_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


def hub_channels(config: Config, hub: str) -> list[Channel]:
    """Given the configuration and a hub tag, return the hub's channels, each once."""
    return [r.channel for r in hub_routes(config, hub)]


def hub_routes(config: Config, hub: str) -> list[Route]:
    """Given the configuration and a hub tag, return the hub's channels with their routing, each
    once (the first mention wins): its `notify` URLs and named channels, its `email` addresses,
    then the named channels whose `hubs` list it."""
    routes: dict[str, Route] = {}
    for _key, r in _keyed_routes(config, hub):
        routes.setdefault(r.channel.id, r)
    return list(routes.values())


def _keyed_routes(config: Config, hub: str) -> list[tuple[str, Route]]:
    """Given a hub tag, return its routes, each with the key configuring it."""
    h, named = config.hubs[hub], config.notify.channels
    at = f"hubs.{toml_key(hub)}"
    out: list[tuple[str, Route]] = []
    for i, entry in enumerate(h.notify):
        if is_url(entry):
            out.append((f"{at}.notify[{i}]", Route(Channel.of(entry))))
        else:
            out.append((f"notify.channels.{toml_key(entry)}.url", _route(named[entry])))
    out += [
        (f"{at}.email[{i}]", Route(Channel.of(mail_url(config.notify.mail, a))))
        for i, a in enumerate(h.email)
    ]
    out += [
        (f"notify.channels.{toml_key(name)}.url", _route(c))
        for name, c in named.items()
        if hub in c.hubs and name not in h.notify
    ]
    return out


def _route(c: NamedChannel) -> Route:
    return Route(Channel.of(c.url), frozenset(Status(s) for s in c.statuses), c.reminders, c.all_well)


@dataclass(frozen=True)
class ChannelProblem:
    """A channel Apprise cannot use: the key that configures it, its label (secrets redacted)
    and why."""

    key: str
    label: str
    problem: str


def validate_channels(config: Config, hubs: list[str] | None = None) -> list[ChannelProblem]:
    """Given the configuration (and optionally the hubs to look at; default: all), return every
    channel Apprise cannot make a notifier of, named by its key: `hubs.ZZ.notify[0]`,
    `hubs.ZZ.email[0]` for a mail channel, `notify.channels.NAME.url` for a named one. Imports
    Apprise and loads its plugins (about a second), so only the commands that send call it:
    notify, run, doctor."""
    keyed = {
        (key, route.channel.url): None
        for hub in (config.hubs if hubs is None else hubs)
        for key, route in _keyed_routes(config, hub)
    }
    if not keyed:
        return []  # nothing to check: Apprise is not loaded
    import logging

    import apprise

    logging.getLogger("apprise").propagate = False
    out: list[ChannelProblem] = []
    for key, url in keyed:
        with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
            plugin = apprise.Apprise.instantiate(url)
        if plugin is None:
            out.append(ChannelProblem(key, Channel.of(url).label, _unusable(url, captured.getvalue())))
    return out


def _unusable(url: str, logged: str) -> str:
    """Given a URL Apprise refused and what it logged, return why, secrets redacted."""
    from tarwatch.redact import scrub, secrets_of

    scheme = url.split("://", 1)[0] if "://" in url else ""
    # Apprise's lines that echo the URL show a secret's first and last character: left out.
    reasons = [
        scrub(reason, secrets_of(url))
        for line in logged.splitlines()
        if (reason := line.split(" - ", 2)[-1].strip()) and "://" not in reason
    ]
    if not scheme:
        why = "expected an Apprise URL such as mailto://… or json://…"
    else:
        why = f"Apprise cannot use this {scheme}:// URL"
    if reasons:
        why += " (" + "; ".join(reasons) + ")"
    return why + "; the services and their URLs: https://github.com/caronc/apprise/wiki"


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
