"""Start-up time of ``evalkit --help`` against a bare ``python -c pass`` (median of N runs).

Run: ``.venv/bin/python benchmarks/startup.py [--runs 30]``. Writes nothing; prints a
Markdown table row for docs/performance.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def median_seconds(command: list[str], runs: int) -> tuple[float, float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    evalkit = shutil.which("evalkit", path=str(Path(sys.executable).parent)) or "evalkit"
    rows = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "evalkit --help": [evalkit, "--help"],
        "evalkit instrument --help": [evalkit, "instrument", "--help"],
    }
    base = None
    print("| command | median ms | min ms | max ms | x python -c pass |")
    print("|---|---|---|---|---|")
    for name, command in rows.items():
        med, low, high = median_seconds(command, args.runs)
        base = base or med
        print(
            f"| `{name}` | {med * 1000:.1f} | {low * 1000:.1f} | {high * 1000:.1f} "
            f"| {med / base:.2f} |"
        )


if __name__ == "__main__":
    main()
