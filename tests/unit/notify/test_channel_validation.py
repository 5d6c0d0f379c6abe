"""Channels checked before anything is sent: addresses and the From address at load (pure, the
rule Apprise's mailto:// applies), Apprise URLs by Apprise itself (validate_channels, for the
commands that send and for doctor), and snooze targets that name nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tarwatch.app.notify import check_channels
from tarwatch.config.models import EMAIL_RE, default_sender
from tarwatch.config.validate import validate
from tarwatch.errors import ConfigError
from tarwatch.notify.channels import validate_channels
from tarwatch.notify.snooze import unknown_target


def config(**hub: object):
    return validate({"nodes": {"N": {}}, "hubs": {"ZZ": {"srvnode": "zz", "nodes": ["N"], **hub}}}, "t.toml")


def test_an_email_that_is_not_an_address_is_a_config_error_naming_its_key() -> None:
    with pytest.raises(ConfigError) as e:
        config(email=["ops@example.org", "ops at example"])
    assert e.value.key == "hubs.ZZ.email.1"
    assert "expected an address" in e.value.problem and "'ops at example'" in e.value.problem


@pytest.mark.parametrize("sender", ["tarwatch@vm", "tarwatch", "tw@-x.org"])
def test_a_sender_apprise_refuses_is_a_config_error(sender: str) -> None:
    with pytest.raises(ConfigError) as e:
        validate({"notify": {"mail": {"sender": sender}}}, "t.toml")
    assert e.value.key == "notify.mail.sender"


@pytest.mark.parametrize(
    ("hostname", "sender"),
    [
        ("vm", "tarwatch@localhost.localdomain"),
        ("backupserver", "tarwatch@localhost.localdomain"),
        ("hub1.example.org", "tarwatch@hub1.example.org"),
    ],
)
def test_the_default_sender_is_one_apprise_accepts(
    monkeypatch: pytest.MonkeyPatch, hostname: str, sender: str
) -> None:
    import socket

    from apprise.utils.parse import is_email

    monkeypatch.setattr(socket, "gethostname", lambda: hostname)
    assert default_sender() == sender
    assert is_email(sender)
    assert validate({}, "t.toml").notify.mail.sender == sender


@given(st.text(alphabet="abz09._-@", min_size=1, max_size=20))
def test_the_address_rule_is_apprises(address: str) -> None:
    """An address passes the load-time rule exactly when Apprise's mailto:// takes all of it
    as the address (Apprise is not imported at load: it costs about a second)."""
    from apprise.utils.parse import is_email

    found = is_email(address)
    assert bool(EMAIL_RE.match(address)) == (bool(found) and found["full_email"] == address)


def test_validate_channels_names_the_key_of_each_url_apprise_cannot_use() -> None:
    c = validate(
        {
            "nodes": {"N": {}},
            "hubs": {
                "ZZ": {
                    "srvnode": "zz",
                    "notify": [
                        "json://127.0.0.1:1/hook",
                        "nosuchservice://x/y",
                        "mailto://bob:s3cr3t@x",
                        "ops",
                    ],
                    "email": ["ops@example.org"],
                }
            },
            "notify": {"channels": {"ops": {"url": "just text"}}},
        },
        "t.toml",
    )
    problems = validate_channels(c)
    assert [p.key for p in problems] == ["hubs.ZZ.notify[1]", "hubs.ZZ.notify[2]", "notify.channels.ops.url"]
    assert "nosuchservice://" in problems[0].problem
    assert all("s3cr3t" not in p.problem and "s3cr3t" not in p.label for p in problems)
    assert "expected an Apprise URL" in problems[2].problem


def test_check_channels_raises_at_the_first_unusable_channel() -> None:
    c = config(notify=["nosuchservice://x/y", "alsonot://z"])
    with pytest.raises(ConfigError) as e:
        check_channels(c, ["ZZ"], "t.toml")
    assert (e.value.file, e.value.key) == ("t.toml", "hubs.ZZ.notify[0]")
    assert "(and 1 more)" in e.value.problem
    check_channels(config(notify=["json://127.0.0.1:1/hook"]), ["ZZ"], "t.toml")


def test_a_snooze_target_naming_nothing_lists_what_exists() -> None:
    nodes, items = ["SDU", "NTU"], ["repos/env", "tracs/dybaux"]
    assert unknown_target("ZZ", None, None, nodes, items) is None
    assert unknown_target("ZZ", "SDU", "repos/env", nodes, items) is None
    assert unknown_target("ZZ", "SUD", None, nodes, items) == "hub ZZ has no node 'SUD'; its nodes: SDU, NTU"
    assert "its items: repos/env, tracs/dybaux" in (
        unknown_target("ZZ", "SDU", "repos/emv", nodes, items) or ""
    )
    assert "run `tarwatch collect` first" in (unknown_target("ZZ", "SDU", "repos/env", nodes, []) or "")
