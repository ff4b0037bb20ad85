"""Sequential round trips of a trivial call (EngineVersion) over a loopback WebSocket.

Starts `openqix serve --port 0` in a subprocess (so client and server do not share a GIL),
then times N sequential requests from one client. Prints calls per second.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time

import orjson
from websockets.asyncio.client import connect

CALLS = int(os.environ.get("ROUNDTRIP_CALLS", "5000"))


async def measure(url: str, calls: int) -> float:
    async with connect(url + "engineData", compression=None) as ws:
        await asyncio.wait_for(ws.recv(), 10)  # OnConnected
        frame = {"jsonrpc": "2.0", "id": 0, "handle": -1, "method": "EngineVersion", "params": []}
        start = time.perf_counter()
        for i in range(calls):
            frame["id"] = i + 1
            await ws.send(orjson.dumps(frame).decode())
            reply = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
            assert reply["id"] == i + 1
        return calls / (time.perf_counter() - start)


def main() -> None:
    with tempfile.TemporaryDirectory() as data:
        proc = subprocess.Popen(
            [sys.executable, "-m", "openqix", "serve", "--port", "0", "--data-dir", data],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            url = line.strip().split()[-1]
            rate = asyncio.run(measure(url, CALLS))
            print(f"EngineVersion sequential round trips: {rate:,.0f} calls/s ({CALLS} calls)")
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
