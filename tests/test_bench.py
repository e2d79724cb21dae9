"""The benchmark driver (benchmarks/run.py) cannot rot: its arithmetic, its docs section, and
one real run at a tiny size. Benchmarks themselves are not tests (make bench)."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


def _args(**kw) -> argparse.Namespace:
    base = {"runs": 3, "runs_1m": 3, "report_runs": 1, "startup_runs": 5, "command_line": "x"}
    return argparse.Namespace(**{**base, **kw})


def _results(bench) -> dict:
    step = bench.Step
    steps = []
    for size, scale in ((1000, 1.0), (2000, 2.0)):
        steps += [
            step("read", size, [1.0 * scale, 2.0 * scale, 3.0 * scale], [100, 110, 105]),
            step(
                "validate",
                size,
                [0.5 * scale] * 3,
                [200] * 3,
                {"check": [0.25 * scale] * 3, "frame_mib": [50.0] * 3},
            ),
            step("analysis", size, [1.0 * scale] * 3, [150] * 3, {"frame_mib": [50.0] * 3}),
            step("analyze_cli", size, [6.0 * scale] * 3, [160] * 3),
        ]
    steps.append(step("pingouin", 1000, [40.0], [300], {"evalkit": [0.5], "rows": [1000]}))
    startup = [
        step("python -c pass", 0, [0.010] * 5, [9] * 5),
        step("evalkit --help", 0, [0.025] * 5, [20] * 5),
    ]
    return {"steps": steps, "startup": startup, "profile": None, "sizes": [1000, 2000]}


def test_render_ratios_and_growth(bench):
    text = bench.render(_results(bench), _args())
    # read median 2.0 at 1000 rows: validate 0.5 -> 0.25, checks 0.25 -> 0.12(5), analysis
    # 1.0 -> 0.50, whole 6.0 -> 3.00, pingouin 40 / 0.5 -> 80; peak 200 MiB / 50 MiB frame
    assert "| 1,000 | 0.25 | 0.12 | 0.50 | 3.00 | 80 | 50 | 4.0 |" in text
    # at 2000 rows pingouin did not run: scaled linearly, 40 s * 2 / analysis 2 s = 40
    assert "| 2,000 | 0.25 | 0.12 | 0.50 | 3.00 | ≥ 40 (scaled from 1,000 rows) |" in text
    assert "| 1,000 | pandas `read_csv(engine=" in text
    assert "2.000 [1.000–3.000] | 1.00 | 110 | 2.2 |" in text  # median [min–max], peak/frame
    # per-row cost: read 2 s / 1000 rows = 2000 µs, 4 s / 2000 = 2000 µs: growth 1.00
    assert "(the floor) | 2000.00 | 2000.00 | 1.00 |" in text
    assert "`evalkit --help` 25.0 ms [25.0–25.0]: 2.50x (target ≤ 3)" in text


def test_write_docs_replaces_only_the_generated_section(bench, tmp_path):
    docs = tmp_path / "performance.md"
    docs.write_text(f"# P\n\nbefore\n\n{bench.START}\nold table\n{bench.END}\n\nafter\n")
    bench.write_docs("new table\n", docs)
    text = docs.read_text()
    assert text == f"# P\n\nbefore\n\n{bench.START}\nnew table\n{bench.END}\n\nafter\n"


def test_the_docs_page_has_the_markers(bench):
    text = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    assert text.count(bench.START) == 1 and text.count(bench.END) == 1
    assert text.index(bench.START) < text.index(bench.END)


def test_driver_runs_end_to_end_at_a_tiny_size(bench, tmp_path):
    docs = tmp_path / "performance.md"
    docs.write_text(f"{bench.START}\n{bench.END}\n")
    bench.main(
        [
            "--sizes",
            "1500",
            "--runs",
            "1",
            "--startup-runs",
            "2",
            "--pingouin-n",
            "300",
            "--data-dir",
            str(tmp_path / "data"),
            "--write-docs",
            str(docs),
            "--profile",
        ]
    )
    text = docs.read_text()
    rows = [line for line in text.splitlines() if line.startswith("| 1,500 | ")]
    for label in (
        "(the floor)",
        "`validate_file`",
        "`evalkit validate FILE`",
        "`analyze` step",
        "`evalkit analyze` whole command",
        "`evalkit report FILE`",
    ):
        assert any(label in row for row in rows), label
    assert "`evalkit --help`" in text
    assert (tmp_path / "data" / "post_engagement-1500-s2026-2025.csv").stat().st_size > 100_000
    for step in ("validate", "analysis", "analyze_cli"):  # the profiles of make bench
        listing = (tmp_path / "data" / f"profile-{step}-1500.txt").read_text()
        assert "function calls" in listing and "evalkit/" in listing, step
