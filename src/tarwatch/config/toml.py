"""The one TOML writer (tomlkit): `config import`, `config show`, the demo and the test worlds
write their files through `to_toml`, and messages name keys through `toml_key`.

Strings and quoted keys are written escaped here, beyond what TOML asks: the controls TOML
forbids as themselves, and also the C1 controls, line separators and bidi overrides a terminal
would act on when the file is printed (`config show`). Notes become comments at the top."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # tomlkit is imported when a file is written, not by every command
    from tomlkit.items import Item, SingleKey, Table

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# Written escaped: the controls TOML forbids as themselves, and the C1 controls, line separators
# and bidi overrides a terminal would act on when the text is printed.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def to_toml(
    data: Mapping[str, Any],
    notes: Sequence[str] = (),
    *,
    sources: Sequence[str | Path] = (),
) -> str:
    """Given a dict of tables, strings, ints, floats, bools and lists, return TOML text that
    tomllib reads back equal. `notes` become comments at the top, after a header naming
    `sources` (the files it was converted from)."""
    import tomlkit

    if sources:
        header = "tarwatch configuration converted from " + " and ".join(str(s) for s in sources)
    else:
        header = "tarwatch configuration"
    doc = tomlkit.document()
    for line in comments([header]):
        doc.add(tomlkit.comment(line))
    if notes:
        doc.add(tomlkit.comment(""))
        for line in comments(notes):
            doc.add(tomlkit.comment(line))
    scalars = [(k, v) for k, v in data.items() if not isinstance(v, Mapping)]
    if scalars:
        doc.add(tomlkit.nl())
    for k, v in scalars:
        doc.add(_key(k), _item(v))
    for k, v in data.items():
        if isinstance(v, Mapping):
            doc.add(tomlkit.nl())
            doc.add(_key(k), _table(v))
    return _blank_lines(doc.as_string())


def toml_key(k: str) -> str:
    """Given a key, return it as TOML writes it (and a message names it): bare, or quoted with
    quotes, backslashes and control characters escaped."""
    if not isinstance(k, str):
        raise TypeError(f"TOML keys are strings, got {k!r}")
    return k if _BARE_KEY.fullmatch(k) else _string(k)


def comments(texts: Sequence[str]) -> list[str]:
    """Given notes, return the text of their comment lines (without "# "): one per line of a
    note, control characters shown as \\xNN (TOML allows none but tab in comments)."""
    out = []
    for text in texts:
        for line in text.splitlines() or [""]:
            out.append(
                "".join(
                    ch
                    if ch == "\t" or not _UNSAFE.match(ch)
                    else f"\\x{ord(ch):02x}"
                    if ord(ch) < 0x100
                    else f"\\u{ord(ch):04x}"
                    for ch in line
                ).rstrip()
            )
    return out


def _table(table: Mapping[str, Any]) -> Table:
    """Given a mapping, return its table: scalars first (TOML wants them before the subtables),
    its header left out when it holds only subtables."""
    import tomlkit

    scalars = [(k, v) for k, v in table.items() if not isinstance(v, Mapping)]
    subtables = [(k, v) for k, v in table.items() if isinstance(v, Mapping)]
    out = tomlkit.table(is_super_table=bool(subtables) and not scalars)
    for k, v in scalars:
        out.add(_key(k), _item(v))
    for k, v in subtables:
        out.add(_key(k), _table(v))
    return out


def _key(k: str) -> str | SingleKey:
    from tomlkit.items import KeyType, SingleKey

    text = toml_key(k)
    return k if text == k else SingleKey(k, t=KeyType.Basic, original=text)


def _item(v: Any) -> Item:
    import tomlkit

    if isinstance(v, bool | int | float):
        return tomlkit.item(v)
    if isinstance(v, str):
        return tomlkit.string(_string(v)[1:-1], escape=False)
    if isinstance(v, Mapping):
        inline = tomlkit.inline_table()
        for k, x in v.items():
            inline.append(_key(k), _item(x))
        return inline
    if isinstance(v, list | tuple):
        array = tomlkit.array()
        array.extend(_item(x) for x in v)
        return array
    raise TypeError(f"cannot write {type(v).__name__} {v!r} as TOML")


def _string(s: str) -> str:
    out = []
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _UNSAFE.match(ch):
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _blank_lines(text: str) -> str:
    """Given tomlkit's text, return it with one blank line before each table header, none
    doubled, and one newline at the end."""
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"
