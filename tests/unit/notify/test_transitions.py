"""The pure core of notify: what a report shows as problems (observe), the transitions between
kept states (detect) and the message they call for (compose)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tarwatch.checks.model import Finding, HubVerdict, ItemVerdict, NodeVerdict
from tarwatch.notify.compose import Policy, compose
from tarwatch.notify.observe import observe
from tarwatch.notify.transitions import detect
from tarwatch.records import Change, Key, MessageKind, Snooze, State, Status

DAY = 86400.0
T0 = 1_800_000_000.0
ITEMS = ("repos/env", "tracs/env")
STALE = Finding("stale", Status.ALARM, "newest tarball is 3.2 days old (alarm after 50 hours)")
STALE_WARN = Finding("stale", Status.WARN, "newest tarball is 30 hours old (warn after 26 hours)")


def item(name: str, *findings: Finding, latest: float = T0 - 3.2 * DAY) -> ItemVerdict:
    status = max((f.status for f in findings), key=lambda s: s.rank, default=Status.OK)
    return ItemVerdict(name, status, latest, 100, 3, None, list(findings))


def node(
    name: str, *items: ItemVerdict, reachable: bool | None = True, reason: str | None = None
) -> NodeVerdict:
    findings = []
    if reachable is False:
        findings = [Finding("unreachable", Status.ALARM, f"{name} unreachable: {reason} (last listed …)")]
        items = tuple(
            ItemVerdict(i.item, Status.UNKNOWN, i.latest, i.size, i.count, None, [unknown(name)])
            for i in items
        )
    return NodeVerdict(name, Status.OK, reachable, T0, reason, list(items), findings)


def unknown(name: str) -> Finding:
    return Finding("unreachable", Status.UNKNOWN, f"{name} could not be listed; showing the last known data")


def hub(*nodes: NodeVerdict) -> HubVerdict:
    return HubVerdict("ZZ", Status.OK, "dayabay", list(nodes))


def healthy() -> HubVerdict:
    return hub(node("SDU", item("repos/env"), item("tracs/env")))


def step(previous: dict[Key, State], verdict: HubVerdict, now: float):
    observed = observe(verdict, now)
    transitions, states = detect(previous, observed, now)
    return observed, transitions, states


def told(states: dict[Key, State], now: float) -> dict[Key, State]:
    """The states after a message named every open problem at `now`."""
    return {k: State(k, s.status, s.message, s.since, s.changed, now) for k, s in states.items()}


# -- observe --------------------------------------------------------------------------------


def test_an_unreachable_node_is_one_problem_not_one_unknown_per_item() -> None:
    observed = observe(
        hub(node("SDU", item("repos/env"), item("tracs/env"), reachable=False, reason="timed out")), T0
    )
    assert list(observed.problems) == [Key("ZZ", "SDU", "", "unreachable")]
    assert observed.problems[Key("ZZ", "SDU", "", "unreachable")].message == "timed out"


def test_a_node_never_listed_is_one_unknown_problem() -> None:
    n = NodeVerdict("SDU", Status.UNKNOWN, None, None, "never listed", [item("repos/env", unknown("SDU"))])
    observed = observe(hub(n), T0)
    assert [(k.node, k.item, o.status) for k, o in observed.problems.items()] == [("SDU", "", Status.UNKNOWN)]


def test_a_stale_item_is_named_with_its_age_for_the_subject() -> None:
    observed = observe(hub(node("SDU", item("repos/env", STALE))), T0)
    assert observed.problems[Key("ZZ", "SDU", "repos/env", "stale")].short == "SDU repos/env stale 3.2d"


# -- detect ---------------------------------------------------------------------------------


def test_a_new_problem_then_worse_then_better_then_recovered() -> None:
    broken = hub(node("SDU", item("repos/env", STALE_WARN)))
    _, t1, s1 = step({}, broken, T0)
    _, t2, s2 = step(s1, hub(node("SDU", item("repos/env", STALE))), T0 + DAY)
    _, t3, s3 = step(s2, broken, T0 + 2 * DAY)
    _, t4, s4 = step(s3, healthy(), T0 + 3 * DAY)
    assert [(t.change, t.old, t.new) for t in t1 + t2 + t3 + t4] == [
        (Change.NEW, None, Status.WARN),
        (Change.WORSE, Status.WARN, Status.ALARM),
        (Change.BETTER, Status.ALARM, Status.WARN),
        (Change.RECOVERED, Status.WARN, None),
    ]
    assert s3[Key("ZZ", "SDU", "repos/env", "stale")].since == T0
    assert s4 == {}


def test_items_of_an_unreachable_node_neither_recover_nor_alarm_they_wait() -> None:
    _, _, s1 = step({}, hub(node("SDU", item("repos/env", STALE))), T0)
    _, t2, s2 = step(s1, hub(node("SDU", item("repos/env"), reachable=False, reason="timed out")), T0 + DAY)
    assert [(t.key.check, t.change) for t in t2] == [("unreachable", Change.NEW)]
    assert s2[Key("ZZ", "SDU", "repos/env", "stale")] == s1[Key("ZZ", "SDU", "repos/env", "stale")]
    _, t3, _ = step(s2, healthy(), T0 + 2 * DAY)
    assert sorted((t.key.check, t.change) for t in t3) == [
        ("stale", Change.RECOVERED),
        ("unreachable", Change.RECOVERED),
    ]


def test_a_problem_of_an_item_no_longer_watched_is_forgotten_without_a_transition() -> None:
    _, _, s1 = step({}, hub(node("SDU", item("repos/env", STALE))), T0)
    _, t2, s2 = step(s1, hub(node("SDU", item("tracs/env"))), T0 + DAY)
    assert t2 == [] and s2 == {}


findings = st.sampled_from([None, STALE, STALE_WARN, Finding("missing", Status.ALARM, "no tarball")])
worlds = st.lists(
    st.tuples(st.sampled_from(["SDU", "C", "H1"]), st.booleans(), findings, findings),
    min_size=1,
    max_size=3,
    unique_by=lambda t: t[0],
).map(
    lambda nodes: hub(
        *(
            node(
                name,
                *(item(i, *([f] if f else [])) for i, f in zip(ITEMS, (f1, f2), strict=True)),
                reachable=up,
                reason=None if up else "timed out",
            )
            for name, up, f1, f2 in nodes
        )
    )
)


@given(worlds, worlds)
def test_replaying_the_same_report_never_yields_a_second_transition(
    before: HubVerdict, now: HubVerdict
) -> None:
    _, _, s1 = step({}, before, T0)
    _, _, s2 = step(s1, now, T0 + DAY)
    _, again, s3 = step(s2, now, T0 + 2 * DAY)
    assert again == []
    assert s3 == s2


@given(worlds)
def test_every_problem_observed_is_kept_and_every_kept_problem_is_open_or_waiting(w: HubVerdict) -> None:
    observed, transitions, states = step({}, w, T0)
    assert set(observed.problems) == set(states)
    assert all(t.change is Change.NEW for t in transitions)
    assert len(transitions) == len(states)


# -- compose --------------------------------------------------------------------------------


def policy(repeat: float = DAY, all_well: bool = False) -> Policy:
    return Policy(repeat=lambda key: repeat, all_well_due=all_well, link="https://example.org/tw/hub/ZZ.html")


def message(previous, verdict, now, snoozes=(), **kw):
    observed, transitions, states = step(previous, verdict, now)
    return compose("ZZ", transitions, states, observed.problems, snoozes, now, policy(**kw)), states


def test_a_new_problem_makes_one_message_naming_it_and_nothing_new_makes_none() -> None:
    m, s1 = message({}, hub(node("SDU", item("repos/env", STALE))), T0)
    assert m is not None and m.kind == MessageKind.PROBLEMS
    assert m.subject == "tarwatch ZZ: 1 alarm (SDU repos/env stale 3.2d)"
    assert [line.key.item for line in m.new] == ["repos/env"] and m.ongoing == m.recovered == []
    again, _ = message(told(s1, T0), hub(node("SDU", item("repos/env", STALE))), T0 + 3600)
    assert again is None


def test_a_reminder_is_due_after_repeat_and_not_before() -> None:
    verdict = hub(node("SDU", item("repos/env", STALE)))
    _, s1 = message({}, verdict, T0)
    early, _ = message(told(s1, T0), verdict, T0 + DAY - 1)
    due, _ = message(told(s1, T0), verdict, T0 + DAY)
    assert early is None
    assert due is not None and due.subject.startswith("tarwatch ZZ: still 1 alarm")
    assert [line.key.item for line in due.ongoing] == ["repos/env"]
    never, _ = message(told(s1, T0), verdict, T0 + 30 * DAY, repeat=0)
    assert never is None


def test_two_alarms_and_one_recovery_say_so_in_the_subject() -> None:
    _, s1 = message(
        {},
        hub(
            node("SDU", item("repos/env"), item("tracs/env", STALE)),
            node("C", reachable=False, reason="timed out"),
        ),
        T0,
    )
    verdict = hub(node("SDU", item("repos/env", STALE), item("tracs/env", STALE)), node("C"))
    m, _ = message(told(s1, T0), verdict, T0 + 3600)
    assert m is not None
    assert m.subject == "tarwatch ZZ: 2 alarms, 1 recovered (SDU repos/env stale 3.2d)"
    assert [(line.key.node, line.key.check) for line in m.recovered] == [("C", "unreachable")]
    assert [line.key.item for line in m.ongoing] == ["tracs/env"]


def test_a_recovery_of_a_problem_nobody_was_told_about_sends_nothing() -> None:
    _, s1 = message({}, hub(node("SDU", item("repos/env", STALE))), T0)
    m, _ = message(s1, healthy(), T0 + 3600)
    assert m is None


def test_a_snoozed_problem_sends_nothing_and_is_new_when_the_snooze_ends() -> None:
    z = Snooze(1, "ZZ", "SDU", None, T0, T0 + 2 * DAY, "disk swap")
    verdict = hub(node("SDU", item("repos/env"), reachable=False, reason="timed out"))
    m, s1 = message({}, verdict, T0, [z])
    assert m is None
    m2, _ = message(s1, verdict, T0 + 3 * DAY, [])
    assert m2 is not None and [line.key.check for line in m2.new] == ["unreachable"]
    assert m2.new[0].text.startswith("SDU unreachable since ")


def test_all_is_well_is_sent_when_due_and_nothing_is_wrong() -> None:
    m, _ = message({}, healthy(), T0, all_well=True)
    assert m is not None and m.kind == MessageKind.ALL_WELL and m.subject == "tarwatch ZZ: all is well"
    broken, _ = message({}, hub(node("SDU", item("repos/env", STALE))), T0, all_well=True)
    assert broken is not None and broken.kind == MessageKind.PROBLEMS
