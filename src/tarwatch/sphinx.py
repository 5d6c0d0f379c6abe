"""A Sphinx extension: tarwatch's status, charts and badges in documentation, drawn from a
published site's JSON when the page is viewed (no rebuild after each nightly run).

    extensions = ["tarwatch.sphinx"]
    tarwatch_site = "https://example.org/tarwatch/"   # the published site (or :site: per directive)

    .. tarwatch-status:: ZZ                   the nodes × items grid of hub ZZ, and the data's age
    .. tarwatch-chart:: ZZ/SDU                node SDU's chart; the server image until it is drawn
    .. tarwatch-badge:: ZZ/SDU                the badge of hub ZZ (ZZ) or of its node SDU (ZZ/SDU),
    :tarwatch-badge:`ZZ`                      as a block or inline, linking to the hub's page
    .. stockchart:: /data/scm_backup_monitor_SDU.json container_SDU
                                              the seed's directive: its Highstock JSON, drawn
                                              with uPlot (no Highcharts needed)

Status and chart are figures with a caption (`:caption:`, a sensible one by default; an empty
`:caption:` drops it) and take `:name:` for references; the badge and stockchart directives take
a caption too, none by default.

Every hub and node named is checked at build time against the site's status.json (or
`tarwatch_status`): an unknown one is a warning (type "tarwatch", so `sphinx-build -W` fails
and `suppress_warnings = ["tarwatch"]` silences it), as is a status.json that cannot be read;
`tarwatch_check = False` turns the check off. The names are read once per build, after every
page is read (env-check-consistency), and pages naming hubs are read again when the names in
status.json changed since the last build.

A relative `tarwatch_site` is relative to the root of the built HTML (the html builder's), a
relative `:site:` to the page it is on. The page's scripts and styles (uPlot, tarwatch's scripts
and tarwatch.css) are copied into `_static/tarwatch/` and added to every HTML page, after the
facts they format with (#tw-facts, as in the published pages).
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.parsers.rst.states import Inliner
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.fileutil import copy_asset

from tarwatch import __version__
from tarwatch.publish import paths
from tarwatch.publish.changes import digest
from tarwatch.publish.context import SCRIPTS as PAGE_SCRIPTS
from tarwatch.publish.context import page_facts
from tarwatch.publish.jsdata import to_json

STATIC = Path(__file__).parent / "publish" / "static"
SCRIPTS = ("tarwatch/vendor/uplot/uPlot.iife.min.js", *(f"tarwatch/{name}" for name in PAGE_SCRIPTS))
STYLES = ("tarwatch/vendor/uplot/uPlot.min.css", "tarwatch/tarwatch.css")
FETCH_TIMEOUT = 10  # seconds to fetch a remote site's status.json at build time
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
URL_PATH = "url-path:"  # where the status of a site given as "/path/" would be: not readable
log = logging.getLogger(__name__)

Names = dict[str, frozenset[str]]  # hub → its nodes


@dataclass(frozen=True)
class Ref:
    """A hub (and node) named by a directive or role: where, and which site it draws from
    (`:site:`, relative to its page, or None for tarwatch_site)."""

    docname: str
    lineno: int
    what: str
    hub: str
    node: str | None
    site: str | None


def _attrs(**values: str) -> str:
    return " ".join(f'{k.rstrip("_").replace("_", "-")}="{escape(v, quote=True)}"' for k, v in values.items())


def _relative(base: str) -> bool:
    return not _SCHEME.match(base) and not base.startswith("/")


def site_url(env: BuildEnvironment, site: str | None, path: str) -> str:
    """Given the environment, a directive's `:site:` (or None), and a path in the site, return
    the path's URL from the current page: a relative `tarwatch_site` is taken from the root of
    the built HTML, a relative `:site:` from the page. Raise ValueError without a site."""
    base: str = site or env.config.tarwatch_site
    if not base:
        raise ValueError("give the published site's URL as :site: or set tarwatch_site")
    up = "../" * env.docname.count("/") if not site and _relative(base) else ""
    return up + base.rstrip("/") + "/" + paths.url(path, "index.html")


def split(argument: str, node_required: bool) -> tuple[str, str | None]:
    """Given "HUB" or "HUB/NODE", return (hub, node or None); raise ValueError when a part is
    empty, or the node is missing where it is required."""
    hub, sep, node = argument.strip().partition("/")
    if not hub or (sep and not node) or (node_required and not node):
        raise ValueError(f"expected {'HUB/NODE' if node_required else 'HUB or HUB/NODE'}, got {argument!r}")
    return hub, node or None


def _refs(env: BuildEnvironment) -> dict[str, list[Ref]]:
    refs: dict[str, list[Ref]] | None = getattr(env, "tarwatch_refs", None)
    if refs is None:
        refs = {}
        env.tarwatch_refs = refs  # type: ignore[attr-defined]
    return refs


def _record(
    env: BuildEnvironment, lineno: int, what: str, hub: str, node: str | None, site: str | None
) -> None:
    _refs(env).setdefault(env.docname, []).append(Ref(env.docname, lineno, what, hub, node, site))


def badge_html(env: BuildEnvironment, hub: str, node: str | None, site: str | None) -> str:
    """Given a hub (and node), return the HTML of its badge, linking to the hub's page."""
    path = paths.hub_badge(hub) if node is None else paths.node_badge(hub, node)
    of = f"hub {hub}" if node is None else f"hub {hub} on node {node}"
    img = _attrs(src=site_url(env, site, path), alt=f"status of the backups of {of}")
    link = escape(site_url(env, site, paths.hub_page(hub)), quote=True)
    return f'<a class="tarwatch-badge" href="{link}"><img {img}></a>'


class _Directive(SphinxDirective):
    """A directive drawing from a published site (`:site:` or `tarwatch_site`), in a figure
    when it has a caption."""

    required_arguments = 1
    final_argument_whitespace = True  # tags may hold spaces
    option_spec = {  # noqa: RUF012 - docutils' interface
        "site": directives.unchanged,
        "caption": directives.unchanged,
        "name": directives.unchanged,
    }
    node_required = True

    def default_caption(self, hub: str, node: str | None) -> str:
        """Given the hub (and node), return the caption shown when none is given."""
        return ""

    def html(self, hub: str, node: str | None) -> str:
        """Given the hub (and node), return the directive's HTML."""
        raise NotImplementedError

    def url(self, path: str) -> str:
        """Given a path in the site, return its URL from this page."""
        try:
            return site_url(self.env, self.options.get("site"), path)
        except ValueError as e:
            raise self.error(f"{self.name}: {e}") from e

    def run(self) -> list[nodes.Node]:
        try:
            hub, node = split(self.arguments[0], self.node_required)
        except ValueError as e:
            raise self.error(f"{self.name}: {e}") from e
        raw = nodes.raw("", self.html(hub, node), format="html")
        _record(self.env, self.lineno, self.name, hub, node, self.options.get("site"))
        figure = _figure(self, raw, self.default_caption(hub, node))
        if figure is None:
            self.add_name(raw)
            return [raw]
        self.add_name(figure[0])
        return figure


def _figure(directive: SphinxDirective, raw: nodes.raw, default: str) -> list[nodes.Node] | None:
    """Given a directive, its raw HTML node and its default caption, return the figure holding
    both (and any message about the caption), or None without a caption: `:caption:` is parsed
    as inline text; none given means the default (taken as it is), an empty one means none."""
    given = directive.options.get("caption")
    if (given is None and not default) or given == "":
        return None
    messages: list[nodes.Node] = []
    if given is None:
        text: list[nodes.Node] = [nodes.Text(default)]
    else:
        parsed, found = directive.state.inline_text(given, directive.lineno)
        text, messages = list(parsed), list(found)
    caption = nodes.caption(given or default, "", *text)
    return [nodes.figure("", raw, caption, classes=["tarwatch-figure"]), *messages]


class StatusDirective(_Directive):
    """`.. tarwatch-status:: HUB`: the hub's nodes × items grid and how old the data is."""

    node_required = False

    def default_caption(self, hub: str, node: str | None) -> str:
        return f"The backups of hub {hub}: each node's items and their status"

    def run(self) -> list[nodes.Node]:
        if "/" in self.arguments[0]:
            raise self.error(f"{self.name}: expected HUB, got {self.arguments[0]!r}")
        return super().run()

    def html(self, hub: str, node: str | None) -> str:
        attrs = _attrs(
            class_="tarwatch-status",
            data_tw_status=hub,
            data_json=self.url(paths.STATUS_JSON),
            data_js=self.url(paths.STATUS_JS),
            data_stale_hours=str(self.config.tarwatch_stale_hours),
        )
        link = escape(self.url(paths.hub_page(hub)), quote=True)
        return f'<div {attrs}><p><a href="{link}">Status of hub {escape(hub)}</a></p></div>'


class ChartDirective(_Directive):
    """`.. tarwatch-chart:: HUB/NODE`: the node's chart, the server image until it is drawn."""

    def default_caption(self, hub: str, node: str | None) -> str:
        return f"The backups of hub {hub} on node {node}: each item's tarball sizes, and tarballs per day"

    def html(self, hub: str, node: str | None) -> str:
        assert node is not None
        attrs = _attrs(
            class_="tarwatch-chart tw-chart",
            data_tw_chart="",
            data_json=self.url(paths.node_data(hub, node, "json")),
            data_js=self.url(paths.node_data(hub, node, "js")),
            data_key=f"{hub}/{node}",
        )
        img = _attrs(
            src=self.url(paths.node_image(hub, node, "png")),
            alt=f"chart of {hub}/{node}: size per item and tarballs per day",
            loading="lazy",
        )
        return f"<div {attrs}><img {img}></div>"


class BadgeDirective(_Directive):
    """`.. tarwatch-badge:: HUB` or `HUB/NODE`: the status badge, linking to the hub's page."""

    node_required = False

    def html(self, hub: str, node: str | None) -> str:
        try:
            return f"<p>{badge_html(self.env, hub, node, self.options.get('site'))}</p>"
        except ValueError as e:
            raise self.error(f"{self.name}: {e}") from e


def badge_role(
    name: str,
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Inliner,
    options: dict[str, Any] | None = None,
    content: Sequence[str] = (),
) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """`:tarwatch-badge:`HUB`` or `HUB/NODE`: the badge inline (from tarwatch_site)."""
    env: BuildEnvironment = inliner.document.settings.env
    try:
        hub, node = split(text, node_required=False)
        html = badge_html(env, hub, node, None)
    except ValueError as e:
        return [], [inliner.reporter.error(f"{name}: {e}", line=lineno)]
    _record(env, lineno, name, hub, node, None)
    return [nodes.raw(rawtext, html, format="html")], []


class StockChartDirective(SphinxDirective):
    """`.. stockchart:: JSONURL CONTAINER`: the seed's directive. Draws the seed's Highstock
    options (series of [ms, value], the count on yAxis 1) with uPlot into a div of that id."""

    required_arguments = 2
    option_spec = {"caption": directives.unchanged}  # noqa: RUF012 - docutils' interface

    def run(self) -> list[nodes.Node]:
        url, container = self.arguments
        attrs = _attrs(id=container, class_="tarwatch-stockchart tw-chart", data_tw_stockchart=url)
        raw = nodes.raw("", f"<div {attrs}></div>", format="html")
        return _figure(self, raw, "") or [raw]


# ---- the names checked at build time --------------------------------------------------------

_read: dict[str, Names | str] = {}  # where → names, or why they could not be read (one build)


def status_source(app: Sphinx, ref: Ref) -> str:
    """Given the app and a reference, return where its site's status.json is read at build
    time: a URL, or an absolute path (a folder is a site, holding data/status.json). A site
    given as a path on the web server ("/tarwatch/") cannot be read: URL_PATH + that path."""
    if ref.site is None and app.config.tarwatch_status:
        where: str = app.config.tarwatch_status
        base = str(app.confdir)
    else:
        where = ref.site or app.config.tarwatch_site
        if where.startswith("/"):
            return URL_PATH + where.rstrip("/") + "/" + paths.STATUS_JSON
        base = str(Path(app.outdir, posixpath.dirname(ref.docname))) if ref.site else str(app.outdir)
    if where.startswith("file://"):
        where = urllib.request.url2pathname(where[len("file://") :])
    elif _SCHEME.match(where):
        return where if where.endswith(".json") else where.rstrip("/") + "/" + paths.STATUS_JSON
    path = Path(base, os.path.expanduser(where))
    return os.path.normpath(path if path.suffix == ".json" else path / paths.STATUS_JSON)


def read_names(where: str) -> Names:
    """Given where a status.json is (URL or path), return its hubs and their nodes. Raise
    OSError or ValueError when it cannot be read or is not a status document."""
    if where.startswith(URL_PATH):
        raise ValueError(
            "the site is a path on the web server (no scheme and host), which the build cannot read: "
            "set tarwatch_status to the site's folder or URL"
        )
    if _SCHEME.match(where):
        with urllib.request.urlopen(where, timeout=FETCH_TIMEOUT) as r:
            raw = r.read()
    else:
        raw = Path(where).read_bytes()
    doc = json.loads(raw)
    if not isinstance(doc, dict) or not isinstance(doc.get("hubs"), list):
        raise ValueError("it is not a tarwatch status document (no list of hubs)")
    return {str(h["hub"]): frozenset(str(n["node"]) for n in h.get("nodes", [])) for h in doc["hubs"]}


def names_at(where: str) -> Names | str:
    """Given where a status.json is, return its names, or why they cannot be read (read once
    per build)."""
    if where not in _read:
        try:
            _read[where] = read_names(where)
        except (OSError, ValueError, KeyError, TypeError) as e:
            _read[where] = getattr(e, "strerror", None) or str(e) or type(e).__name__
    return _read[where]


def problems(ref: Ref, names: Names) -> str | None:
    """Given a reference and the names its site knows, return what is wrong, or None."""
    if ref.hub not in names:
        known = ", ".join(sorted(names)) or "none"
        return f"{ref.what}: no hub {ref.hub!r} in the published status (its hubs: {known})"
    if ref.node is not None and ref.node not in names[ref.hub]:
        known = ", ".join(sorted(names[ref.hub])) or "none"
        return f"{ref.what}: hub {ref.hub!r} has no node {ref.node!r} (its nodes: {known})"
    return None


def _all_refs(env: BuildEnvironment) -> Iterable[Ref]:
    for refs in _refs(env).values():
        yield from refs


def _check(app: Sphinx, env: BuildEnvironment) -> None:
    if not app.config.tarwatch_check:
        return
    unreadable: set[str] = set()
    for ref in sorted(_all_refs(env), key=lambda r: (r.docname, r.lineno)):
        where = status_source(app, ref)
        names = names_at(where)
        if isinstance(names, str):
            if where not in unreadable:
                unreadable.add(where)
                log.warning(
                    "%s: cannot check the hubs and nodes named: cannot read %s: %s (set tarwatch_status "
                    "to the published site or its status.json, or tarwatch_check = False)",
                    ref.what,
                    where.removeprefix(URL_PATH),
                    names,
                    location=(ref.docname, ref.lineno),
                    type="tarwatch",
                    subtype="unreadable",
                )
            continue
        wrong = problems(ref, names)
        if wrong:
            log.warning(wrong, location=(ref.docname, ref.lineno), type="tarwatch", subtype="unknown")


def _outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Pages naming hubs are read again when the names their sites know changed."""
    _read.clear()
    if not app.config.tarwatch_check:
        return []
    seen = {s: names_at(s) for s in sorted({status_source(app, r) for r in _all_refs(env)})}
    now = digest(
        {s: v if isinstance(v, str) else {h: sorted(n) for h, n in v.items()} for s, v in seen.items()}
    )
    before = getattr(env, "tarwatch_names", None)
    env.tarwatch_names = now  # type: ignore[attr-defined]
    return sorted(_refs(env)) if before is not None and before != now else []


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _refs(env).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    mine = _refs(env)
    for docname, refs in _refs(other).items():
        if docname in docnames:
            mine[docname] = refs


def _copy_static(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        copy_asset(str(STATIC), str(Path(app.outdir) / "_static" / "tarwatch"))


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives, role, settings, checks and assets with Sphinx."""
    app.add_config_value("tarwatch_site", "", "html", types=[str])
    app.add_config_value("tarwatch_stale_hours", 26, "html", types=[int, float])
    app.add_config_value("tarwatch_status", "", "env", types=[str])
    app.add_config_value("tarwatch_check", True, "env", types=[bool])
    app.add_directive("tarwatch-status", StatusDirective)
    app.add_directive("tarwatch-chart", ChartDirective)
    app.add_directive("tarwatch-badge", BadgeDirective)
    app.add_role("tarwatch-badge", badge_role)
    app.add_directive("stockchart", StockChartDirective)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-check-consistency", _check)
    for css in STYLES:
        app.add_css_file(css)
    app.add_js_file(None, body=to_json(page_facts()), type="application/json", id="tw-facts")
    for js in SCRIPTS:
        app.add_js_file(js)
    app.connect("build-finished", _copy_static)
    return {"version": __version__, "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
