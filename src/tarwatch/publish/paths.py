"""Where things are in the site, in one place: file names made safe from hub and node tags, and
the relative URLs pages use (so the site works under any base URL and from disk).

A name becomes a file name by `safe_name`, which is one-to-one (two names never share a file):

- every character outside [A-Za-z0-9_.-] is percent-encoded as its UTF-8 bytes ("Z9:229" →
  "Z9%3A229", "a/b" → "a%2Fb", "%" → "%25"), and so is a leading dot (".x" → "%2Ex", so no
  name is ".", "..", a hidden file or one of the site's own dot files);
- a name longer than NAME_MAX characters once encoded keeps its first part and ends with "~"
  and 16 hex digits of a hash of the whole name ("~" is always encoded otherwise, so a cut name
  never equals an uncut one);
- a hub's folder under data/ (and img/) that would be one of the site's own files or folders
  there (status.json, status.js, badge) has its first letter encoded ("%73tatus.json",
  "%62adge"), which the rules above never do;
- under img/badge/, where a hub has a file (<hub>.svg) and a folder (<hub>/), a hub folder
  whose name ends with ".svg" has that dot encoded ("X.svg" → "X%2Esvg"), so it is never
  another hub's file: the rules above never encode a dot but a leading one.

Every path written is also checked by `within` to lie inside its folder, whatever the name."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from tarwatch.errors import TarwatchError

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
NAME_MAX = 180  # characters of a name part: file systems allow 255 bytes, less ".json", temp affixes
_HASH_HEX = 16

STATUS_JSON = "data/status.json"
STATUS_JS = "data/status.js"
BADGES = "img/badge"
_RESERVED = frozenset(PurePosixPath(p).name for p in (STATUS_JSON, STATUS_JS, BADGES))


def _encode(text: str) -> str:
    return "".join(f"%{b:02X}" for b in text.encode("utf-8", "surrogatepass"))


def safe_name(tag: str) -> str:
    """Given a hub or node tag, return a file name for it (see the module's docstring): the tag
    itself when it is made of [A-Za-z0-9_.-] and does not start with a dot; raise
    TarwatchError for an empty tag."""
    if not tag:
        raise TarwatchError("an empty name cannot be made a file name")
    name = _UNSAFE.sub(lambda m: _encode(m.group()), tag)
    if name.startswith("."):
        name = "%2E" + name[1:]
    if len(name) > NAME_MAX:
        digest = hashlib.blake2b(tag.encode("utf-8", "surrogatepass"), digest_size=_HASH_HEX // 2)
        cut = re.sub(r"%[0-9A-F]?$", "", name[: NAME_MAX - 1 - _HASH_HEX])  # no half a %XX
        name = f"{cut}~{digest.hexdigest()}"
    return name


def plain_name(tag: str) -> str:
    """Given a node tag, return it as it is when it is a plain file name (not empty, no "/",
    NUL, "%" or "~", no leading dot, not longer than NAME_MAX bytes), else `safe_name(tag)`,
    which always holds a "%" or a "~": so no two tags share a name. For the legacy `jspath`,
    whose files the seed named with the node's tag as it is."""
    plain = (
        tag
        and not tag.startswith(".")
        and not any(c in tag for c in "/\0%~")
        and len(tag.encode("utf-8", "surrogatepass")) <= NAME_MAX
    )
    return tag if plain else safe_name(tag)


def _hub_folder(hub: str) -> str:
    name = safe_name(hub)
    return _encode(name[0]) + name[1:] if name in _RESERVED else name


def hub_page(hub: str) -> str:
    """Given a hub tag, return its page's path in the site."""
    return f"hub/{safe_name(hub)}.html"


def node_data(hub: str, node: str, ext: str) -> str:
    """Given a (hub, node) and "json" or "js", return the path of its series data."""
    return f"data/{_hub_folder(hub)}/{safe_name(node)}.{ext}"


def node_folders(hub: str) -> tuple[str, str]:
    """Given a hub tag, return the folders of its nodes' data and images in the site."""
    return f"data/{_hub_folder(hub)}", f"img/{_hub_folder(hub)}"


def node_image(hub: str, node: str, ext: str) -> str:
    """Given a (hub, node) and "svg" or "png", return the path of its chart image."""
    return f"img/{_hub_folder(hub)}/{safe_name(node)}.{ext}"


def hub_badge(hub: str) -> str:
    """Given a hub tag, return the path of its status badge."""
    return f"{BADGES}/{safe_name(hub)}.svg"


def node_badge(hub: str, node: str) -> str:
    """Given a (hub, node), return the path of the node's status badge."""
    folder = safe_name(hub)
    if folder.endswith(".svg"):
        folder = folder[:-4] + "%2Esvg"
    return f"{BADGES}/{folder}/{safe_name(node)}.svg"


def within(folder: Path | str, path: Path | str) -> Path:
    """Given a folder and a path (relative to it, or absolute), return the path joined to the
    folder; raise TarwatchError unless it lies strictly inside the folder.

    The test is on the normalised path (no "..", no "."), not on one with symlinks resolved:
    names cannot make symlinks, and a folder of the site that the admin made a symlink (to
    another disk) must keep working."""
    joined = Path(folder, path)
    base = os.path.normpath(os.path.abspath(folder))
    full = os.path.normpath(os.path.abspath(joined))
    if "\0" in str(joined) or full == base or os.path.commonpath([base, full]) != base:
        raise TarwatchError(f"refusing to write {str(joined)!r}: it is not inside {str(folder)!r}")
    return joined


def url(path: str, page: str) -> str:
    """Given a site path and the path of the page linking to it, return the relative URL
    (percent-encoded: a file named "Z9%3A229.json" is linked as "Z9%253A229.json")."""
    depth = len(PurePosixPath(page).parts) - 1
    return "../" * depth + quote(path)
