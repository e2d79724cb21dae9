"""An XLSX that unpacks to hundreds of MB, or holds more rows than the limit, is refused in
one line before openpyxl reads it (issue 17, point 6: 795 kB -> 314 MB took 2.1 GB)."""

from __future__ import annotations

import pytest

from evalkit.cli.main import cli
from evalkit.errors import EvalkitError
from evalkit.instrument import load_instrument
from evalkit.validate import validate_file

from .hostile import write_xlsx

HEADER = ["engagement_id", "mode", "worth_time"]
ROW = ["RIV-2026-001", "in_person", "4"]


def test_a_zip_bomb_is_refused_before_unpacking(tmp_path, runner, monkeypatch):
    import pandas as pd

    path = write_xlsx(tmp_path / "bomb.xlsx", HEADER, [ROW], pad_mb=300)
    assert path.stat().st_size < 2_000_000

    def must_not_read(*args, **kwargs):
        raise AssertionError("the sheet was unpacked")

    monkeypatch.setattr(pd, "read_excel", must_not_read)
    result = runner.invoke(cli, ["validate", str(path), "--instrument", "post_engagement"])
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1
    assert "unpacks to 301 MB, more than the limit of 200 MB" in result.output
    assert "EVALKIT_MAX_XLSX_MB=400" in result.output


def test_the_unpacked_limit_is_raised_by_its_variable(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "padded.xlsx", HEADER, [ROW], pad_mb=3)
    inst = load_instrument("post_engagement")
    monkeypatch.setenv("EVALKIT_MAX_XLSX_MB", "2")
    with pytest.raises(EvalkitError, match="unpacks to 4 MB") as info:
        validate_file(path, inst)
    assert info.value.code == "too-large"
    monkeypatch.setenv("EVALKIT_MAX_XLSX_MB", "10")
    assert validate_file(path, inst).rows_in == 1


def test_rows_over_the_limit_are_refused(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "rows.xlsx", HEADER, [ROW] * 20)
    inst = load_instrument("post_engagement")
    monkeypatch.setenv("EVALKIT_MAX_XLSX_ROWS", "10")
    with pytest.raises(EvalkitError, match=r"more than 10 rows.*EVALKIT_MAX_XLSX_ROWS=20"):
        validate_file(path, inst)
    monkeypatch.setenv("EVALKIT_MAX_XLSX_ROWS", "21")
    assert validate_file(path, inst).rows_in == 20


def test_xlsform_import_refuses_a_zip_bomb(tmp_path, monkeypatch):
    from evalkit.export.xlsform_import import import_xlsform

    path = write_xlsx(tmp_path / "form.xlsx", ["type", "name", "label"], [], pad_mb=3)
    monkeypatch.setenv("EVALKIT_MAX_XLSX_MB", "2")
    with pytest.raises(EvalkitError, match=r"unpacks to 4 MB.*EVALKIT_MAX_XLSX_MB"):
        import_xlsform(path)
