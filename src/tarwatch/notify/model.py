"""What notify observes: a problem as this run's report shows it. The keys, kept states and
transitions it reasons about are neutral records (tarwatch.records); the logic is in observe,
transitions and compose."""

from __future__ import annotations

from dataclasses import dataclass

from tarwatch.records import Key, Status


@dataclass(frozen=True, slots=True)
class Observation:
    """A problem as this run's report shows it: status, the finding's message, and a few words
    for a subject line ("SDU repos/env stale 3.2d")."""

    key: Key
    status: Status
    message: str
    short: str
