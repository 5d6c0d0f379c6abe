"""Secrets inside URLs (user:password@, tokens in paths, keys and passwords in query strings)
are never printed: every URL shown in logs, messages, pages or `config show` goes through here."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

MASK = "***"
# query keys (and Apprise's "+Header" keys) whose values are secrets
_SECRET_KEY = re.compile(r"pass|pwd|token|key|secret|auth|sig|cookie|session|credential", re.I)
# schemes whose host and path are addresses, not credentials; in every other scheme (slack://,
# discord://, tgram://, …) Apprise takes tokens from the host and the path
_ADDRESSED = {
    "http", "https", "json", "jsons", "xml", "xmls", "form", "forms", "mailto", "mailtos",
    "matrix", "matrixs", "ntfy", "ntfys", "sqlite", "postgresql", "postgres",
}  # fmt: skip
# schemes whose path is never a secret (a file, a database, recipients)
_PLAIN_PATH = {"sqlite", "postgresql", "postgres", "mailto", "mailtos"}
# a path segment that looks generated: long, with letters and digits
_TOKEN = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_\-.~%+=]{16,}$")


def secrets_of(url: str) -> list[str]:
    """Given a URL, return the secrets in it (its password, secret query values, tokens in its
    host or path), longest first."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return [url]
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    found = [unquote(password), password] if password else []
    for k, v in parse_qsl(parts.query, keep_blank_values=True):
        if v and _SECRET_KEY.search(k):
            found.append(v)
    scheme = parts.scheme.split("+")[0].lower()
    addressed = scheme in _ADDRESSED
    pieces = [] if addressed else [user, hostport]
    if scheme not in _PLAIN_PATH:
        pieces += [unquote(p) for p in parts.path.split("/")]
    for p in pieces:
        if p and not p.startswith(("#", "@")) and ((not addressed and len(p) >= 4) or _TOKEN.match(p)):
            found.append(p)
    found += [quote(s, safe="") for s in found if quote(s, safe="") != s]
    return sorted(set(found), key=len, reverse=True)


def scrub(text: str, secrets: list[str]) -> str:
    """Given a text and secrets, return the text with every secret masked."""
    for s in sorted(secrets, key=len, reverse=True):
        if s:
            text = text.replace(s, MASK)
    return text


def redact_url(url: str) -> str:
    """Given a URL, return it with its secrets masked: "mailto://bob:***@smtp.example.org",
    "slack://***/***/***/#ops"."""
    head, sep, query = url.partition("?")
    head = scrub(head, secrets_of(url))
    if not sep:
        return head
    pairs = []
    for pair in query.split("&"):
        k, eq, v = pair.partition("=")
        pairs.append(f"{k}{eq}{MASK}" if eq and v and _SECRET_KEY.search(unquote(k)) else pair)
    return f"{head}?{'&'.join(pairs)}"


def without_secrets(url: str) -> str:
    """Given a URL for people to open (a web page), return it without its credentials: no
    `user:password@`, no query pairs whose key names a secret. The link still leads to the page
    (whose server asks for a login); for the published site, where secrets never go."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_url(url)
    netloc = parts.netloc.rpartition("@")[2]
    pairs = [p for p in parts.query.split("&") if p and not _SECRET_KEY.search(unquote(p.partition("=")[0]))]
    return urlunsplit((parts.scheme, netloc, parts.path, "&".join(pairs), parts.fragment))


def redact_config(data: dict[str, Any]) -> dict[str, Any]:
    """Given the configuration as data (`config show`), return it with every secret masked: the
    store's URL, the site's `publish.url`, the hubs' `url` and `notify` URLs and the SMTP
    password."""
    out = dict(data)
    if "url" in out.get("store", {}):
        out["store"] = {**out["store"], "url": redact_url(out["store"]["url"])}
    if out.get("publish", {}).get("url"):
        out["publish"] = {**out["publish"], "url": redact_url(out["publish"]["url"])}
    if "hubs" in out:
        out["hubs"] = {tag: _redact_hub(hub) for tag, hub in out["hubs"].items()}
    mail = out.get("notify", {}).get("mail", {})
    if mail.get("smtp_password"):
        out["notify"] = {**out["notify"], "mail": {**mail, "smtp_password": MASK}}
    return out


def _redact_hub(hub: dict[str, Any]) -> dict[str, Any]:
    hub = dict(hub)
    if "notify" in hub:
        hub["notify"] = [redact_url(u) for u in hub["notify"]]
    if hub.get("url"):
        hub["url"] = redact_url(hub["url"])
    return hub
