"""Readers of external data (inline text, delimited files) and the folder connections
that confine every path to its root. The only place that reads data files."""
