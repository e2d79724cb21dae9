"""Response-id copies: the fast path (equal-length ids hashed with numpy) is exact."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.validate.schema import _fixed_width_hashes, later_copies

ids = st.lists(
    st.one_of(st.none(), st.text(alphabet="abé1-_", min_size=0, max_size=11)), max_size=60
)


@settings(max_examples=300, deadline=None)
@given(ids)
def test_later_copies_equals_pandas_duplicated(values):
    series = pd.Series(values, dtype="string")
    expected = (series.duplicated(keep="first") & series.notna()).to_numpy(dtype=bool)
    assert later_copies(series).tolist() == expected.tolist()


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 23), st.lists(st.integers(0, 40), min_size=1, max_size=80))
def test_equal_length_ids_take_the_fast_path_and_stay_exact(width, picks):
    pool = [f"{i:0{width}d}"[-width:] for i in range(41)]
    series = pd.Series([pool[p] for p in picks], dtype="string")
    assert _fixed_width_hashes(series) is not None
    expected = series.duplicated(keep="first").to_numpy(dtype=bool)
    assert later_copies(series).tolist() == expected.tolist()


def test_ids_differing_in_one_byte_anywhere_are_distinct():
    base = "R_" + "x" * 15  # a Qualtrics-style id, 17 bytes (one padded word)
    variants = [base[:i] + "y" + base[i + 1 :] for i in range(len(base))]
    series = pd.Series([base, *variants, base, variants[-1]], dtype="string")
    assert np.flatnonzero(later_copies(series)).tolist() == [len(variants) + 1, len(variants) + 2]


def test_a_sliced_column_is_read_from_its_own_offset():
    series = pd.Series(["aa", "bb", "cc", "bb", "aa"], dtype="string").iloc[1:]
    assert later_copies(series.reset_index(drop=True)).tolist() == [False, False, True, False]
