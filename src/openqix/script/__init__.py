"""Load-script execution: statements build a new data model. Only script/sources reads
external data. Never imports protocol, session, api or server."""
