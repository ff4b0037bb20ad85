"""The I/O edge: the websockets asyncio server, URL routing and close codes. Thin: it feeds
frames to protocol/session and writes back what they return."""
