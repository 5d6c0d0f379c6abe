"""Reading the TOML file into the typed models, with errors that name the file, key and what is allowed."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tarwatch.config.models import Config
from tarwatch.config.validate import validate
from tarwatch.errors import ConfigError
from tarwatch.paths import config_dir

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


def load_config(path: str | Path | None = None, legacy: str | None = None) -> tuple[Config, str]:
    """Given --config and --legacy, return (Config, where it came from).

    With `legacy` the legacy pair ~/.scm_monitor.cnf + ~/.libfab.cnf is read for that hub. With no
    file anywhere, the built-in defaults with no hubs are returned."""
    if legacy is not None:
        from tarwatch.config.legacy import load_legacy  # configparser and the converter: only for --legacy

        return load_legacy(legacy)
    found = find_config_file(path)
    if found is None:
        return Config(), "built-in defaults (no tarwatch.toml found)"
    return load_toml(found), str(found)
