"""The published site: pages written once, data and images rewritten only when a node's data
changed, every write atomic. `tarwatch.publish.site.publish` is the entry point."""
