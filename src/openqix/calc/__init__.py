"""Evaluation over numpy: value interpretation and formatting (duals), scalar functions and
aggregations. Never imports protocol, session, api or server."""
