"""The use cases: what the commands do with the configuration, the store and `now` (build the
report, notify, the nightly run), without printing; the CLI shows what they return."""
