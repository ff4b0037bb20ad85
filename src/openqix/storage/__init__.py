"""App persistence: a documented on-disk format (format.py) and the store (store.py), the
only writer of app files. Never imports protocol, session, api or server."""
