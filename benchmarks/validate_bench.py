"""Validation speed and memory at scale: N responses of post_engagement (default 1,000,000).

Run: ``.venv/bin/python benchmarks/validate_bench.py [--rows 1000000] [--keep FILE]``.
Writes an evalkit CSV export of synthetic valid responses (with blanks, N/A choices and
skip logic, from tests/ingest/frames.py), then times in separate processes (so that each
peak memory is its own):

1. ``pandas.read_csv`` of the file, all cells as text (engine pyarrow when installed, else
   the C engine): the cost of *reading the file*;
2. ``read_responses``: read + map to the canonical frame;
3. ``validate_responses`` on that frame (the pandera schema, lazily, plus the report).

Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _peak_mb() -> float:
    """Peak resident memory of this process (VmHWM; ru_maxrss would include the parent's
    peak on Linux, since it survives fork + exec)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase(name: str, path: str) -> dict[str, float]:
    """Run one phase in this process and return its timings and peak memory."""
    import pandas as pd

    from evalkit.ingest import read_responses
    from evalkit.instrument import load_instrument
    from evalkit.validate import validate_responses

    inst = load_instrument("post_engagement")
    result: dict[str, float] = {}
    if name == "pandas":
        try:
            import pyarrow  # noqa: F401

            engine = "pyarrow"
        except ImportError:
            engine = "c"
        start, cpu = time.perf_counter(), time.process_time()
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, engine=engine)
        result["seconds"] = time.perf_counter() - start
        result["cpu"] = time.process_time() - cpu
        result["rows"] = len(frame)
        result["engine_pyarrow"] = float(engine == "pyarrow")
    else:
        import pandera.pandas  # noqa: F401  (import time is not validation time)

        start, cpu = time.perf_counter(), time.process_time()
        ingested = read_responses(path, inst)
        result["read_seconds"] = time.perf_counter() - start
        result["read_cpu"] = time.process_time() - cpu
        result["rows"] = len(ingested.frame)
        result["read_peak_mb"] = _peak_mb()
        if name == "validate":
            start, cpu = time.perf_counter(), time.process_time()
            report = validate_responses(ingested, inst)
            result["seconds"] = time.perf_counter() - start
            result["cpu"] = time.process_time() - cpu
            result["valid_rows"] = report.rows_valid
        else:
            result["seconds"] = result["read_seconds"]
            result["cpu"] = result["read_cpu"]
    result["peak_mb"] = _peak_mb()
    return result


def write_file(rows: int, path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from evalkit.instrument import load_instrument
    from evalkit.sample.platforms import write_export
    from tests.ingest.frames import make_frame

    inst = load_instrument("post_engagement")
    frame, status = make_frame(inst, n=rows, seed=2026)
    write_export(frame, inst, "evalkit", path, status=status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", help="Write (or reuse) the generated CSV at this path.")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.file)))
        return
    path = Path(args.keep) if args.keep else Path(tempfile.mkdtemp()) / "post_engagement.csv"
    if not path.exists():
        start = time.perf_counter()
        write_file(args.rows, path)
        print(
            f"wrote {path} ({path.stat().st_size / 1e6:.0f} MB) in "
            f"{time.perf_counter() - start:.0f} s",
            file=sys.stderr,
        )
    results = {}
    for name in ("pandas", "read", "validate"):
        out = subprocess.run(
            [sys.executable, __file__, "--phase", name, "--file", str(path)],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        results[name] = json.loads(out.stdout.strip().splitlines()[-1])
    rows = results["validate"]["rows"]
    engine = "pyarrow" if results["pandas"].get("engine_pyarrow") else "C (pyarrow not installed)"
    print(
        f"rows: {rows:,}; file: {path.stat().st_size / 1e6:.0f} MB; "
        f"Python {platform.python_version()}; {platform.machine()}"
    )
    print("| step | wall s | CPU s | rows/s (CPU) | peak memory (MB) |")
    print("|---|---|---|---|---|")
    labels = {
        "pandas": f"pandas.read_csv, all text ({engine} engine)",
        "read": "evalkit read_responses (read + canonical frame)",
        "validate": "evalkit validate_responses (pandera schema + report)",
    }
    for name, label in labels.items():
        r = results[name]
        print(
            f"| {label} | {r['seconds']:.1f} | {r['cpu']:.1f} | {rows / r['cpu']:,.0f} "
            f"| {r['peak_mb']:,.0f} |"
        )
    wall = results["validate"]["seconds"] / results["pandas"]["seconds"]
    cpu = results["validate"]["cpu"] / results["pandas"]["cpu"]
    print(f"\nvalidation / reading the file: {wall:.2f} (wall), {cpu:.2f} (CPU)")


if __name__ == "__main__":
    main()
