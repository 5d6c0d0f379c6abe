"""The one TOML writer (tarwatch.config.toml): what tomllib reads back, keys quoted, strings and
comments escaped for terminals, notes as comments that tomlkit keeps."""

from __future__ import annotations

import tomllib
from typing import Any

import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st

from tarwatch.config.toml import to_toml, toml_key


def test_to_toml_quotes_keys_that_are_not_bare() -> None:
    data = {
        "hubs": {"ZZ": {"srvnode": "d", "items": {"tracs/dybaux": {"stale_alarm": "8d"}}}},
        "nodes": {"Z9:229": {"host": "Z9", "port": 229}},
    }
    text = to_toml(data, ["first note", "two\nlines"])
    assert '[hubs.ZZ.items."tracs/dybaux"]' in text
    assert '[nodes."Z9:229"]' in text
    assert "# two\n# lines\n" in text
    assert tomllib.loads(text) == data


def test_to_toml_scalars() -> None:
    data = {
        "t": {"s": 'a "b" \\ c\nd\te\x00\x7f', "i": -3, "f": 1e16, "g": -0.5, "b": True, "l": []},
        "empty": {},
    }
    assert tomllib.loads(to_toml(data)) == data


_text = st.text(st.characters(codec="utf-8"), max_size=12)
_tricky_text = st.one_of(
    _text,
    st.lists(
        st.sampled_from(['"', "\\", "\n", "\r", "\t", "\x00", "\x7f", "é", "漢", "🙂", " ", "a", "'"])
    ).map("".join),
)
_scalar = st.one_of(
    _tricky_text,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.booleans(),
)
_value = st.one_of(
    _scalar, st.lists(_scalar, max_size=4), st.lists(st.lists(_scalar, max_size=3), max_size=3)
)
_leaf_table = st.dictionaries(_tricky_text, _value, max_size=4)
_tables = st.recursive(
    _leaf_table,
    lambda children: st.dictionaries(_tricky_text, st.one_of(_value, children), max_size=4),
    max_leaves=12,
)
_document = st.fixed_dictionaries(
    {
        "store": st.fixed_dictionaries({"url": _tricky_text}),
        "defaults": st.dictionaries(_tricky_text, _scalar, max_size=3),
        "hubs": st.dictionaries(
            _tricky_text,
            st.fixed_dictionaries(
                {
                    "srvnode": _tricky_text,
                    "nodes": st.lists(_tricky_text, max_size=3),
                    "description": _tricky_text,
                    "items": st.dictionaries(_tricky_text, _leaf_table, max_size=3),
                }
            ),
            max_size=3,
        ),
        "nodes": st.dictionaries(_tricky_text, _leaf_table, max_size=3),
    }
)


@settings(max_examples=300)
@given(_document, st.lists(_text, max_size=3))
def test_to_toml_round_trips_documents(doc: dict[str, Any], notes: list[str]) -> None:
    assert tomllib.loads(to_toml(doc, notes, sources=["a\nb.cnf", "c.cnf"])) == doc


@settings(max_examples=300)
@given(_tables)
def test_to_toml_round_trips_nested_tables(doc: dict[str, Any]) -> None:
    assert tomllib.loads(to_toml(doc)) == doc


def test_to_toml_escapes_what_a_terminal_would_act_on() -> None:
    data = {"t": {"s": "a\u202eb\x85c\u2028d\x1b[31m"}}
    text = to_toml(data, ["a note with \x1b[2J and \u202e in it"])
    assert "\u202e" not in text and "\x85" not in text and "\x1b" not in text and "\u2028" not in text
    assert '"a\\u202Eb\\u0085c\\u2028d\\u001B[31m"' in text
    assert "# a note with \\x1b[2J and \\u202e in it\n" in text
    assert tomllib.loads(text) == data


def test_toml_key_is_bare_or_quoted_and_escaped() -> None:
    assert toml_key("ZZ") == "ZZ"
    assert toml_key("Z9:229") == '"Z9:229"'
    assert toml_key('a"b\\c') == '"a\\"b\\\\c"'
    assert toml_key("a\x1bb") == '"a\\u001Bb"'


def test_the_notes_stay_comments_through_tomlkit() -> None:
    """`config import` leaves its notes as comments: a person editing the file with a TOML
    library that keeps comments (tomlkit) keeps them."""
    text = to_toml(
        {"hubs": {"ZZ": {"srvnode": "d", "nodes": ["A"]}}}, ["edit hubs.ZZ.nodes"], sources=["a", "b"]
    )
    assert text.startswith("# tarwatch configuration converted from a and b\n#\n# edit hubs.ZZ.nodes\n")
    doc = tomlkit.parse(text)
    doc["hubs"]["ZZ"]["srvnode"] = "e"  # type: ignore[index]
    assert tomlkit.dumps(doc) == text.replace('srvnode = "d"', 'srvnode = "e"')
