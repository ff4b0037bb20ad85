"""Generic-object layouts computed from properties: list objects, hypercubes, paging and
sorting. Never imports protocol, session, api or server."""
