"""Benchmark: verify and pool N city bundles (``evalkit pool``'s library call), in seconds.

Builds N bundles once (cached under ``benchmarks/.data/network-N/``, which git ignores):
20 generated post-engagement frames of 300-500 responses, each city a bootstrap resample of
one of them, aggregated with :func:`evalkit.network.share.aggregate_frame` exactly as
``evalkit share`` does. Then times :func:`evalkit.network.pool.pool` (read and verify every
zip, pool every outcome and pair of modes, network KPIs) as the median of ``--runs``, and
the report files separately. Not part of ``make test``; see docs/performance.md.

    python benchmarks/network_bench.py --bundles 200
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def build_bundles(folder: Path, count: int, seed: int = 1) -> list[Path]:
    """``count`` bundles in ``folder`` (reused when already there)."""
    from evalkit.instrument import load_instrument
    from evalkit.network.bundle import write_bundle
    from evalkit.network.share import aggregate_frame
    from evalkit.sample.generate import generate_responses

    existing = sorted(folder.glob("*.zip"))
    if len(existing) == count:
        return existing
    folder.mkdir(parents=True, exist_ok=True)
    for old in existing:
        old.unlink()
    inst = load_instrument("post_engagement")
    rng = np.random.default_rng(seed)
    bases = [
        generate_responses(inst, int(rng.integers(300, 501)), seed=seed + i)
        for i in range(min(20, count))
    ]
    for i in range(count):
        base = bases[i % len(bases)]
        frame = base.iloc[rng.integers(0, len(base), len(base))].reset_index(drop=True)
        share = aggregate_frame(frame, inst, f"City {i:04d}", "2026")
        write_bundle(folder / f"city-{i:04d}.zip", share.meta, share.tables)
    return sorted(folder.glob("*.zip"))


def measure(count: int, runs: int, folder: Path | None = None, report: bool = True) -> dict:
    """Seconds to pool ``count`` bundles (median, min, max of ``runs``) and to write the report."""
    from evalkit.network.pool import pool
    from evalkit.network.report import write_network_outputs

    folder = folder or HERE / ".data" / f"network-{count}"
    build_bundles(folder, count)
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = pool([folder])
        times.append(time.perf_counter() - start)
    out: dict = {
        "bundles": count,
        "pooled_rows": len(result.pooled) if result is not None else 0,
        "pool_median_s": statistics.median(times),
        "pool_min_s": min(times),
        "pool_max_s": max(times),
    }
    if report and result is not None:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            write_network_outputs(result, tmp)
            out["report_s"] = time.perf_counter() - start
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundles", type=int, default=200, help="Number of city bundles.")
    parser.add_argument("--runs", type=int, default=3, help="Timed runs of the pooling.")
    args = parser.parse_args(argv)
    r = measure(args.bundles, args.runs)
    print(
        f"{r['bundles']} bundles: pool {r['pool_median_s']:.2f} s median "
        f"(min {r['pool_min_s']:.2f}, max {r['pool_max_s']:.2f}; {r['pooled_rows']} pooled "
        f"rows); report files {r.get('report_s', float('nan')):.2f} s"
    )


if __name__ == "__main__":
    main()
