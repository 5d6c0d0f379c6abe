"""The one context builder: what the page templates get. Templates never query; every URL in
them is relative to the page, computed here (so the site works under any base URL and from
disk)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tarwatch import __version__, human
from tarwatch.config import Config
from tarwatch.publish import diskimage, paths
from tarwatch.publish.palette import COLORS, COUNT_COLOR

SCRIPTS = (
    "format.js",
    "load.js",
    "overview.js",
    "hub.js",
    "views.js",
    "nav.js",
    "live.js",
    "chart.js",
    "stockchart.js",
    "main.js",
)
"""The page's scripts under static/, in the order they are loaded (classic scripts sharing the
namespace window.tarwatch; each one's first lines say what it does)."""


@dataclass(frozen=True)
class HubShape:
    """What a hub's page is made of: its tag, srvnode, note, link and nodes (source first)."""

    tag: str
    srvnode: str
    description: str
    url: str | None
    nodes: tuple[str, ...]


def shapes(config: Config) -> list[HubShape]:
    """Given the configuration, return the shape of every hub's page. The site is read by more
    people than the hub's operators: the hub's `url` is linked without its credentials."""
    from tarwatch.redact import without_secrets

    return [
        HubShape(
            tag,
            h.srvnode,
            h.description,
            without_secrets(h.url) if h.url else None,
            tuple(config.hub_nodes(tag)),
        )
        for tag, h in config.hubs.items()
    ]


def page_facts() -> dict[str, Any]:
    """Return what the page's scripts format with (embedded as #tw-facts): the facts of
    tarwatch.human, and the charts' colours."""
    return {**human.facts(), "chart": {"colors": list(COLORS), "count": COUNT_COLOR}}


def page_context(
    page: str, hubs: list[HubShape], stale_hours: float, hub: HubShape | None = None
) -> dict[str, Any]:
    """Given the page's path in the site, every hub's shape, the hours after which data is
    stale and (for a hub page) its hub, return the template's context."""

    def u(path: str) -> str:
        return paths.url(path, page)

    ctx: dict[str, Any] = {
        "facts": page_facts(),
        "scripts": [u("static/" + name) for name in SCRIPTS],
        "page": "hub" if hub else "index",
        "title": f"Hub {hub.tag}" if hub else "Backups",
        "version": __version__,
        "static": u("static/"),
        "home": u("index.html"),
        "hubs": [{"tag": h.tag, "page": u(paths.hub_page(h.tag)), "nodes": h.nodes} for h in hubs],
        "site": {
            "status": {"json": u(paths.STATUS_JSON), "js": u(paths.STATUS_JS), "key": "status"},
            "stale_hours": stale_hours,
            "home": u("index.html"),
            "static": u("static/"),
            "hubs": {h.tag: {"page": u(paths.hub_page(h.tag)), "nodes": node_files(h, u)} for h in hubs},
        },
    }
    if hub:
        ctx["hub"] = {
            "tag": hub.tag,
            "srvnode": hub.srvnode,
            "description": hub.description,
            "url": hub.url,
            "nodes": [{"tag": n, **files} for n, files in node_files(hub, u).items()],
        }
    return ctx


def node_files(hub: HubShape, u: Callable[[str], str]) -> dict[str, dict[str, str]]:
    """Given a hub's shape and the page's URL maker, return per node of the hub the anchor of
    its section on the hub page, the key of its data, and the URLs of its data and images
    (the overview's item views load the data of the hub's nodes from them)."""
    return {
        n: {
            "anchor": "node-" + paths.safe_name(n),
            "key": f"{hub.tag}/{n}",
            "json": u(paths.node_data(hub.tag, n, "json")),
            "js": u(paths.node_data(hub.tag, n, "js")),
            "svg": u(paths.node_image(hub.tag, n, "svg")),
            "png": u(paths.node_image(hub.tag, n, "png")),
            "disk_png": u(diskimage.image_path(hub.tag, n)),
        }
        for n in hub.nodes
    }
