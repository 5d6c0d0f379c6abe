"""Where things are in the site, in one place: file names made safe from hub and node tags, and
the relative URLs pages use (so the site works under any base URL and from disk)."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import quote

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def safe_name(tag: str) -> str:
    """Given a hub or node tag, return a file name for it: anything outside [A-Za-z0-9_.-] is
    percent-encoded ("Z9:229" → "Z9%3A229"), and so are the dots of "." and ".."."""
    name = _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), tag)
    return name.replace(".", "%2E") if name in ("", ".", "..") else name


def hub_page(hub: str) -> str:
    """Given a hub tag, return its page's path in the site."""
    return f"hub/{safe_name(hub)}.html"


def node_data(hub: str, node: str, ext: str) -> str:
    """Given a (hub, node) and "json" or "js", return the path of its series data."""
    return f"data/{safe_name(hub)}/{safe_name(node)}.{ext}"


def node_image(hub: str, node: str, ext: str) -> str:
    """Given a (hub, node) and "svg" or "png", return the path of its chart image."""
    return f"img/{safe_name(hub)}/{safe_name(node)}.{ext}"


STATUS_JSON = "data/status.json"
STATUS_JS = "data/status.js"


def url(path: str, page: str) -> str:
    """Given a site path and the path of the page linking to it, return the relative URL
    (percent-encoded: a file named "Z9%3A229.json" is linked as "Z9%253A229.json")."""
    depth = len(PurePosixPath(page).parts) - 1
    return "../" * depth + quote(path)
