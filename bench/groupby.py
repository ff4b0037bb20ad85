"""A 1,000,000-row resident GROUP BY with Sum and Count(DISTINCT) in the load script,
against DuckDB's GROUP BY on the same data in the same run (time and ratio printed).

The data goes through a CSV file and a script LOAD (as a user would do); the GROUP BY time is
taken between the progress lines of the source LOAD and of the grouped LOAD, so reading the
file is not counted. Run: `.venv/bin/python bench/groupby.py [rows]`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from openqix.script.executor import run_script
from openqix.script.sources.connections import ConnectionResolver, FolderConnection

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
N_GROUPS = 1_000
N_DISTINCT = 10_000


def main() -> None:
    rng = np.random.default_rng(7)
    table = pa.table(
        {
            "K": rng.integers(0, N_GROUPS, N),
            "V": np.round(rng.random(N) * 100, 2),
            "D": rng.integers(0, N_DISTINCT, N),
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        pacsv.write_csv(table, Path(tmp) / "facts.csv")
        connections = ConnectionResolver([FolderConnection("bench", Path(tmp))])
        script = (
            "Facts:\nLOAD * FROM [lib://bench/facts.csv] (txt, embedded labels);\n"
            "Grouped:\nLOAD K, Sum(V) AS S, Count(DISTINCT D) AS C RESIDENT Facts GROUP BY K;\n"
        )
        stamps: list[tuple[str, float]] = []
        start = time.perf_counter()
        result = run_script(
            script, connections, progress=lambda line: stamps.append((line, time.perf_counter()))
        )
        total = time.perf_counter() - start
    loaded_at = next(t for line, t in stamps if line.endswith("Lines fetched"))
    grouped_at = stamps[-1][1]
    ours = grouped_at - loaded_at

    con = duckdb.connect()
    con.register("facts", table)
    query = "SELECT K, SUM(V) AS S, COUNT(DISTINCT D) AS C FROM facts GROUP BY K"
    con.execute(query).fetchall()  # warm up
    start = time.perf_counter()
    rows = con.execute(query).fetchall()
    duck = time.perf_counter() - start

    grouped = next(t for t in result.tables if t.name == "Grouped")
    assert grouped.n_rows == len(rows) == N_GROUPS
    by_key = {int(k): (s, c) for k, s, c in rows}
    keys = grouped.columns[0].numbers.tolist()
    sums = dict(zip(keys, grouped.columns[1].numbers.tolist(), strict=True))
    counts = dict(zip(keys, grouped.columns[2].numbers.tolist(), strict=True))
    assert all(
        abs(sums[k] - s) < 1e-6 * max(1.0, abs(s)) and counts[k] == c
        for k, (s, c) in by_key.items()
    )
    print(f"rows={N:,} groups={N_GROUPS:,} distinct D={N_DISTINCT:,}")
    print(f"script GROUP BY (Sum + Count DISTINCT): {ours * 1000:8.1f} ms")
    print(f"duckdb GROUP BY                       : {duck * 1000:8.1f} ms")
    print(f"ratio openqix/duckdb                  : {ours / duck:8.2f}x")
    print(f"whole reload incl. CSV load           : {total * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
