"""A Sphinx extension: tarwatch's status and charts in documentation, drawn from a published
site's JSON when the page is viewed (no rebuild after each nightly run).

    extensions = ["tarwatch.sphinx"]
    tarwatch_site = "https://example.org/tarwatch/"   # the published site (or :site: per directive)

    .. tarwatch-status:: ZZ                   the nodes × items grid of hub ZZ, and the data's age
    .. tarwatch-chart:: ZZ/SDU                node SDU's chart; the server image until it is drawn
    .. stockchart:: /data/scm_backup_monitor_SDU.json container_SDU
                                              the seed's directive: its Highstock JSON, drawn
                                              with uPlot (no Highcharts needed)

The page's scripts and styles (uPlot, tarwatch's scripts and tarwatch.css) are copied into
`_static/tarwatch/` and added to every HTML page, after the facts they format with (#tw-facts,
as in the published pages).
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.fileutil import copy_asset

from tarwatch import __version__
from tarwatch.publish import paths
from tarwatch.publish.context import SCRIPTS as PAGE_SCRIPTS
from tarwatch.publish.context import page_facts
from tarwatch.publish.jsdata import to_json

STATIC = Path(__file__).parent / "publish" / "static"
SCRIPTS = ("tarwatch/vendor/uplot/uPlot.iife.min.js", *(f"tarwatch/{name}" for name in PAGE_SCRIPTS))
STYLES = ("tarwatch/vendor/uplot/uPlot.min.css", "tarwatch/tarwatch.css")


def _attrs(**values: str) -> str:
    return " ".join(f'{k.rstrip("_").replace("_", "-")}="{escape(v, quote=True)}"' for k, v in values.items())


class _SiteDirective(SphinxDirective):
    """A directive drawing from a published site: `:site:` or the `tarwatch_site` setting."""

    required_arguments = 1
    option_spec = {"site": directives.unchanged}  # noqa: RUF012 - docutils' interface

    def site_url(self, path: str) -> str:
        """Given a path in the site, return its URL under the site's base URL."""
        base: str = self.options.get("site") or self.config.tarwatch_site
        if not base:
            raise self.error(f"{self.name}: give the published site's URL as :site: or set tarwatch_site")
        return base.rstrip("/") + "/" + paths.url(path, "index.html")

    def split(self) -> tuple[str, str]:
        """Return the argument "HUB/NODE" as (hub, node)."""
        hub, sep, node = self.arguments[0].partition("/")
        if not sep or not hub or not node:
            raise self.error(f"{self.name}: expected HUB/NODE, got {self.arguments[0]!r}")
        return hub, node


class StatusDirective(_SiteDirective):
    """`.. tarwatch-status:: HUB`: the hub's nodes × items grid and how old the data is."""

    def run(self) -> list[nodes.Node]:
        hub = self.arguments[0]
        attrs = _attrs(
            class_="tarwatch-status",
            data_tw_status=hub,
            data_json=self.site_url(paths.STATUS_JSON),
            data_js=self.site_url(paths.STATUS_JS),
            data_stale_hours=str(self.config.tarwatch_stale_hours),
        )
        link = escape(self.site_url(paths.hub_page(hub)), quote=True)
        html = f'<div {attrs}><p><a href="{link}">Status of hub {escape(hub)}</a></p></div>'
        return [nodes.raw("", html, format="html")]


class ChartDirective(_SiteDirective):
    """`.. tarwatch-chart:: HUB/NODE`: the node's chart, the server image until it is drawn."""

    def run(self) -> list[nodes.Node]:
        hub, node = self.split()
        attrs = _attrs(
            class_="tarwatch-chart tw-chart",
            data_tw_chart="",
            data_json=self.site_url(paths.node_data(hub, node, "json")),
            data_js=self.site_url(paths.node_data(hub, node, "js")),
            data_key=f"{hub}/{node}",
        )
        img = _attrs(
            src=self.site_url(paths.node_image(hub, node, "png")),
            alt=f"chart of {hub}/{node}: size per item and tarballs per day",
            loading="lazy",
        )
        return [nodes.raw("", f"<div {attrs}><img {img}></div>", format="html")]


class StockChartDirective(SphinxDirective):
    """`.. stockchart:: JSONURL CONTAINER`: the seed's directive. Draws the seed's Highstock
    options (series of [ms, value], the count on yAxis 1) with uPlot into a div of that id."""

    required_arguments = 2

    def run(self) -> list[nodes.Node]:
        url, container = self.arguments
        attrs = _attrs(id=container, class_="tarwatch-stockchart tw-chart", data_tw_stockchart=url)
        return [nodes.raw("", f"<div {attrs}></div>", format="html")]


def _copy_static(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        copy_asset(str(STATIC), str(Path(app.outdir) / "_static" / "tarwatch"))


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives, settings and assets with Sphinx."""
    app.add_config_value("tarwatch_site", "", "html", types=[str])
    app.add_config_value("tarwatch_stale_hours", 26, "html", types=[int, float])
    app.add_directive("tarwatch-status", StatusDirective)
    app.add_directive("tarwatch-chart", ChartDirective)
    app.add_directive("stockchart", StockChartDirective)
    for css in STYLES:
        app.add_css_file(css)
    app.add_js_file(None, body=to_json(page_facts()), type="application/json", id="tw-facts")
    for js in SCRIPTS:
        app.add_js_file(js)
    app.connect("build-finished", _copy_static)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
