"""Channels from the configuration, secrets redacted wherever a URL is shown, snooze targets,
and the rendered wording (HTML escaped)."""

from __future__ import annotations

import pytest

from tarwatch.config.validate import validate
from tarwatch.notify.channels import hub_channels, mail_url
from tarwatch.notify.compose import Line, Message
from tarwatch.notify.render import render
from tarwatch.notify.snooze import parse_target
from tarwatch.records import Key, Status
from tarwatch.redact import redact_config, redact_url, scrub, secrets_of


@pytest.mark.parametrize(
    ("url", "shown", "hidden"),
    [
        (
            "mailto://bob:s3cr3t@smtp.example.org:587?to=ops@example.org",
            "mailto://bob:***@smtp.example.org",
            "s3cr3t",
        ),
        ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#ops", "slack://***/***/***/#ops", "TIiajk"),
        (
            "json://hooks.example.org/in/aB3dE5fG7hJ9kL1mN3?token=t0k3n",
            "json://hooks.example.org/in/***?token=***",
            "t0k3n",
        ),
        ("ntfys://me:hunter22@ntfy.sh/backups", "ntfys://me:***@ntfy.sh/backups", "hunter22"),
        ("matrixs://me:pa55word@matrix.org/#ops", "matrixs://me:***@matrix.org/#ops", "pa55word"),
        (
            "postgresql://tw:dbpass@db.example.org/tarwatch",
            "postgresql://tw:***@db.example.org/tarwatch",
            "dbpass",
        ),
        (
            "json://127.0.0.1:8080/hook?+Authorization=Bearer%20xyz",
            "json://127.0.0.1:8080/hook?+Authorization=***",
            "xyz",
        ),
    ],
)
def test_secrets_inside_urls_are_redacted(url: str, shown: str, hidden: str) -> None:
    assert redact_url(url).startswith(shown)
    assert hidden not in redact_url(url)
    assert hidden not in scrub(f"Apprise said: could not reach {url}", secrets_of(url))


def test_a_url_without_secrets_is_shown_as_it_is() -> None:
    assert redact_url("json://127.0.0.1:8080/hook") == "json://127.0.0.1:8080/hook"
    assert redact_url("sqlite:////var/lib/tarwatch/tarwatch-2026-backup-01.db").endswith(
        "tarwatch-2026-backup-01.db"
    )


def config(**mail: object):
    return validate(
        {
            "hubs": {
                "ZZ": {
                    "srvnode": "dayabay",
                    "notify": ["json://127.0.0.1:9/hook", "json://127.0.0.1:9/hook"],
                    "email": ["ops@example.org"],
                }
            },
            "notify": {"mail": mail},
        },
        "test",
    )


def test_a_hub_has_its_apprise_urls_once_and_a_mail_channel_per_legacy_address() -> None:
    c = config(sender="tw@example.org", smtp_host="smtp.example.org", smtp_security="starttls")
    channels = hub_channels(c, "ZZ")
    assert [ch.url for ch in channels] == [
        "json://127.0.0.1:9/hook",
        "mailto://smtp.example.org:587?smtp=smtp.example.org&from=tw@example.org&to=ops@example.org&mode=starttls",
    ]
    assert len({ch.id for ch in channels}) == 2


def test_the_smtp_login_is_in_the_mail_url_and_redacted_in_its_label() -> None:
    c = config(smtp_host="127.0.0.1", smtp_port=2525, smtp_user="tw", smtp_password="p@ss/word")
    url = mail_url(c.notify.mail, "ops@example.org")
    assert url.startswith("mailto://tw:p%40ss%2Fword@127.0.0.1:2525?")
    label = hub_channels(c, "ZZ")[1].label
    assert "p%40ss" not in label and "p@ss" not in label and "tw:***@" in label


def test_config_show_data_has_every_secret_masked() -> None:
    c = config(smtp_user="tw", smtp_password="hunter22")
    data = c.model_dump(mode="json")
    data["store"]["url"] = "postgresql://tw:dbpass@db/tarwatch"
    data["hubs"]["ZZ"]["notify"] = ["slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#ops"]
    shown = str(redact_config(data))
    for secret in ("hunter22", "dbpass", "TIiajkdnlazkcOXrIdevi7FQ"):
        assert secret not in shown


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("ZZ", ("ZZ", None, None)),
        ("ZZ/SDU", ("ZZ", "SDU", None)),
        ("ZZ/Z9:229/repos/env", ("ZZ", "Z9:229", "repos/env")),
    ],
)
def test_a_snooze_target_is_a_hub_a_node_or_an_item(text: str, parsed: tuple) -> None:
    assert parse_target(text) == parsed


@pytest.mark.parametrize("text", ["", "ZZ/", "ZZ//x", "ZZ/SDU/repos", "ZZ/SDU/a/b/c"])
def test_a_snooze_target_that_is_none_of_these_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="HUB/NODE"):
        parse_target(text)


def test_names_from_the_nodes_are_escaped_in_the_html_and_kept_in_the_text() -> None:
    hostile = "<img src=x onerror=alert(1)>"
    key = Key("ZZ", "SDU", f"repos/{hostile}", "stale")
    line = Line(key, Status.ALARM, None, None, 0.0, f"SDU repos/{hostile}: old", "SDU stale")
    text, html = render(
        Message("ZZ", 0.0, "problems", "tarwatch ZZ: 1 alarm", new=[line], link="https://x/hub/ZZ.html")
    )
    assert hostile not in html and "&lt;img src=x" in html
    assert hostile in text
    assert (
        "New problems" in text and "https://x/hub/ZZ.html" in text and 'href="https://x/hub/ZZ.html"' in html
    )
