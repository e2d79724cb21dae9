"""The engine's group x level count tables equal a plain count, whatever the values hold."""

from __future__ import annotations

import numpy as np
import pytest

from evalkit.analyze.breakdown import Breakdown


def _naive(codes, values, levels, k):
    table = np.zeros((k, len(levels)), dtype=np.int64)
    for code, value in zip(codes, values, strict=True):
        if code < 0:
            continue
        for j, level in enumerate(levels):
            if value == level:  # NaN, fractions, out-of-range values match no level
                table[code, j] += 1
    return table


@pytest.mark.parametrize("seed", range(40))
def test_table_equals_a_plain_count(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 400)), int(rng.integers(1, 5))
    codes = rng.integers(-1, k, n)
    levels = np.unique(rng.integers(-3, 12, int(rng.integers(1, 8)))).astype(float)
    pool = np.r_[levels, levels + 0.5, np.nan, np.inf, -np.inf, 99.0, -99.0]
    values = rng.choice(pool, n)
    groups = Breakdown("mode", [str(i) for i in range(k)], [str(i) for i in range(k)], codes)
    expected = _naive(codes, values, levels, k)
    assert (groups.table(values, levels) == expected).all()
    assert (
        groups.table(values[::-1].copy(), levels) == _naive(codes, values[::-1], levels, k)
    ).all()
