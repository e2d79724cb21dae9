"""Benchmark the analysis engine on a large post_engagement frame (default 1,000,000 rows).

Measures, each as the median of --runs runs:

1. ``read``: pandas ``read_csv(engine="pyarrow")`` of the frame file (the yardstick);
2. ``analysis``: ``evalkit.analyze.analyze`` on the frame already in memory (all outcomes,
   four modes);
3. ``whole``: the full ``evalkit analyze --frame FILE --instrument post_engagement --json``
   command in a fresh process (start-up, reading, typing/validation, analysis, JSON);
4. ``pingouin``: the same tests run item by item with pingouin on the raw rows (omnibus and
   the six pairwise tests per outcome), if pingouin is installed (``pip install .[bench]``).

Peak memory: the maximum resident set size of the process after each phase and of the whole
command's process, and the peak Python allocation of the analysis step (tracemalloc).

Run: ``.venv/bin/python benchmarks/analyze_bench.py [--n 1000000] [--runs 3]``
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pingouin_item_by_item(frame, inst) -> None:
    """The same tests, one outcome at a time, on raw rows (what an analyst would script)."""
    import pingouin as pg

    modes = ["in_person", "virtual", "hybrid_onsite", "hybrid_remote"]
    df = frame.copy()
    df["mode"] = df["mode"].astype(str)
    ordinal = [i.id for i in inst.items if i.role == "outcome" and i.type in ("likert", "integer")]
    for item in [*ordinal, "recommend"]:
        sub = df[["mode", item]].dropna().astype({item: float})
        pg.kruskal(data=sub, dv=item, between="mode")
        for a, b in combinations(modes, 2):
            pg.mwu(sub.loc[sub["mode"] == a, item], sub.loc[sub["mode"] == b, item])
    for scale in inst.scales:
        score = df[list(scale.items)].astype(float).mean(axis=1)
        sub = df[["mode"]].assign(score=score).dropna()
        pg.welch_anova(data=sub, dv="score", between="mode")
        for a, b in combinations(modes, 2):
            pg.ttest(sub.loc[sub["mode"] == a, "score"], sub.loc[sub["mode"] == b, "score"])
    cats = ["next_step", "would_attend_in_person"] + [
        c for c in df.columns if c.startswith("next_step_types__")
    ]
    for item in cats:
        sub = df[["mode", item]].dropna().astype({item: str})
        pg.chi2_independence(sub, x="mode", y=item, correction=False)
        for a, b in combinations(modes, 2):
            pair = sub[sub["mode"].isin([a, b])]
            if pair["mode"].nunique() == 2 and pair[item].nunique() > 1:
                pg.chi2_independence(pair, x="mode", y=item, correction=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-pingouin", action="store_true")
    parser.add_argument(
        "--pingouin-n",
        type=int,
        default=20_000,
        help="rows for the pingouin comparison (pingouin's mwu builds an n1 x n2 matrix)",
    )
    args = parser.parse_args()

    import pandas as pd

    from evalkit.analyze import AnalysisOptions, analyze
    from evalkit.analyze.frame_io import read_frame
    from evalkit.instrument import load_instrument
    from tests.analyze.synth import post_engagement_frame

    inst = load_instrument("post_engagement")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "frame.csv"
        post_engagement_frame(args.n, seed=1, shift={"virtual": -0.2}).to_csv(path, index=False)
        size_mib = path.stat().st_size / 2**20
        machine = platform.processor() or platform.machine()
        print(
            f"{args.n:,} responses, {size_mib:.0f} MiB CSV; {machine}, "
            f"Python {platform.python_version()}, pandas {pd.__version__}"
        )

        t_read = _median_time(lambda: pd.read_csv(path, engine="pyarrow"), args.runs)
        rss_read = _maxrss_mib()
        frame = read_frame(path, inst)
        t_analysis = _median_time(lambda: analyze(frame, inst, AnalysisOptions()), args.runs)
        rss_analysis = _maxrss_mib()
        tracemalloc.start()
        analyze(frame, inst, AnalysisOptions())
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        cmd = [sys.executable, "-m", "evalkit", "analyze", "--frame", str(path),
               "--instrument", "post_engagement", "--json", str(Path(tmp) / "r.json")]  # fmt: skip
        whole = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            whole.append(time.perf_counter() - start)
        rss_whole = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        t_whole = statistics.median(whole)

        t_pg = None
        if not args.no_pingouin:
            try:
                import pingouin  # noqa: F401

                sub = frame.iloc[: args.pingouin_n].reset_index(drop=True)
                t_pg = _median_time(lambda: _pingouin_item_by_item(sub, inst), 1)
                t_ek = _median_time(lambda: analyze(sub, inst, AnalysisOptions()), args.runs)
            except ImportError:
                print("pingouin not installed: skipped (pip install '.[bench]')")

    print()
    print("| step | median s | x read | peak memory |")
    print("|---|---|---|---|")
    print(f"| pandas read_csv(engine='pyarrow') | {t_read:.2f} | 1.00 | RSS {rss_read:.0f} MiB |")
    print(f"| analysis step (frame in memory) | {t_analysis:.2f} | {t_analysis / t_read:.2f} | "
          f"RSS {rss_analysis:.0f} MiB; Python peak {peak / 2**20:.0f} MiB |")  # fmt: skip
    print(f"| whole `evalkit analyze` command | {t_whole:.2f} | {t_whole / t_read:.2f} | "
          f"RSS {rss_whole:.0f} MiB |")  # fmt: skip
    if t_pg is not None:
        print(
            f"\non the first {args.pingouin_n:,} rows: pingouin item by item {t_pg:.2f} s, "
            f"evalkit analysis {t_ek:.2f} s: {t_pg / t_ek:.1f}x faster"
        )


if __name__ == "__main__":
    main()
