"""Notifications: transitions of problems' states are detected (a pure function of the kept
states, the report and `now`), grouped into one message per hub and run, kept, and delivered
through Apprise as a separate, retryable step. `tarwatch.notify.run.run_notify` is the entry."""
