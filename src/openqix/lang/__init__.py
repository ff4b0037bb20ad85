"""The front end of both languages (load script and chart expressions): tokens with
positions, parsers, dollar expansion. Pure; never imports protocol, session, api or server."""
