"""Per-channel routing: which of a hub's channels get a message (pure), and the configuration
that sets it up ([notify.channels.NAME], referenced by name from a hub's `notify`)."""

from __future__ import annotations

import pytest

from tarwatch.config.validate import validate
from tarwatch.errors import ConfigError
from tarwatch.notify.channels import hub_channels, hub_routes
from tarwatch.notify.compose import Line, Message
from tarwatch.notify.routing import Route, routed, takes
from tarwatch.records import Change, Channel, Key, MessageKind, Status

ALL = Route(Channel.of("json://all/"))
ALARMS = Route(Channel.of("json://alarms/"), frozenset({Status.ALARM}))
QUIET = Route(Channel.of("json://quiet/"), reminders=False, all_well=False)


def line(status: Status | None, change: Change | None, was: Status | None = None) -> Line:
    return Line(Key("ZZ", "SDU", "repos/env", "stale"), status, was, change, 0.0, "text", "short")


def message(new=(), ongoing=(), recovered=(), kind=MessageKind.PROBLEMS) -> Message:
    return Message("ZZ", 0.0, kind, "s", list(new), list(ongoing), list(recovered))


def test_an_alarm_only_channel_gets_alarms_and_their_recoveries_not_warnings() -> None:
    assert takes(ALARMS, message(new=[line(Status.ALARM, Change.NEW)]))
    assert not takes(ALARMS, message(new=[line(Status.WARN, Change.NEW)]))
    assert takes(ALARMS, message(recovered=[line(None, Change.RECOVERED, Status.ALARM)]))
    assert not takes(ALARMS, message(recovered=[line(None, Change.RECOVERED, Status.WARN)]))
    # a message goes whole: one naming an alarm and a warning goes, warning included
    assert takes(ALARMS, message(new=[line(Status.WARN, Change.NEW)], ongoing=[line(Status.ALARM, None)]))


def test_a_channel_without_reminders_gets_what_changed_only() -> None:
    reminder = message(ongoing=[line(Status.ALARM, None)])
    assert takes(ALL, reminder) and not takes(QUIET, reminder)
    assert takes(QUIET, message(ongoing=[line(Status.WARN, Change.BETTER, Status.ALARM)]))
    assert takes(QUIET, message(new=[line(Status.WARN, Change.NEW)]))
    no_reminder_alarms = Route(ALARMS.channel, ALARMS.statuses, reminders=False)
    # a new warning beside an alarm already told of: nothing new for an alarm-only channel
    assert not takes(
        no_reminder_alarms, message(new=[line(Status.WARN, Change.NEW)], ongoing=[line(Status.ALARM, None)])
    )


def test_the_weekly_all_is_well_goes_to_the_channels_that_take_it() -> None:
    well = message(kind=MessageKind.ALL_WELL)
    assert routed(well, [ALL, ALARMS, QUIET]) == [ALL.channel, ALARMS.channel]


CONFIG = {
    "nodes": {"N": {}},
    "hubs": {
        "ZZ": {"srvnode": "zz", "nodes": ["N"], "notify": ["json://plain/", "pager"]},
        "YY": {"srvnode": "yy", "nodes": ["N"]},
    },
    "notify": {
        "channels": {
            "pager": {"url": "ntfy://pager/", "statuses": ["alarm"], "reminders": False},
            "weekly": {"url": "json://weekly/", "hubs": ["ZZ", "YY"], "statuses": []},
        }
    },
}


def test_named_channels_are_referenced_from_hubs_or_name_their_hubs() -> None:
    c = validate(CONFIG, "t.toml")
    assert [ch.url for ch in hub_channels(c, "ZZ")] == ["json://plain/", "ntfy://pager/", "json://weekly/"]
    assert [ch.url for ch in hub_channels(c, "YY")] == ["json://weekly/"]
    pager = hub_routes(c, "ZZ")[1]
    assert (pager.statuses, pager.reminders, pager.all_well) == (frozenset({Status.ALARM}), False, True)
    # the list-of-URLs form: every channel takes everything
    assert hub_routes(c, "ZZ")[0] == Route(Channel.of("json://plain/"))


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        ({"hubs": {"ZZ": {"notify": ["pagr"]}}}, "hubs.ZZ.notify[0]", "channels: pager, weekly"),
        ({"notify": {"channels": {"weekly": {"hubs": ["XX"]}}}}, "notify.channels.weekly.hubs", "'XX'"),
        (
            {"notify": {"channels": {"pager": {"statuses": ["ok"]}}}},
            "notify.channels.pager.statuses.0",
            "alarm",
        ),
        ({"notify": {"channels": {"pager": {"url": None}}}}, "notify.channels.pager.url", "required key"),
        (
            {"notify": {"channels": {"pager": {"colour": 1}}}},
            "notify.channels.pager.colour",
            "all_well, hubs",
        ),
    ],
)
def test_routing_mistakes_are_config_errors_naming_the_key(change: dict, key: str, words: str) -> None:
    data = _merge(CONFIG, change)
    data["notify"]["channels"]["pager"] = {
        k: v for k, v in data["notify"]["channels"]["pager"].items() if v is not None
    }
    with pytest.raises(ConfigError) as e:
        validate(data, "t.toml")
    assert e.value.key == key and words in e.value.problem


def _merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(a[k], v) if isinstance(v, dict) and isinstance(a.get(k), dict) else v
    return out
