"""Count tables read straight from a column's integers, and scales from answer patterns, give
what the row-by-row computation gives."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit._columns import level_index
from evalkit.analyze import AnalysisOptions, analyze, patterns
from evalkit.instrument import load_instrument
from tests.analyze.synth import post_engagement_frame

INST = load_instrument("post_engagement")
BIG = 2**63 - 1


def _reference_index(values: list, levels: list[float]) -> list[int]:
    """Position of each value in ``levels`` by plain comparison; len(levels) otherwise."""
    out = []
    for value in values:
        missing = value is None or (isinstance(value, float) and np.isnan(value))
        hits = [] if missing else [i for i, level in enumerate(levels) if level == value]
        out.append(hits[0] if hits else len(levels))
    return out


integers = st.one_of(
    st.integers(-4, 12), st.integers(-BIG - 1, BIG), st.sampled_from([-BIG - 1, BIG, 0])
)
integer_levels = st.lists(st.integers(-3, 10), min_size=1, max_size=8, unique=True)
any_levels = st.one_of(
    integer_levels.map(lambda xs: [float(x) for x in xs]),
    st.lists(st.sampled_from([-1.5, 0.25, 1.0, 2.5, 3.0, 7.75]), min_size=1, unique=True),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), integers), max_size=40), any_levels)
def test_level_index_of_nullable_integers(values, levels):
    column = pd.array(values, dtype="Int64")
    assert level_index(column, levels).tolist() == _reference_index(values, levels)
    # the column itself is left as it was (level_index shifts a copy in place)
    assert column.tolist() == [pd.NA if v is None else v for v in values]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.integers(-4, 12).map(float),
            st.sampled_from([0.5, 2.5, 1e300, -1e300]),
        ),
        max_size=40,
    ),
    any_levels,
)
def test_level_index_of_floats(values, levels):
    array = np.array(values, dtype=float)
    assert level_index(array, levels).tolist() == _reference_index(values, levels)


def test_level_index_of_booleans_numpy_integers_and_no_levels():
    flags = pd.array([True, None, False, True], dtype="boolean")
    assert level_index(flags, [1.0, 0.0]).tolist() == [0, 2, 1, 0]
    ints = np.array([5, 1, 3, -7])
    assert level_index(ints, [1, 3, 5]).tolist() == [2, 0, 1, 3]
    assert ints.tolist() == [5, 1, 3, -7]
    assert level_index(ints, []).tolist() == [0, 0, 0, 0]


def _frame(n: int, seed: int) -> pd.DataFrame:
    """Post-engagement responses with what real exports hold: values off the scale, rows
    without a mode, items left blank."""
    frame = post_engagement_frame(n, seed=seed, shift={"virtual": -0.3})
    rng = np.random.default_rng(seed)
    for item in ("worth_time", "attention", "voice"):
        off = rng.random(n) < 0.02
        frame.loc[off, item] = rng.choice([0, 6, 9], off.sum())
    frame.loc[rng.random(n) < 0.03, "mode"] = np.nan
    frame["w"] = rng.uniform(0.5, 2.0, n)
    return frame


def _scale_variants():
    presence, value = INST.scales
    return {
        "as published": INST,
        "reversed, sum, all items": dataclasses.replace(
            INST,
            scales=(
                dataclasses.replace(presence, reverse=("attention",), score="sum", min_items=3),
                dataclasses.replace(value, reverse=("worth_time", "learned_useful"), min_items=1),
            ),
        ),
    }


def _scale_rows(result, outcomes) -> dict[str, pd.DataFrame]:
    tables = {name: result.tables[name] for name in ("scales", "scale_items")}
    for name in ("descriptives", "comparisons", "pairwise"):
        table = result.tables[name]
        tables[name] = table[table["outcome"].isin(outcomes)].reset_index(drop=True)
    return tables


def _assert_same(by_pattern: dict, by_row: dict) -> None:
    for name, table in by_row.items():
        other = by_pattern[name]
        assert list(other.columns) == list(table.columns), name
        assert len(other) == len(table) > 0, name
        for column in table.columns:
            a, b = table[column], other[column]
            if pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
                np.testing.assert_allclose(
                    b.to_numpy(float), a.to_numpy(float), rtol=1e-9, atol=1e-12, err_msg=column
                )
            else:
                assert b.astype(str).tolist() == a.astype(str).tolist(), (name, column)


@pytest.mark.parametrize("variant", list(_scale_variants()))
@pytest.mark.parametrize(
    "options",
    [
        AnalysisOptions(outcomes=("presence", "value_index")),
        AnalysisOptions(outcomes=("presence", "value_index"), weights="w"),
        AnalysisOptions(outcomes=("presence", "value_index"), adjust=("drained",)),
    ],
    ids=["plain", "weighted", "adjusted"],
)
def test_scales_from_patterns_equal_row_by_row(variant, options, monkeypatch):
    instrument = _scale_variants()[variant]
    frame = _frame(4000, seed=7)
    outcomes = [s.id for s in instrument.scales]
    by_pattern = _scale_rows(analyze(frame, instrument, options), outcomes)
    monkeypatch.setattr(patterns, "MAX_PATTERNS", 0)  # every scale row by row
    by_row = _scale_rows(analyze(frame, instrument, options), outcomes)
    _assert_same(by_pattern, by_row)


def test_pattern_counts_cover_every_row():
    frame = _frame(2000, seed=3)
    items = ("co_presence", "attention", "voice")
    levels = {item: np.arange(1.0, 6.0) for item in items}
    codes = np.where(frame["mode"].isna(), 4, frame["mode"].cat.codes).astype(np.intp)
    counts = patterns.pattern_counts(
        {item: frame[item].array for item in items}, levels, (), codes, 4
    )
    assert counts.counts.sum() == len(frame)
    assert counts.counts[4].sum() == frame["mode"].isna().sum()
    # each row's pattern holds that row's answers (NaN where blank or off the scale)
    row_values = counts.values.to_numpy()[counts.row_pattern]
    for j, item in enumerate(items):
        raw = frame[item].to_numpy(dtype=float, na_value=np.nan)
        expected = np.where(np.isin(raw, levels[item]), raw, np.nan)
        np.testing.assert_array_equal(row_values[:, j], expected)


def test_too_many_patterns_fall_back_to_rows():
    many = {f"i{j}": np.ones(3) for j in range(8)}
    levels = {name: np.arange(1.0, 11.0) for name in many}  # 11**8 patterns
    assert patterns.pattern_counts(many, levels, (), np.zeros(3, dtype=np.intp), 1) is None
