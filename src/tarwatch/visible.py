"""Text from the nodes shown to people: control characters (escape sequences, newlines in file
names, NUL, DEL, C1 controls) never reach a terminal or a plain-text message as themselves.
They are shown escaped, the way Python writes them (`\\x1b`, `\\n`), so a name is still
recognisable and nothing can move the cursor, retitle a window or start a hyperlink."""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, and the Unicode line/paragraph separators and bidi overrides
# that reorder what a terminal shows.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match[str]) -> str:
    c = m.group(0)
    named = _NAMED.get(c)
    if named is not None:
        return named
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """Given text that may come from a node (a path, an item name, a reason), return it with
    every control character escaped: safe to print to a terminal or put in a plain-text mail.
    Text without control characters is returned unchanged."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(_escape, text)


def visible_lines(text: str) -> str:
    """Like visible(), but keeps the newlines that separate lines of a message we composed:
    every other control character in each line is escaped."""
    return "\n".join(visible(line) for line in text.split("\n"))
