"""Ways to print a report: table (people), json (programs), nagios (monitoring plugins)."""
