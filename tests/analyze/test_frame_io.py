"""Reading canonical frames: typed columns, personal data dropped, bad values named."""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit.analyze.frame_io import FrameError, read_frame
from evalkit.errors import DataError
from evalkit.instrument import load_instrument
from tests.analyze.synth import post_engagement_frame

INST = load_instrument("post_engagement")


def test_round_trip_types(tmp_path):
    frame = post_engagement_frame(200, seed=1)
    frame["most_valuable"] = "private text"
    path = tmp_path / "f.csv"
    frame.to_csv(path, index=False)
    got = read_frame(path, INST)
    assert "most_valuable" not in got.columns
    assert str(got["worth_time"].dtype) == "Int64"
    assert str(got["next_step_types__visit"].dtype) == "boolean"
    assert isinstance(got["mode"].dtype, pd.CategoricalDtype)
    pd.testing.assert_series_equal(
        got["worth_time"], frame["worth_time"], check_names=False, check_dtype=False
    )
    assert (
        got["next_step_types__visit"].isna().sum() == frame["next_step_types__visit"].isna().sum()
    )


def test_missing_choice_text_is_kept_for_counting(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("mode,worth_time\nvirtual,4\nvirtual,na\nin_person,\n")
    got = read_frame(path, INST)
    assert got["worth_time"].tolist()[:2] == ["4", "na"]


def test_errors_name_row_and_column(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("mode,new_contacts\nvirtual,3\nvirtual,2.5\n")
    with pytest.raises(FrameError, match=r"row 3: column 'new_contacts'.*whole number"):
        read_frame(path, INST)
    path.write_text("mode,next_step_types__visit\nvirtual,maybe\n")
    with pytest.raises(FrameError, match="not true/false"):
        read_frame(path, INST)
    with pytest.raises(DataError, match="file not found"):
        read_frame(tmp_path / "none.csv", INST)
