"""Scale scoring and item analysis (reference values are in test_reference_values.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.analyze.reliability import (
    cronbach_alpha,
    item_analysis,
    reverse_score,
    scale_reliability,
    scale_score,
)


@pytest.fixture
def items():
    rng = np.random.default_rng(0)
    trait = rng.normal(size=500)
    data = {f"i{j}": np.clip(np.round(3 + trait + rng.normal(0, 1, 500)), 1, 5) for j in range(4)}
    return pd.DataFrame(data)


def test_item_analysis_matches_direct_definitions(items):
    table = item_analysis(items).set_index("item")
    x = items.to_numpy()
    for j, name in enumerate(items.columns):
        rest = x.sum(axis=1) - x[:, j]
        assert table.loc[name, "item_rest_r"] == pytest.approx(np.corrcoef(x[:, j], rest)[0, 1])
        others = np.delete(x, j, axis=1)
        assert table.loc[name, "alpha_if_deleted"] == pytest.approx(cronbach_alpha(others))


def test_scale_reliability_uses_complete_cases(items):
    with_gaps = items.copy()
    with_gaps.iloc[:50, 0] = np.nan
    rel = scale_reliability("s", with_gaps)
    assert rel.n_complete == 450
    assert rel.alpha.value == pytest.approx(cronbach_alpha(items.iloc[50:].to_numpy()))
    assert rel.alpha.ci_low < rel.alpha.value < rel.alpha.ci_high
    assert 0 < rel.omega < 1


def test_reverse_scoring_and_min_items():
    s = pd.Series([1, 2, 5], dtype="Int64")
    assert reverse_score(s, 1, 5).tolist() == [5, 4, 1]
    df = pd.DataFrame({"a": [1.0, np.nan], "b": [3.0, np.nan], "c": [np.nan, 4.0]})
    assert scale_score(df, min_items=2).tolist()[0] == 2.0
    assert np.isnan(scale_score(df, min_items=2).tolist()[1])
    assert scale_score(df, min_items=1, score="sum").tolist() == [6.0, 12.0]
