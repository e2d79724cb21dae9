"""Conformance: every pyxform-valid real-world XLSForm imports (issue 16, point 3).

Reads ../shared/realworld/forms (XLSForms from pyxform's own tests, KoboToolbox's formpack,
ODK Central, CorrelAid and UNHCR; README there) and skips when the folder is absent. The
files are read where they are, never copied into the project.

One test converts all ~100 forms with pyxform and imports each (about 5 s of CPU): marked
slow only to say so; it runs in ``make test``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from evalkit.errors import EvalkitError
from evalkit.export.xlsform_import import import_xlsform
from evalkit.validate.report import validate_file

REALWORLD = Path(__file__).resolve().parents[2].parent / "shared" / "realworld"
FORMS = REALWORLD / "forms"
pytestmark = pytest.mark.skipif(not FORMS.is_dir(), reason="../shared/realworld is absent")


def _pyxform_valid(path: Path) -> bool:
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            convert(xlsform=str(path), validate=False)
    except (PyXFormError, ValueError, KeyError, TypeError):
        return False
    return True


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Unknown extension:UserWarning")  # openpyxl on Kobo files
def test_pyxform_valid_forms_import(capsys):
    forms = sorted(p for p in FORMS.iterdir() if p.suffix in (".xlsx", ".xls"))
    assert forms, FORMS
    report: list[str] = []
    imported = failed = 0
    for path in forms:
        if not _pyxform_valid(path):
            report.append(f"pyxform-invalid  {path.name}")
            continue
        try:
            result = import_xlsform(path)
        except EvalkitError as exc:
            failed += 1
            report.append(f"failed    {path.name}: {exc}")
            # the message says what to change: "PLACE: WHAT; HINT"
            assert "; " in str(exc), str(exc)
            continue
        imported += 1
        inst = result.instrument
        report.append(
            f"imported  {path.name}: {len(inst.items)} items, {len(inst.unanalysed)} "
            f"unanalysed, {len(result.warnings)} warnings"
        )
    with capsys.disabled():
        print("\n" + "\n".join(report))
        print(f"{imported} of {imported + failed} pyxform-valid forms imported")
    assert imported + failed >= 90  # the corpus has 95 pyxform-valid forms
    assert imported >= 0.9 * (imported + failed)


def test_xls_workbooks_import_like_their_xlsx_copies():
    # each .xls of pyxform's examples was also saved as .xlsx (README): same instrument
    pairs = [p for p in sorted(FORMS.glob("*.xls")) if p.with_suffix(".xlsx").is_file()]
    assert len(pairs) >= 10
    for xls in pairs:
        if not _pyxform_valid(xls):
            continue
        a = import_xlsform(xls).instrument
        b = import_xlsform(xls.with_suffix(".xlsx")).instrument
        assert (a.items, a.choice_lists) == (b.items, b.choice_lists), xls.name
        # (a note's date cell reads as text differently from .xls and .xlsx)
        assert [u.name for u in a.unanalysed] == [u.name for u in b.unanalysed], xls.name


def test_odk_export_of_the_imported_form_validates_without_a_map():
    form = FORMS / "all-data-types.form.xlsx"
    export = REALWORLD / "exports" / "odk" / "central_all-data-types_0.csv"
    if not (form.is_file() and export.is_file()):
        pytest.skip("all-data-types form or its export is absent")
    instrument = import_xlsform(form).instrument
    report = validate_file(export, instrument)
    assert report.valid, report.failures
    assert report.rows_in == report.rows_valid == 1
    assert any("not analysed" in note and "some_geopoint-Latitude" in note for note in report.notes)
