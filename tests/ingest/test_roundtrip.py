"""Done-when: one set of responses written in every platform format reads back identically."""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit.ingest import read_responses
from evalkit.instrument import load_instrument
from evalkit.instrument.library import LIBRARY_IDS
from evalkit.sample.platforms import WRITERS, write_export
from tests.ingest.frames import make_frame

SUFFIX = {"kobo_xlsx": ".xlsx", "msforms": ".xlsx"}
EXPECTED_PLATFORM = {"kobo_xlsx": "kobo"}


def _compare(expected: pd.DataFrame, got: pd.DataFrame, *, ids: bool = True) -> None:
    columns = [c for c in expected.columns if c != "source" and (ids or c != "response_id")]
    pd.testing.assert_frame_equal(
        got[columns], expected[columns].reset_index(drop=True), check_categorical=True
    )


@pytest.mark.parametrize("platform", WRITERS)
def test_every_format_reads_back_to_the_same_frame(platform, tmp_path):
    inst = load_instrument("post_engagement")
    frame, status = make_frame(inst, n=60, seed=7)
    path = tmp_path / f"export{SUFFIX.get(platform, '.csv')}"
    write_export(frame, inst, platform, path, status=status)
    result = read_responses(path, inst)
    assert result.platform == EXPECTED_PLATFORM.get(platform, platform)
    assert result.detected
    assert result.issues.empty
    _compare(frame, result.frame, ids=platform != "google")
    pd.testing.assert_frame_equal(result.status, status)
    assert (result.frame["source"] == result.platform).all()
    assert result.source_row.tolist() == list(
        range(2 if platform != "qualtrics" else 4, 62 + (0 if platform != "qualtrics" else 2))
    )


@pytest.mark.parametrize("instrument_id", LIBRARY_IDS)
@pytest.mark.parametrize("platform", ["kobo", "qualtrics", "google"])
def test_every_library_instrument_round_trips(instrument_id, platform, tmp_path):
    inst = load_instrument(instrument_id)
    frame, status = make_frame(inst, n=25, seed=3)
    path = tmp_path / "export.csv"
    write_export(frame, inst, platform, path, status=status)
    result = read_responses(path, inst, platform=platform)
    assert result.issues.empty, result.issues.head()
    _compare(frame, result.frame, ids=platform != "google")


def test_kobo_labels_in_spanish_read_like_xml_values(tmp_path):
    inst = load_instrument("post_engagement")
    frame, status = make_frame(inst, n=30, seed=11)
    write_export(frame, inst, "kobo", tmp_path / "es.csv", status=status, labels=True, lang="es")
    write_export(frame, inst, "kobo", tmp_path / "xml.csv", status=status, groups=False)
    spanish = read_responses(tmp_path / "es.csv", inst)
    xml = read_responses(tmp_path / "xml.csv", inst)
    assert spanish.issues.empty
    _compare(frame, spanish.frame)
    _compare(frame, xml.frame)
    assert "¿Cómo participó en este encuentro?" in spanish.raw.columns


def test_canonical_dtypes(tmp_path):
    inst = load_instrument("post_engagement")
    frame, status = make_frame(inst, n=10)
    write_export(frame, inst, "evalkit", tmp_path / "e.csv", status=status)
    got = read_responses(tmp_path / "e.csv", inst).frame
    assert list(got.columns[:3]) == ["response_id", "submitted_at", "source"]
    assert str(got["submitted_at"].dtype) == "datetime64[ns, UTC]"
    assert got["worth_time"].dtype == "Int64"
    assert isinstance(got["mode"].dtype, pd.CategoricalDtype)
    assert list(got["mode"].cat.categories) == [
        "in_person",
        "virtual",
        "hybrid_onsite",
        "hybrid_remote",
    ]
    assert got["next_step_types__visit"].dtype == "boolean"
    assert got["new_contacts"].dtype == "Int64"
    assert got["most_valuable"].dtype == "string"
    # not shown (next_step != yes) means NA in every option column, never False
    not_yes = got["next_step"].astype("string") != "yes"
    assert got.loc[not_yes.fillna(True), "next_step_types__visit"].isna().all()
