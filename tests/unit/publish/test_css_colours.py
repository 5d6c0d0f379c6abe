"""Every colour of the site's style sheets is a custom property of tarwatch.css, defined once per
theme: no style rule names a colour itself, and the light, the chosen dark and the system's dark
themes define the same properties (tests/e2e/test_dashboard_look.py checks what Chromium makes
of them)."""

from __future__ import annotations

import re
from importlib import resources

import pytest

STATIC = resources.files("tarwatch.publish") / "static"
SHEETS = sorted(p.name for p in STATIC.iterdir() if p.name.endswith(".css"))
COLOUR = re.compile(
    r"#[0-9a-fA-F]{3,8}\b|\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch)\(|\b(?:white|black|gray|grey|red|green|blue|yellow|orange|silver)\b"
)
DECLARATION = re.compile(r"(--[\w-]+|[a-z-]+)\s*:\s*([^;{}]+)")


def css(name: str) -> str:
    """Given a style sheet's name, return its text without comments."""
    return re.sub(r"/\*.*?\*/", "", (STATIC / name).read_text(), flags=re.S)


def block(text: str, selector: str) -> str:
    """Given a style sheet and a selector, return the declarations of its (first) rule."""
    start = text.index(selector + " {") + len(selector) + 2
    return text[start : text.index("}", start)]


def names(declarations: str) -> set[str]:
    return set(re.findall(r"(--tw-[\w-]+)\s*:", declarations))


@pytest.mark.parametrize("name", SHEETS)
def test_no_rule_names_a_colour_only_the_custom_properties_do(name: str) -> None:
    found = [
        f"{prop}: {value.strip()}"
        for prop, value in DECLARATION.findall(css(name))
        if not prop.startswith("--") and COLOUR.search(value)
    ]
    assert found == []


def test_the_colour_check_would_see_a_colour() -> None:
    assert (
        COLOUR.search("1px solid #c7ced6") and COLOUR.search("rgba(0, 0, 0, .1)") and COLOUR.search("white")
    )
    assert not COLOUR.search("var(--tw-line)") and not COLOUR.search("currentColor")


def test_each_theme_defines_the_same_properties() -> None:
    text = css("tarwatch.css")
    light = names(block(text, ":root"))
    dark = names(block(text, ':root[data-tw-theme="dark"]'))
    system = names(block(text, ':root[data-tw-theme="auto"]'))
    assert "--tw-bg" in light and "--tw-ok-bg" in light and len(light) > 20
    assert light == dark == system
    assert (
        block(text, ':root[data-tw-theme="dark"]').split()
        == block(text, ':root[data-tw-theme="auto"]').split()
    )


def test_the_site_pages_use_only_properties_that_are_defined() -> None:
    defined = names(css("tarwatch.css")) | {"--tw-cols", "--tw-first", "--tw-col"}  # the grid's own sizes
    defined |= {
        f"--tw-{s}{bg}-{theme}"
        for s in ("ok", "warn", "alarm", "unknown")
        for bg in ("", "-bg")
        for theme in ("light", "dark")
    }  # format.js
    used = {u for name in SHEETS for u in re.findall(r"var\((--tw-[\w-]+)", css(name))}
    assert used - defined == set()
