"""Sans-I/O JSON-RPC for QIX: parse a text frame into a call, encode results, errors and
notifications, close codes. No asyncio, no sockets, no engine imports."""
