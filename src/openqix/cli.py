"""The command line: `openqix serve [--host] [--port] [--data-dir] [--demo]`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from openqix.config import Settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="openqix", description="An associative engine")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the QIX WebSocket server")
    serve.add_argument("--host", help="address to listen on (OPENQIX_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (OPENQIX_PORT, 9076)")
    serve.add_argument("--data-dir", type=Path, help="app store folder (OPENQIX_DATA_DIR)")
    serve.add_argument(
        "--demo", action="store_true", default=None, help="load the demo app (OPENQIX_DEMO)"
    )
    serve.add_argument("--session-ttl", type=int, help="seconds (OPENQIX_SESSION_TTL, 0)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("websockets").setLevel(logging.WARNING)
    try:
        settings = Settings.load(
            {
                "host": args.host,
                "port": args.port,
                "data_dir": args.data_dir,
                "demo": args.demo,
                "session_ttl": args.session_ttl,
            }
        )
    except ValueError as exc:
        print(f"openqix: {exc}", file=sys.stderr)
        return 2
    from openqix.server.app import EngineServer, run

    def ready(server: EngineServer) -> None:
        print(f"openqix is listening on {server.url}", flush=True)
        if settings.demo:
            print(f"demo app: {server.url}demo", flush=True)

    try:
        run(settings, ready)
    except OSError as exc:
        print(f"openqix: cannot listen on {settings.host}:{settings.port}: {exc}", file=sys.stderr)
        return 1
    return 0
