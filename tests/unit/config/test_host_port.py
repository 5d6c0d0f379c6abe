"""host:port, written once (config.models.host_port): for ssh destinations and legacy node tags."""

from __future__ import annotations

import pytest

from tarwatch.config.models import SHELL_VAR, host_port


@pytest.mark.parametrize(
    ("dest", "want"),
    [
        ("Z9:229", ("Z9", 229)),
        ("Z9", ("Z9", None)),
        ("[::1]:22", ("::1", 22)),
        ("[::1]", ("::1", None)),
        ("fe80::1", ("fe80::1", None)),  # a bare IPv6 address takes no port
        ("host:２２", ("host:２２", None)),  # ASCII digits only
    ],
)
def test_a_port_only_where_it_cannot_be_part_of_the_host(dest: str, want: tuple[str, int | None]) -> None:
    assert host_port(dest) == want


def test_a_shell_variable_is_named_as_the_shell_names_it() -> None:
    found = [m.group(1) or m.group(2) for m in SHELL_VAR.finditer("$SCM_FOLD/${HOME}/$1/$é/x$_a9")]
    assert found == ["SCM_FOLD", "HOME", "_a9"]
