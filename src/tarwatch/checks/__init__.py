"""Checks: pure functions of the stored history and `now`, rolled up to node and hub verdicts."""

from tarwatch.checks.evaluate import History, Poll, evaluate
from tarwatch.checks.model import Finding, Report, worst

__all__ = ["Finding", "History", "Poll", "Report", "evaluate", "worst"]
