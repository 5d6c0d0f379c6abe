"""Detecting transitions: a pure function of the kept states, what a run observed, and `now`.
Delivering them is another step (tarwatch.notify.deliver)."""

from __future__ import annotations

from collections.abc import Mapping

from tarwatch.notify.observe import Observed
from tarwatch.records import Change, Key, State, Transition


def detect(
    previous: Mapping[Key, State], observed: Observed, now: float
) -> tuple[list[Transition], dict[Key, State]]:
    """Given one hub's kept states, what this run observed of it and `now`, return the
    transitions (new, worse, better, recovered) and the states to keep.

    A problem whose place was not judged this run (an item of an unreachable node) is kept as
    it was; one whose place no longer exists (a node or item removed from the configuration)
    is forgotten without a transition. Running it again on its own output and the same
    observation yields no transition."""
    transitions: list[Transition] = []
    states: dict[Key, State] = {}
    for key, obs in observed.problems.items():
        old = previous.get(key)
        if old is None:
            transitions.append(Transition(key, Change.NEW, None, obs.status, obs.message, now, now, None))
            states[key] = State(key, obs.status, obs.message, now, now, None)
        elif obs.status != old.status:
            change = Change.WORSE if obs.status.rank > old.status.rank else Change.BETTER
            transitions.append(
                Transition(key, change, old.status, obs.status, obs.message, now, old.since, old.told)
            )
            states[key] = State(key, obs.status, obs.message, old.since, now, old.told)
        else:
            states[key] = State(key, obs.status, obs.message, old.since, old.changed, old.told)
    for key, old in previous.items():
        if key in observed.problems:
            continue
        if observed.judges(key):
            transitions.append(
                Transition(key, Change.RECOVERED, old.status, None, old.message, now, old.since, old.told)
            )
        elif observed.holds(key):
            states[key] = old
    return transitions, states
