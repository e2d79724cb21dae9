"""Weights as input (issue 20, point 1): validated, positive and finite, named in errors, and
picked up from the instrument's ``role: weight`` item; the Rao-Scott denominator df is the
design's (R svychisq), not the table's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit.analyze import AnalysisOptions, analyze
from evalkit.analyze.weights import rao_scott_test, read_weights
from evalkit.errors import DataError, UsageError
from evalkit.instrument import load_instrument
from tests.analyze.synth import post_engagement_frame

DATA = Path(__file__).parent / "data"
INSTRUMENTS = Path(__file__).parents[2] / "instruments"


@pytest.mark.parametrize(
    ("bad", "what"),
    [("abc", "not a number"), ("0", "not a positive"), ("-2", "not a positive"),
     ("inf", "not a positive")],
)  # fmt: skip
def test_bad_weight_is_a_one_line_error_naming_row_and_column(bad, what):
    frame = pd.DataFrame({"w": ["1.5", "2", bad, None, "3"]})
    with pytest.raises(DataError, match=what) as info:
        read_weights(frame, "w")
    text = str(info.value)
    assert "row 3" in text and "column 'w'" in text and "\n" not in text


def test_blank_weights_leave_rows_out_and_numbers_pass():
    w = read_weights(pd.DataFrame({"w": [1.5, np.nan, 2.0]}), "w")
    assert np.isnan(w[1]) and w[[0, 2]].tolist() == [1.5, 2.0]
    with pytest.raises(UsageError, match="not in the responses"):
        read_weights(pd.DataFrame({"x": [1]}), "w")


def test_engine_rejects_infinite_weight_with_row():
    frame = post_engagement_frame(40, seed=2)
    frame["w"] = 1.0
    frame.loc[7, "w"] = np.inf
    with pytest.raises(DataError, match="row 8"):
        analyze(frame, load_instrument("post_engagement"), AnalysisOptions(weights="w"))


@pytest.fixture(scope="module")
def weighted_instrument(tmp_path_factory):
    """post_engagement with a ``role: weight`` item ``pw``."""
    text = (INSTRUMENTS / "post_engagement.yaml").read_text(encoding="utf-8")
    item = (
        "  - id: pw\n    type: decimal\n    role: weight\n    section: value\n"
        "    text: {en: Sampling weight, es: Peso muestral}\n"
    )
    text = text.replace("  - id: new_contacts\n", item + "  - id: new_contacts\n", 1)
    path = tmp_path_factory.mktemp("inst") / "post_engagement.yaml"
    path.write_text(text, encoding="utf-8")
    return load_instrument(path)


def test_role_weight_item_is_the_default_weight(weighted_instrument):
    frame = post_engagement_frame(300, seed=5)
    frame["pw"] = np.exp(np.random.default_rng(5).normal(0, 0.6, len(frame)))
    opts = AnalysisOptions(outcomes=("new_contacts",))
    res = analyze(frame, weighted_instrument, opts)
    assert res.metadata["weights"] == "pw"
    assert set(res.comparisons.test) == {"Wald F test (linearised SE)"}
    explicit = analyze(frame, weighted_instrument, AnalysisOptions(outcomes=opts.outcomes,
                                                                   weights="pw"))  # fmt: skip
    assert res.comparisons.statistic.tolist() == explicit.comparisons.statistic.tolist()
    plain = analyze(frame, weighted_instrument, AnalysisOptions(outcomes=opts.outcomes,
                                                                weights="none"))  # fmt: skip
    assert plain.metadata["weights"] is None
    assert "Wald" not in " ".join(plain.comparisons.test)


def test_svychisq_ddf_counts_the_design_not_the_table():
    """R 4.2, survey 4.1 (Debian r-cran-survey):
        s <- apisrs; s$awards[1:20] <- NA; s$stype[21:25] <- NA
        svychisq(~stype+awards, svydesign(id=~1, weights=~pw, data=s))
    F = 7.54363862592901, ndf = 2, ddf = 398, p = 0.00060870841822945: ddf is
    d * (200 - 1) although only 175 rows are in the table (before: d * 174 = 348)."""
    s = pd.read_csv(DATA / "apisrs.csv", dtype={"cds": str})
    stype = pd.factorize(s.stype, sort=True)[0]
    awards = pd.factorize(s.awards, sort=True)[0]
    awards[:20] = -1
    stype[20:25] = -1
    res = rao_scott_test(stype, awards, s.pw.to_numpy())
    assert res.statistic == pytest.approx(7.54363862592901, rel=1e-9)
    assert res.df == pytest.approx(2, rel=1e-9)
    assert res.df2 == pytest.approx(398, rel=1e-9)
    assert res.p_value == pytest.approx(0.00060870841822945, rel=1e-7)
