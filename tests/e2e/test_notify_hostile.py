"""Names from the nodes are shown, never obeyed: an item whose name holds an ANSI colour, an
OSC window-title sequence, a BEL and a newline reaches a real SMTP server (aiosmtpd), a webhook,
`notify --dry-run` and the kept message with every control character shown escaped, in the
subject, the text part and the HTML part (which is HTML-escaped besides)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from support.notify_world import MONDAY, OPS, World, make_world
from support.tree import tarball

pytestmark = pytest.mark.e2e
EVIL = "ev\x1b]0;pwned\x07il\x1b[31m\nred<b>"
SHOWN = "ev\\x1b]0;pwned\\x07il\\x1b[31m\\nred"
CONTROLS = [chr(c) for c in range(32) if chr(c) not in "\n\t"] + ["\x7f", "\x9b"]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = make_world(tmp_path, hub={"select": []})
    old = MONDAY - timedelta(days=5)
    for node in ("hub", "SDU", "NTU"):
        tarball(w.backups.root(node), f"repos/{EVIL}/{old:%Y/%m/%d/%H%M%S}/{EVIL}.tar.gz", 1000)
    try:
        yield w
    finally:
        w.smtp.stop()
        w.hook.stop()


def _clean(text: str, where: str) -> None:
    bad = sorted({repr(c) for c in text if c in CONTROLS})
    assert not bad, f"control characters {bad} in {where}"


def test_control_characters_in_an_item_name_are_escaped_in_every_message(world: World) -> None:
    world.run(MONDAY, "collect")
    dry = world.run(MONDAY, "notify", "--dry-run")
    _clean(dry.out, "notify --dry-run")
    assert SHOWN in dry.out
    assert world.run(MONDAY).code == 2
    (mail,) = world.smtp.to(OPS)
    _clean(mail.subject, "the subject")
    assert "\n" not in mail.subject and SHOWN in mail.subject
    text, html = (mail.part(p).replace("\r\n", "\n") for p in ("plain", "html"))  # mail's line ends
    for body, where in ((text, "the text part"), (html, "the HTML part")):
        _clean(body, where)
        assert SHOWN in body, where
    assert f"{SHOWN}red<b>" not in html and "red&lt;b&gt;" in html
    for line in text.splitlines():  # the newline in the name did not start a line of its own
        assert not line.startswith("red<b>")
    ((_path, doc),) = world.hook.posts
    _clean(doc["title"] + doc["message"], "the webhook")
    assert SHOWN in doc["message"]
    db = sqlite3.connect(world.backups.base / "tarwatch.db")
    for subject, text, html in db.execute("SELECT subject, text, html FROM notify_messages"):
        _clean(subject + text + html, "notify_messages")


def test_control_characters_in_a_snooze_note_are_escaped_in_its_listing_and_the_mail(world: World) -> None:
    why = "disk\x1b]0;pwned\x07 swap\x1b[2J"
    r = world.run(MONDAY, "snooze", "ZZ/NTU", "2d", "--why", why)
    assert r.code == 0
    _clean(r.out, "snooze's answer")
    listing = world.run(MONDAY, "snooze").out
    _clean(listing, "the snooze listing")
    assert "disk\\x1b]0;pwned\\x07 swap\\x1b[2J" in listing
    world.run(MONDAY)
    (mail,) = world.smtp.to(OPS)
    text = mail.part("plain").replace("\r\n", "\n")
    _clean(text, "the text part")
    assert "ZZ/NTU until 2026-11-25 12:00 UTC: disk\\x1b]0;pwned\\x07 swap\\x1b[2J" in text
