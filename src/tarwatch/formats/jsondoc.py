"""The report as JSON text (`check --format json`, `config show --json`): valid JSON whose
strings keep every character of a name, and that is still safe to print to a terminal.

json.dumps escapes the C0 controls in strings; with ensure_ascii=False it leaves the C1
controls (U+0085, U+009B: CSI on some terminals), DEL, Unicode's line and paragraph separators
and the bidi overrides as they are. Those are written as \\uXXXX escapes here: the same string
to any JSON reader, nothing a terminal acts on."""

from __future__ import annotations

import json
import re
from typing import Any

# Outside strings JSON text is ASCII, so every match lies inside a string.
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def dumps(doc: Any, indent: int | None = 1) -> str:
    """Given a JSON-able document, return its JSON text, non-ASCII letters as themselves and
    every control character, line separator and bidi override escaped."""
    text = json.dumps(doc, indent=indent, ensure_ascii=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
