"""Reload of a large CSV through a real load script, against DuckDB on the same file.

    python bench/reload_csv.py [--rows 10000000] [--dir /tmp/openqix-bench]

The CSV (8 columns: unique ints, small ints, dates, 2-decimal prices, discounts, short texts, a
few quoted texts with commas) is generated once into --dir and reused. Each side runs in its
own subprocess; peak memory is that process's VmHWM (the resource.getrusage maxrss of a child
started from this process can report the parent's peak, see PERF-NOTES.md), minus nothing.

- openqix: `LOAD * FROM [lib://data/big.csv] (txt, utf8, embedded labels, delimiter is ',')`
  through `openqix.App.from_script` (parse, read, interpret, build the model);
- sources: the same file through the reader alone, without the script executor: the streamed
  reading `script.sources.stream_table` + `table.stream_columns` (blocks read, interpreted and
  encoded as they come; what a reload does for a large delimited file) + `DataModel.build`;
- duckdb: `CREATE TABLE t AS SELECT * FROM read_csv(...)`.

Targets (issue 4): openqix time <= 2x DuckDB's; openqix peak <= 3x the model size (index
arrays + symbol tables). Each side also prints its process CPU time: on a shared machine the
wall times move with the other load, CPU seconds much less.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
SCRIPT = "LOAD * FROM [lib://data/big.csv] (txt, utf8, embedded labels, delimiter is ',');"


def generate(path: Path, n_rows: int) -> None:
    """Write the CSV in 1M-row chunks with pyarrow compute (only values with a comma are
    quoted, as most CSV writers do)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng(7)
    chunk = 1_000_000
    cities = [f"City {i:03d}" for i in range(400)] + [
        f'"Town {i}, Region {i % 7}"' for i in range(8)
    ]
    products = pa.array([f"P-{i:04d}" for i in range(1000)])
    discounts = pa.array([f"0.{d:02d}" for d in range(31)])
    days = pc.strftime(
        pa.array(np.arange(16436, 16436 + 4018).astype("datetime64[D]")), format="%Y-%m-%d"
    )
    temp = path.with_suffix(".tmp")
    with temp.open("wb") as out:
        out.write(b"OrderID,CustomerID,OrderDate,Qty,Price,Discount,Product,City\n")
        for start in range(0, n_rows, chunk):
            n = min(chunk, n_rows - start)
            cents = pc.cast(pa.array(rng.integers(100, 5_000_100, n)), pa.string())
            columns = [
                pa.array(np.arange(start + 1, start + n + 1)),
                pa.array(rng.integers(1, 100_001, n)),
                days.take(pa.array(rng.integers(0, len(days), n))),
                pa.array(rng.integers(1, 21, n)),
                pc.utf8_replace_slice(cents, start=-2, stop=-2, replacement="."),
                discounts.take(pa.array(rng.integers(0, 31, n))),
                products.take(pa.array(rng.integers(0, 1000, n))),
                pa.array(cities).take(pa.array(rng.integers(0, len(cities), n))),
            ]
            texts = [pc.cast(c, pa.string()) for c in columns]
            lines = pc.binary_join_element_wise(*texts, ",")
            lines = pc.binary_join_element_wise(lines, pa.scalar("\n"), "")
            offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
            data = lines.buffers()[2]
            out.write(memoryview(data)[offsets[0] : offsets[n]])
    temp.replace(path)


def peak_rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def model_bytes(model: Any) -> int:
    total = 0
    for table in model.tables.values():
        total += sum(index.nbytes for index in table.columns.values())
    for field in model.fields.values():
        total += field.symbols.nbytes
    return total


def side_openqix(path: Path) -> dict[str, Any]:
    from openqix.app import App

    base = peak_rss()
    start, cpu = time.perf_counter(), time.process_time()
    app = App.from_script(SCRIPT, connections={"data": str(path.parent)})
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    model = app.model
    (table,) = model.tables.values()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak": peak_rss(),
        "base": base,
        "model": model_bytes(model),
        "rows": table.n_rows,
    }


def side_sources(path: Path) -> dict[str, Any]:
    from openqix.calc.format import FormatSettings
    from openqix.calc.interpret import interpret_numbers
    from openqix.engine.model import DataModel, LoadedTable
    from openqix.script.sources import read_table, stream_table
    from openqix.script.sources.table import stream_columns, to_columns

    formats = FormatSettings()
    base = peak_rss()
    start = time.perf_counter()
    stream = stream_table(path, None)
    if stream is None:  # a small file: read whole
        source = read_table(path, None)
        names = source.field_names
        columns = to_columns(source.columns, lambda t: interpret_numbers(t, formats))
        del source
    else:
        names = stream.field_names
        columns = stream_columns(
            stream.batches,
            len(names),
            lambda texts: interpret_numbers(texts, formats),
            size_hint=stream.size,
            plain_decimals=True,
        )
    streamed = time.perf_counter() - start
    model = DataModel.build([LoadedTable("big", names, tuple(columns))])
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "stream": streamed,
        "build": seconds - streamed,
        "peak": peak_rss(),
        "base": base,
        "model": model_bytes(model),
        "rows": model.tables["big"].n_rows,
    }


def side_duckdb(path: Path) -> dict[str, Any]:
    import duckdb

    base = peak_rss()
    con = duckdb.connect()
    start, cpu = time.perf_counter(), time.process_time()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}')")
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    (rows,) = con.execute("SELECT count(*) FROM t").fetchone() or (0,)
    return {"seconds": seconds, "cpu": cpu, "peak": peak_rss(), "base": base, "rows": rows}


SIDES = {"openqix": side_openqix, "sources": side_sources, "duckdb": side_duckdb}


def run_side(side: str, path: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(HERE), "--side", side, "--file", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "openqix-bench")
    parser.add_argument("--side", choices=sorted(SIDES))
    parser.add_argument("--file", type=Path)
    parser.add_argument("--sides", default="duckdb,sources,openqix")
    args = parser.parse_args()
    if args.side:
        print(json.dumps(SIDES[args.side](args.file)))
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"rows_{args.rows}" / "big.csv"
    path.parent.mkdir(exist_ok=True)
    if not path.exists():
        start = time.perf_counter()
        generate(path, args.rows)
        print(
            f"generated {path} ({path.stat().st_size / 2**20:.0f} MiB) in "
            f"{time.perf_counter() - start:.1f} s"
        )
    results = {}
    for side in args.sides.split(","):
        try:
            results[side] = run_side(side, path)
        except subprocess.CalledProcessError as error:
            print(f"{side}: failed\n{error.stderr[-2000:]}")
            continue
        r = results[side]
        extra = "".join(f" {key} {r[key]:.2f} s" for key in ("cpu", "stream", "build") if key in r)
        model = f", model {r['model'] / 2**20:.0f} MiB" if "model" in r else ""
        print(
            f"{side:8s} {r['seconds']:6.2f} s, peak {r['peak'] / 2**20:6.0f} MiB "
            f"(at start {r['base'] / 2**20:.0f}){model}, {r['rows']:,} rows{extra}"
        )
    duck = results.get("duckdb")
    for side in ("sources", "openqix"):
        found = results.get(side)
        if found and duck:
            print(
                f"{side}: time ratio to DuckDB {found['seconds'] / duck['seconds']:.2f} "
                f"(target <= 2), peak / model size {found['peak'] / found['model']:.2f} "
                "(target <= 3)"
            )


if __name__ == "__main__":
    main()
