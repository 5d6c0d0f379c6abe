"""unreadable: the folders a node's newest listing could not read are one warning on the node,
naming them; its items are judged as usual."""

from __future__ import annotations

from tests.unit.checks.test_checks import NOW, config, fresh_world, history, node_of

from tarwatch.checks import unreadable
from tarwatch.checks.evaluate import Poll, evaluate
from tarwatch.records import Status


def test_no_unreadable_folder_is_no_finding() -> None:
    assert unreadable.check("A", []) is None


def test_unreadable_folders_are_a_warning_naming_the_first_few() -> None:
    folders = [f"/backup/dayabay/svn/x{n}" for n in range(7)]
    f = unreadable.check("A", folders)
    assert f is not None and f.check == "unreadable" and f.status is Status.WARN
    assert "7 folders could not be read" in f.message and "/backup/dayabay/svn/x4" in f.message
    assert "/backup/dayabay/svn/x5" not in f.message and "(and 2 more)" in f.message


def test_evaluate_puts_the_warning_on_the_node_and_leaves_its_items_alone() -> None:
    polls = {"A": Poll(True, NOW, None, NOW, ("/backup/dayabay/svn/locked-away",))}
    report = evaluate(config(), ["ZZ"], history(fresh_world(), polls), NOW)
    a, b = node_of(report, "A"), node_of(report, "B")
    assert [(f.check, f.status) for f in a.findings] == [("unreadable", Status.WARN)]
    assert "/backup/dayabay/svn/locked-away" in a.findings[0].message
    assert a.status is Status.WARN and all(i.status is Status.OK for i in a.items)
    assert b.findings == [] and b.status is Status.OK
