"""Conformance: the real-world response exports are read as downloaded (issue 16).

Reads ../shared/realworld/exports (KoboToolbox, ODK Central, Qualtrics, Google Forms and
Microsoft Forms files made by those tools; README there) against the instruments written
for them (../shared/realworld/instruments) or, for Kobo, the instrument imported from the
form that made them. Skips when the folder is absent; nothing is copied into the project.

Each file has an expectation: every row valid; rows quarantined, each with a stated
reason; or a one-line refusal that says what to do. The per-file table (rows in, valid,
quarantined, codes) is printed (``pytest -s``) and shown with any failure.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from evalkit.errors import EvalkitError
from evalkit.instrument import load_instrument
from evalkit.instrument.model import Instrument

REALWORLD = Path(__file__).resolve().parents[3] / "shared" / "realworld"
EXPORTS = REALWORLD / "exports"
pytestmark = pytest.mark.skipif(not EXPORTS.is_dir(), reason="../shared/realworld is absent")

KOBO = (
    "auto_report", "auto_report_extended_fields", "customer_satisfaction", "dietary_needs",
    "favorite_coffee", "grouped_questions", "grouped_repeatable", "grouped_translated",
    "literacy_test", "or_other", "quotes_newlines_and_long_urls", "restaurant_profile",
    "sanitation_report", "select_one_legacy", "site_inspection",
)  # fmt: skip


@dataclass(frozen=True)
class Case:
    export: str
    instrument: str  # a yaml of realworld/instruments, or "kobo:<form>"
    expect: str = "valid"  # valid | explained | refused
    detail: str = ""  # refused: words the message must hold; explained: the codes allowed
    mapping: str | None = None
    date_order: str | None = None


CASES = [
    Case("google/uva_DS-4002-fa22-survey-results.xlsx", "g_fa22"),
    Case("google/uva_DS-4002-sp23-survey-results.csv", "g_sp23"),
    Case("google/uva_DS-4002-sp24-survey-results.csv", "g_sp24"),
    Case("google/uva_DS-4002-sp24-survey-results.xlsx", "g_sp24"),
    Case("google/uva_Is_hotdog_a_sandwich__Responses.xlsx", "g_fa25"),
    Case("google/gecko_sustainability_responses.csv", "g_gecko"),
    Case("google/gecko_sustainability_responses.sheets_ts.csv", "g_gecko"),
    Case("google/gecko_sustainability_responses.sheets_ts_comma.csv", "g_gecko"),
    # Microsoft Forms' CSV writes 9/1/2024: the order must be said, then all is read
    Case("msforms/uva_Hot-Dog-Form-Fa24.csv", "ms_fa24", "refused", "--date-order"),
    Case("msforms/uva_Hot-Dog-Form-Fa24.csv", "ms_fa24", date_order="mdy"),
    Case("msforms/uva_Hot-Dog-Form-Fa24.msforms.xlsx", "ms_fa24"),
    Case("odk/central_all-data-types_0.csv", "odk_alltypes", mapping="map_alltypes"),
    Case("odk/central_mytestform_0.csv", "odk_mytestform"),
    Case("odk/central_mytestform_1.csv", "odk_mytestform"),
    # joined cells name choices that have no option column: taken from the joined cell
    Case("odk/central_selectMultiple_0.csv", "odk_selectmultiple"),
    Case("odk/central_selectMultiple_1.csv", "odk_selectmultiple"),
    Case("odk/central_structuredform_0.csv", "odk_structuredform"),
    Case("odk/central_structuredform_1.csv", "odk_structuredform"),
    Case("qualtrics/qualtRics_sample.csv", "qualtrics_sample"),
    Case("qualtrics/qualtRics_sample_dst.csv", "qualtrics_sample"),
    Case("qualtrics/qualtRics_sample_legacy.csv", "qualtrics_sample"),
    Case("qualtrics/finsl_signbank_validation.csv", "qualtrics_signbank", mapping="map_signbank"),
    *(
        Case(f"kobo/{name}.{kind}", f"kobo:{name}")
        for name in KOBO
        if name not in ("site_inspection", "literacy_test", "favorite_coffee")
        for kind in ("xml.csv", "xml.xlsx", "labels.csv")
    ),
    *(Case(f"kobo/literacy_test.{k}", "kobo:literacy_test") for k in ("xml.csv", "xml.xlsx")),
    # two questions share a label: the label export cannot tell them apart
    Case("kobo/literacy_test.labels.csv", "kobo:literacy_test", "refused", "appears twice"),
    Case("kobo/site_inspection.labels.csv", "kobo:site_inspection", "refused", "appears twice"),
    # submissions of an older form version (siv1) skip questions the form (siv5) requires
    *(
        Case(f"kobo/site_inspection.{k}", "kobo:site_inspection", "explained", "missing-required")
        for k in ("xml.csv", "xml.xlsx")
    ),
    # the fcv2 form dropped the choice 'italian' that earlier submissions picked
    *(
        Case(f"kobo/favorite_coffee.{k}", "kobo:favorite_coffee", "explained", "unknown-choice")
        for k in ("xml.csv", "xml.xlsx", "labels.csv")
    ),
]


@cache
def _instrument(name: str) -> Instrument:
    if name.startswith("kobo:"):
        from evalkit.export.xlsform_import import import_xlsform

        form = REALWORLD / "forms" / f"kobo_{name.removeprefix('kobo:')}.form.xlsx"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl: Kobo's workbook extensions
            return import_xlsform(form).instrument
    return load_instrument(str(REALWORLD / "instruments" / f"{name}.yaml"))


def _mapping(name: str | None) -> dict[str, str] | None:
    if name is None:
        return None
    from evalkit.ingest.read import load_mapping

    return load_mapping(REALWORLD / "instruments" / f"{name}.yaml")


def _run(case: Case) -> tuple[str, object]:
    from evalkit.validate.report import validate_file

    try:
        report = validate_file(
            EXPORTS / case.export, _instrument(case.instrument), mapping=_mapping(case.mapping),
            date_order=case.date_order,
        )  # fmt: skip
    except EvalkitError as error:
        return "refused", error
    return "read", report


def _line(case: Case, outcome: str, result: object) -> str:
    if outcome == "refused":
        return f"{case.export:62} refused: {str(result)[:90]}"
    codes = sorted(set(result.failures["code"])) if len(result.failures) else []
    return (
        f"{case.export:62} in {result.rows_in:>4}  valid {result.rows_valid:>4}  "
        f"quarantined {result.rows_quarantined:>4}  {', '.join(codes)}"
    )


def _param(case: Case) -> object:
    label = case.export + (f" --date-order {case.date_order}" if case.date_order else "")
    return pytest.param(case, id=label)


def _problems(case: Case, outcome: str, result: object) -> list[str]:
    if case.expect == "refused":
        text = str(result)
        if outcome != "refused" or case.detail not in text or "\n" in text:
            return [f"expected a one-line refusal with {case.detail!r}"]
        return []
    if outcome == "refused":
        return [f"refused: {result}"]
    problems = []
    if result.rows_in != result.rows_valid + result.rows_quarantined or not result.rows_in:
        problems.append("rows in != valid + quarantined")
    quarantined = result.failures[result.failures["source_row"].notna()]
    if case.expect == "valid" and result.rows_quarantined:
        problems.append(f"{result.rows_quarantined} rows quarantined")
    if case.expect == "explained":
        unexplained = set(quarantined["code"]) - set(case.detail.split())
        if not result.rows_quarantined or unexplained:
            problems.append(f"quarantine codes {sorted(unexplained)}, expected {case.detail}")
    return problems


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_export_is_read_as_downloaded(case):
    assert (EXPORTS / case.export).is_file(), "missing from the corpus"
    outcome, result = _run(case)
    problems = _problems(case, outcome, result)
    assert not problems, f"{_line(case, outcome, result)}\n" + "\n".join(problems)


def test_per_file_table_accounts_for_every_row(capsys):
    """The conformance table (shown with pytest -s): every file read or refused in words."""
    lines, read = [], 0
    for case in CASES:
        outcome, result = _run(case)
        lines.append(_line(case, outcome, result))
        if outcome == "read":
            read += 1
            assert result.rows_in == result.rows_valid + result.rows_quarantined, case.export
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert read >= 0.9 * len(CASES)


def test_the_readme_first_steps_on_a_real_google_forms_download(tmp_path):
    """README "A year with evalkit", step 2, on Google Forms' own "Download responses (.csv)"."""
    from click.testing import CliRunner

    from evalkit.cli.main import cli

    download = EXPORTS / "google" / "gecko_sustainability_responses.csv"
    instrument = str(REALWORLD / "instruments" / "g_gecko.yaml")
    ws, bad = str(tmp_path / "evalkit.duckdb"), str(tmp_path / "bad_rows.csv")
    runner = CliRunner()
    steps = [
        ["validate", str(download), "--instrument", instrument, "--quarantine", bad],
        ["ingest", str(download), "--instrument", instrument, "--period", "2026",
         "--workspace", ws],
        ["ingest", str(download), "--instrument", instrument, "--period", "2026",
         "--workspace", ws],  # the same download again adds nothing
        ["workspace", "status", "--workspace", ws],
    ]  # fmt: skip
    outputs = []
    for args in steps:
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    from evalkit.store import workspace_status

    status = workspace_status(ws)
    assert int(status["responses"].sum()) == 42  # the download's 42 responses, once
    assert "gecko_sustainability" in outputs[-1]
