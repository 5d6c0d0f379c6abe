"""JSON for the site: as a .json file, and as a .js file that registers the same data
(`window.TARWATCH[key] = …`), which pages opened from disk load with a <script> element where
browsers refuse to fetch. Both are safe inside HTML: "<", ">" and "&" are \\u-escaped, and so is
everything outside ASCII (U+2028 and U+2029 included), so no name can end a <script>."""

from __future__ import annotations

import json
from typing import Any


def to_json(data: Any) -> str:
    """Given JSON-able data, return compact JSON that is also safe inside a <script> element."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def to_js(key: str, data: Any) -> str:
    """Given a key and JSON-able data, return a script registering the data under the key. The
    data travels as a string given to JSON.parse: browsers parse that several times faster
    than the same data as a JavaScript literal (megabytes, for a status of 10,000 items)."""
    return registering(key, to_json(data))


def registering(key: str, json_text: str) -> str:
    """Given a key and the text to_json made of some data, return the script to_js makes of them
    (for a caller that writes the same data as .json too: it is encoded once)."""
    text = _js_string(json_text)
    return f"window.TARWATCH=window.TARWATCH||{{}};window.TARWATCH[{to_json(key)}]=JSON.parse({text});\n"


def _js_string(json_text: str) -> str:
    """Given text to_json made, return it as a (script-safe) JavaScript string: what to_json
    makes of it, in two passes of str.replace instead of an encoder's (a status of 10,000 items
    is megabytes). That text is ASCII without control characters and without "<", ">" or "&",
    so only its backslashes and double quotes need escaping."""
    return '"' + json_text.replace("\\", "\\\\").replace('"', '\\"') + '"'
