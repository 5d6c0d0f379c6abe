"""The errors tarwatch raises for people to read; the CLI maps them to exit statuses."""

from __future__ import annotations


class TarwatchError(Exception):
    """An error with a message meant for the person running tarwatch."""

    exit_code = 1


class ConfigError(TarwatchError):
    """The configuration is wrong: names the file, the key and what is allowed. Exit status 2."""

    exit_code = 2

    def __init__(self, file: str | None, key: str | None, problem: str):
        self.file, self.key, self.problem = file, key, problem
        where = file or "configuration"
        if key:
            where += f": at '{key}'"
        super().__init__(f"{where}: {problem}")


class StoreError(TarwatchError):
    """The store cannot be opened or written."""


class StoreBroken(StoreError):
    """The store itself failed (its disk is full, its file is damaged, it is read-only): no
    poll can be kept, whichever node it is of."""
