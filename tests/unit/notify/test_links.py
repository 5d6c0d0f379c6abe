"""The hub page's link: joined by URL rules, kept redacted, sent in full; the site's link to a
hub's `url` has no credentials."""

from __future__ import annotations

import pytest

from tarwatch.notify.links import join, reveal
from tarwatch.notify.transport import Outgoing
from tarwatch.redact import redact_url, without_secrets


@pytest.mark.parametrize(
    ("base", "link"),
    [
        ("https://x.org/tw/", "https://x.org/tw/hub/ZZ.html"),
        ("https://x.org/tw", "https://x.org/tw/hub/ZZ.html"),
        ("https://x.org", "https://x.org/hub/ZZ.html"),
        ("https://x.org/tw/?token=abc&v=1", "https://x.org/tw/hub/ZZ.html?token=abc&v=1"),
        ("https://x.org/tw?token=abc#top", "https://x.org/tw/hub/ZZ.html?token=abc#top"),
        ("https://u:p@x.org:8443/a b/", "https://u:p@x.org:8443/a b/hub/ZZ.html"),
    ],
)
def test_a_hub_page_is_joined_to_the_site_url_with_its_query_and_fragment_kept(base: str, link: str) -> None:
    assert join(base, "hub/ZZ.html") == link


def test_a_file_name_with_a_percent_is_linked_percent_encoded() -> None:
    assert join("https://x.org/", "hub/Z9%3A229.html") == "https://x.org/hub/Z9%253A229.html"


def test_the_kept_message_has_the_link_redacted_and_the_sent_one_has_it_in_full() -> None:
    full = "https://ops:pw123456@x.org/tw/hub/ZZ.html?token=t0k3n&v=1"
    shown = redact_url(full)
    assert "pw123456" not in shown and "t0k3n" not in shown
    kept = Outgoing("s", f"Details: {shown}\n", f'<a href="{shown.replace("&", "&amp;")}">x</a>')
    sent = reveal(kept, full)
    assert sent.text == f"Details: {full}\n"
    assert sent.html == f'<a href="{full.replace("&", "&amp;")}">x</a>'
    assert reveal(kept, None) == kept


def test_a_link_on_the_site_has_no_credentials_but_still_leads_to_the_page() -> None:
    assert without_secrets("https://a:pw@h.org/r?key=k&page=1#x") == "https://h.org/r?page=1#x"
    assert without_secrets("https://h.org/r") == "https://h.org/r"
