"""Large CSVs read their few-valued columns as dictionaries; nothing downstream may differ.

read_grid gives pyarrow dictionary types to the columns of a large file whose sample rows
hold few distinct cells (detect._dictionary_columns). These tests force every column of
every CSV fixture, sample export and bad input through that path, then compare the whole
ingest and validation result with the plain text path.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from evalkit.errors import EvalkitError
from evalkit.ingest import detect, read_responses
from evalkit.instrument import load_instrument
from evalkit.sample.platforms import WRITERS, write_export
from evalkit.validate import validate_responses
from tests.ingest.frames import make_frame

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = list(csv.DictReader((ROOT / "sample_data" / "manifest.csv").open()))
SAMPLE_CSVS = [r for r in MANIFEST if r["file"].endswith(".csv")]
BAD_INPUTS = sorted((ROOT / "tests" / "ingest" / "bad_inputs").glob("*.csv"))


def _every_column(text, delimiter, width, size):
    return set(range(width))


def _read(path, instrument, monkeypatch, *, coded: bool, **kwargs):
    with monkeypatch.context() as patch:
        if coded:
            patch.setattr(detect, "_dictionary_columns", _every_column)
        try:
            return read_responses(path, instrument, **kwargs)
        except EvalkitError as exc:
            return exc


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype("string")


def _assert_same(plain, coded, instrument):
    if isinstance(plain, EvalkitError):
        assert isinstance(coded, EvalkitError)
        assert (coded.code, coded.message) == (plain.code, plain.message)
        return
    assert not isinstance(coded, EvalkitError), coded
    pd.testing.assert_frame_equal(coded.frame, plain.frame)
    pd.testing.assert_frame_equal(coded.status, plain.status)
    pd.testing.assert_frame_equal(coded.issues, plain.issues)
    pd.testing.assert_frame_equal(coded.columns, plain.columns)
    pd.testing.assert_series_equal(coded.source_row, plain.source_row)
    pd.testing.assert_frame_equal(_as_text(coded.raw), _as_text(plain.raw))
    assert coded.notes == plain.notes
    plain_report = validate_responses(plain, instrument)
    coded_report = validate_responses(coded, instrument)
    pd.testing.assert_frame_equal(coded_report.failures, plain_report.failures)
    pd.testing.assert_frame_equal(coded_report.valid_frame, plain_report.valid_frame)
    pd.testing.assert_frame_equal(
        _as_text(coded_report.quarantine), _as_text(plain_report.quarantine)
    )


def test_a_coded_read_really_gives_categorical_cells(monkeypatch):
    row = SAMPLE_CSVS[0]
    path = ROOT / "sample_data" / row["file"]
    with monkeypatch.context() as patch:
        patch.setattr(detect, "_dictionary_columns", _every_column)
        grid = detect.read_grid(path)
    assert all(isinstance(t, pd.CategoricalDtype) for t in grid.cells.dtypes)
    plain = detect.read_grid(path)
    pd.testing.assert_frame_equal(_as_text(grid.cells), _as_text(plain.cells))


@pytest.mark.parametrize("row", SAMPLE_CSVS, ids=lambda r: r["file"])
def test_sample_exports_read_the_same_through_dictionaries(row, monkeypatch):
    instrument = load_instrument(row["instrument_id"])
    path = ROOT / "sample_data" / row["file"]
    plain = _read(path, instrument, monkeypatch, coded=False)
    coded = _read(path, instrument, monkeypatch, coded=True)
    _assert_same(plain, coded, instrument)


@pytest.mark.parametrize("path", BAD_INPUTS, ids=lambda p: p.name)
def test_bad_inputs_read_the_same_through_dictionaries(path, monkeypatch):
    instrument = load_instrument("post_engagement")
    plain = _read(path, instrument, monkeypatch, coded=False)
    coded = _read(path, instrument, monkeypatch, coded=True)
    _assert_same(plain, coded, instrument)


@pytest.mark.parametrize("platform", [p for p in WRITERS if p not in ("kobo_xlsx", "msforms")])
def test_every_csv_platform_reads_the_same_through_dictionaries(platform, tmp_path, monkeypatch):
    instrument = load_instrument("post_engagement")
    frame, status = make_frame(instrument, n=80, seed=11)
    path = tmp_path / "export.csv"
    write_export(frame, instrument, platform, path, status=status)
    plain = _read(path, instrument, monkeypatch, coded=False)
    coded = _read(path, instrument, monkeypatch, coded=True)
    _assert_same(plain, coded, instrument)


def test_large_files_choose_few_valued_columns(tmp_path):
    rows = ["id,mode,note"] + [
        f"r{i},{('virtual', 'in_person', 'hybrid')[i % 3]},text {i}" for i in range(200)
    ]
    text = "\n".join(rows) + "\n"
    assert detect._dictionary_columns(text, ",", 3, detect.DICTIONARY_MIN_BYTES) == {1}
    assert detect._dictionary_columns(text, ",", 3, detect.DICTIONARY_MIN_BYTES - 1) == set()
    few_rows = "\n".join(rows[:20]) + "\n"  # too few rows to judge
    assert detect._dictionary_columns(few_rows, ",", 3, detect.DICTIONARY_MIN_BYTES) == set()


def test_a_column_judged_wrongly_keeps_every_cell(tmp_path, monkeypatch):
    """Blank in the sample rows, distinct further down: read as a dictionary all the same."""
    monkeypatch.setattr(detect, "DICTIONARY_MIN_BYTES", 0)
    blank = [f"r{i:06d}," for i in range(10_000)]  # more than the 64 KiB sample
    rows = ["id,comment", *blank, *(f"r{i:06d},c{i}" for i in range(10_000, 15_000))]
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    grid = detect.read_grid(path)
    assert isinstance(grid.cells[1].dtype, pd.CategoricalDtype)
    assert grid.cells[1].iloc[-1] == "c14999"
    assert grid.cells[1].astype(str).tolist() == [r.split(",")[1] for r in rows]


@pytest.mark.parametrize("offset", [0, 1, 3])
def test_nulls_are_set_through_a_bitmap_without_losing_cells(offset):
    """null_where shares the text buffers; sliced chunks and existing nulls included."""
    import numpy as np
    import pyarrow as pa

    from evalkit.ingest._cells import null_where

    cells = ["x", "a", "", None, "d", " e ", "", "f", "g"]
    first = pa.array(cells, type=pa.large_string()).slice(offset)
    texts = pa.chunked_array([first, pa.array(["h", ""], type=pa.large_string())])
    flat = texts.to_pylist()
    null = np.array([c == "" for c in flat])
    got = null_where(texts, null).to_pylist()
    assert got == [None if (c == "" or c is None) else c for c in flat]
    assert null_where(texts, np.zeros(len(flat), dtype=bool)).to_pylist() == flat


def _read_on_threads(path, instrument, monkeypatch, threads: int):
    from evalkit.ingest import canonical

    with monkeypatch.context() as patch:
        patch.setattr(canonical, "_THREADS", threads)
        try:
            return read_responses(path, instrument)
        except EvalkitError as exc:
            return exc


@pytest.mark.parametrize(
    "path",
    [ROOT / "sample_data" / r["file"] for r in MANIFEST] + BAD_INPUTS,
    ids=lambda p: p.name,
)
def test_items_converted_on_threads_give_the_one_thread_result(path, monkeypatch):
    """build_canonical converts items on two threads: frame, status, issues (and their
    order), raw cells and the validation report are those of one thread."""
    row = next((r for r in MANIFEST if ROOT / "sample_data" / r["file"] == path), None)
    instrument = load_instrument(row["instrument_id"] if row else "post_engagement")
    alone = _read_on_threads(path, instrument, monkeypatch, 1)
    together = _read_on_threads(path, instrument, monkeypatch, 2)
    _assert_same(alone, together, instrument)
