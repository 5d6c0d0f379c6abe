"""Reading the TOML file into the typed models, with errors that name the file, key and what is allowed."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from tarwatch.config.models import Config, _KeyError, short_repr
from tarwatch.errors import ConfigError
from tarwatch.paths import config_dir
from tarwatch.visible import visible

CONFIG_NAME = "tarwatch.toml"


def find_config_file(explicit: str | Path | None = None) -> Path | None:
    """Given --config (or None), return the file to read: it, ./tarwatch.toml, then the user's
    config folder; None when there is none. Raise ConfigError if an explicit file is missing, or
    if it or one of the default places is a folder."""
    if explicit is not None:
        p = Path(explicit)
        if p.is_dir():
            raise ConfigError(str(p), None, "is a folder, not a configuration file")
        if not p.is_file():
            raise ConfigError(str(p), None, "no such file")
        return p
    for p in (Path.cwd() / CONFIG_NAME, config_dir() / CONFIG_NAME):
        if p.is_dir():  # not silently skipped: the next one would be read instead of this one
            raise ConfigError(str(p), None, "is a folder, not a configuration file")
        if p.is_file():
            return p
    return None


def load_toml(path: Path) -> Config:
    """Given a TOML file, return the validated Config; raise ConfigError naming file and key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(str(path), None, f"cannot read: {e.strerror or e}") from e
    except UnicodeDecodeError as e:
        raise ConfigError(str(path), None, f"not UTF-8 text: {e.reason} at byte {e.start}") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(str(path), None, f"not valid TOML: {e}") from e
    except (ValueError, RecursionError) as e:  # an integer of thousands of digits; deep nesting
        raise ConfigError(str(path), None, f"not valid TOML: {str(e)[:200]}") from e
    return validate(data, str(path))


def validate(data: dict[str, Any], source: str) -> Config:
    """Given the parsed document and where it came from, return a Config or raise ConfigError."""
    try:
        return Config.model_validate(data)
    except ValidationError as e:
        raise _first_error(e, source) from None


def load_config(path: str | Path | None = None, legacy: str | None = None) -> tuple[Config, str]:
    """Given --config and --legacy, return (Config, where it came from).

    With `legacy` the legacy pair ~/.scm_monitor.cnf + ~/.libfab.cnf is read for that hub. With no
    file anywhere, the built-in defaults with no hubs are returned."""
    if legacy is not None:
        from tarwatch.config.legacy import load_legacy

        return load_legacy(legacy)
    found = find_config_file(path)
    if found is None:
        return Config(), "built-in defaults (no tarwatch.toml found)"
    return load_toml(found), str(found)


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
