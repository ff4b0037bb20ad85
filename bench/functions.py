"""Scalar functions and text interpretation against DuckDB on the same generated column.

Per case: openqix (calc/functions, calc/interpret) and the closest DuckDB SQL over the same
Arrow column in the same process; prints both times and the ratio (openqix / DuckDB).

    .venv/bin/python bench/functions.py [--rows N]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import duckdb
import numpy as np
import pyarrow as pa

from openqix.calc.format import DEFAULT_FORMATS, format_datetimes
from openqix.calc.functions import FunctionContext, lookup
from openqix.calc.interpret import interpret_numbers, parse_datetimes
from openqix.calc.values import Duals


def best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    rng = np.random.default_rng(7)
    numbers = np.round(rng.random(rows) * 100_000, 2)
    number_texts = pa.array([f"{v:.2f}" for v in numbers.tolist()])
    serials = np.floor(rng.random(rows) * 20_000 + 30_000)
    date_texts = pa.array(format_datetimes(serials, "YYYY-MM-DD", DEFAULT_FORMATS))
    words = pa.array([f"name {i % 50_000:05d}" for i in range(rows)])
    table = pa.table(
        {"num_text": number_texts, "date_text": date_texts, "word": words, "d": serials}
    )
    con = duckdb.connect()
    con.register("t", table)
    ctx = FunctionContext()
    word_duals = Duals.of_texts(np.asarray(words.to_pylist(), dtype=object))
    date_duals = Duals.of_numbers(serials)

    def call(name: str, *args: Duals) -> Duals:
        fn = lookup(name)
        assert fn is not None
        return fn.impl(ctx, list(args), rows)

    three = Duals.of_value(3, rows)
    fmt = Duals.of_value("YYYY-MM-DD", rows)
    cases: list[tuple[str, Callable[[], object], str]] = [
        (
            "interpret numbers (unique-ish)",
            lambda: interpret_numbers(number_texts, DEFAULT_FORMATS),
            "SELECT sum(TRY_CAST(num_text AS DOUBLE)) FROM t",
        ),
        (
            "Date#(text,'YYYY-MM-DD')",
            lambda: parse_datetimes(date_texts, "YYYY-MM-DD", DEFAULT_FORMATS),
            "SELECT count(TRY_STRPTIME(date_text, '%Y-%m-%d')) FROM t",
        ),
        (
            "interpret dates (20k distinct)",
            lambda: interpret_numbers(date_texts, DEFAULT_FORMATS),
            "SELECT count(TRY_CAST(date_text AS DATE)) FROM t",
        ),
        (
            "Date(d,'YYYY-MM-DD')",
            lambda: call("Date", date_duals, fmt),
            "SELECT count(strftime(DATE '1899-12-30' + CAST(d AS INTEGER), '%Y-%m-%d')) FROM t",
        ),
        ("Upper(word)", lambda: call("Upper", word_duals), "SELECT count(upper(word)) FROM t"),
        (
            "Left(word,3)",
            lambda: call("Left", word_duals, three),
            "SELECT count(left(word, 3)) FROM t",
        ),
        (
            "MonthStart(d)",
            lambda: call("MonthStart", date_duals),
            "SELECT count(date_trunc('month', DATE '1899-12-30' + CAST(d AS INTEGER))) FROM t",
        ),
    ]
    print(f"rows: {rows:,}")
    for label, ours, sql in cases:
        mine = best(ours)
        theirs = best(lambda sql=sql: con.execute(sql).fetchall())
        print(
            f"{label:34s} openqix {mine:7.3f}s  duckdb {theirs:7.3f}s  ratio {mine / theirs:6.1f}x"
        )


if __name__ == "__main__":
    main()
