"""Validating a parsed document into the typed models: the first problem as one ConfigError
naming the source, the key and what is allowed."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from tarwatch.config.models import SHELL_VAR, Config, _KeyError, short_repr
from tarwatch.errors import ConfigError
from tarwatch.visible import visible

UNEXPANDED = (
    "holds ${name}, which tarwatch does not expand (it would make a folder named so); write the "
    "path itself, or `tarwatch config import` with the variable set (only a node's root keeps "
    "$VARS: the node's shell expands them)"
)


def validate(data: dict[str, Any], source: str) -> Config:
    """Given the parsed document and where it came from, return a Config or raise ConfigError."""
    try:
        config = Config.model_validate(data)
    except ValidationError as e:
        raise _first_error(e, source) from None
    _refuse_unexpanded(config, source)
    return config


def _refuse_unexpanded(config: Config, source: str) -> None:
    """Given a Config, raise ConfigError naming the first hub-side path that holds a $VAR: a
    SQLite store.url, publish.out or a hub's jspath."""
    paths: list[tuple[str, str]] = []
    if config.store.url.startswith("sqlite"):  # a PostgreSQL password may hold a $
        paths.append(("store.url", config.store.url))
    paths.append(("publish.out", str(config.publish.out)))
    paths += [(f"hubs.{_quote(tag)}.jspath", hub.jspath) for tag, hub in config.hubs.items() if hub.jspath]
    for key, value in paths:
        if (m := SHELL_VAR.search(value)) is not None:
            raise ConfigError(source, key, UNEXPANDED.format(name=m.group(1) or m.group(2)))


def _first_error(e: ValidationError, source: str) -> ConfigError:
    err = e.errors()[0]
    exc = (err.get("ctx") or {}).get("error")
    if isinstance(exc, _KeyError):
        return ConfigError(source, exc.key, exc.problem)
    loc = [str(x) for x in err["loc"]]
    key = ".".join(_quote(x) for x in loc) or None
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        problem = f"unknown key {loc[-1]!r}" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
    elif kind == "missing":
        problem = "required key is missing"
        model = _model_at(loc[:-1])
        field = model.model_fields.get(loc[-1]) if model is not None and loc else None
        if field is not None and field.description:
            problem += f": {field.description}"
    else:
        msg = err["msg"]
        msg = msg.removeprefix("Value error, ")
        got = err.get("input")
        if "got" not in msg and not isinstance(got, dict | list):
            msg += f", got {short_repr(got)}"
        problem = msg
    more = len(e.errors()) - 1
    if more:
        problem += f" (and {more} more problem{'s' if more > 1 else ''})"
    return ConfigError(source, key, problem)


def _quote(part: str) -> str:
    """Given a part of a key's location, return it as the message shows it: quoted when it
    holds / space or :, with control characters shown escaped."""
    shown = visible(part)
    return f'"{shown}"' if "/" in part or " " in part or ":" in part or shown != part else part


def _allowed_keys(loc: list[str]) -> list[str]:
    """Given the location of a table, return the keys its model allows."""
    model = _model_at(loc)
    return [] if model is None else sorted(model.model_fields)


def _model_at(loc: list[str]) -> type[BaseModel] | None:
    """Given the location of a table, return its model (None when it is not a table)."""
    model: type[BaseModel] = Config
    i = 0
    while i < len(loc):
        field = model.model_fields.get(loc[i])
        if field is None:
            return None
        ann = field.annotation
        sub = _model_in(ann)
        if sub is None:
            return None
        model = sub
        # dict[str, Model]: skip the key
        if getattr(ann, "__origin__", None) is dict:
            i += 1
        i += 1
    return model


def _model_in(ann: Any) -> type[BaseModel] | None:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for a in getattr(ann, "__args__", ()) or ():
        m = _model_in(a)
        if m is not None:
            return m
    return None
