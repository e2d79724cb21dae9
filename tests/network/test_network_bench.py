"""benchmarks/network_bench.py cannot rot: one real run at a tiny size (3 bundles)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_network_benchmark_runs_at_a_tiny_size(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "network_bench", ROOT / "benchmarks" / "network_bench.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.measure(3, runs=1, folder=tmp_path / "bundles", report=False)
    assert result["bundles"] == 3 and result["pooled_rows"] > 0
    assert result["pool_median_s"] > 0
    assert len(list((tmp_path / "bundles").glob("*.zip"))) == 3
