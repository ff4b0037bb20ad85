"""Run every benchmark in bench/ (not tests: timings are printed, never asserted)."""

from __future__ import annotations

import runpy
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIBRARIES = {"run.py", "star.py"}  # modules imported by benchmarks, not benchmarks

for script in sorted(HERE.glob("*.py")):
    if script.name not in LIBRARIES:
        print(f"== {script.stem}")
        runpy.run_path(str(script), run_name="__main__")
