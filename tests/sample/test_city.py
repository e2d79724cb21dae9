"""The city's files: platform exports that validate, nothing from the future, planted bad rows."""

from __future__ import annotations

import csv
import zipfile

import pandas as pd
import pytest

from evalkit.errors import UsageError
from evalkit.instrument import load_instrument
from evalkit.kpi.population import load_population
from evalkit.sample import generate_linked, simulate
from evalkit.sample.city import (
    BAD_ROWS,
    CITY_FORMATS,
    MANIFEST_COLUMNS,
    BadCell,
    build_city,
    city_file_name,
    city_format,
)
from evalkit.sample.linked import POPULATION_SHARES
from evalkit.sample.output import PLATFORMS, XLSX_TIMESTAMP
from evalkit.validate import validate_file

SMALL = {"activity_register": 16, "post_engagement": 160, "community_programme": 60}
AS_OF = pd.Timestamp("2026-11-01", tz="UTC")  # the day after 2026-10-31


@pytest.fixture(scope="module")
def city_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("city")
    build_city(out, seed=5, sizes=SMALL, as_of="2026-10-31")
    return out


def test_as_of_ends_the_period():
    sim = simulate("post_engagement", 500, 2, period="2026", as_of="2026-03-31")
    stamps = sim.frame["submitted_at"]
    assert stamps.min() >= pd.Timestamp("2026-01-01", tz="UTC")
    assert stamps.max() < pd.Timestamp("2026-04-01", tz="UTC")
    # a period that ends before as_of is not changed
    same = simulate("post_engagement", 50, 2, period="2025", as_of="2026-03-31")
    pd.testing.assert_frame_equal(
        same.frame, simulate("post_engagement", 50, 2, period="2025").frame
    )
    with pytest.raises(UsageError, match="starts after the as-of date"):
        simulate("post_engagement", 5, 2, period="2027", as_of="2026-03-31")


def test_linked_city_has_nothing_after_as_of_and_links_still_hold():
    city = generate_linked("2026", seed=4, sizes=SMALL, as_of="2026-10-31")
    for name, frame in city.frames.items():
        assert frame["submitted_at"].max() < AS_OF, name
    register = city.frames["activity_register"]
    for name in ("post_engagement", "follow_up", "delegation_host"):
        assert set(city.frames[name]["engagement_id"]) <= set(register["engagement_id"]), name
    codes = set(city.frames["post_engagement"]["participant_code"].dropna())
    assert set(city.frames["follow_up"]["participant_code"]) <= codes
    # follow-ups six months on from autumn engagements are not due yet: fewer than a full year
    full = generate_linked("2026", seed=4, sizes=SMALL)
    assert 0 < len(city.frames["follow_up"]) < len(full.frames["follow_up"])


def test_every_platform_is_used_and_file_names_say_which():
    used = {city_format(i, p) for i in CITY_FORMATS for p in ("2025", "2026")}
    assert used == set(PLATFORMS)
    assert city_file_name("post_engagement", "2025") == "2025/post_engagement.qualtrics.csv"
    assert city_file_name("connector_attribution", "2026") == (
        "2026/connector_attribution.kobo_xlsx.xlsx"
    )


def test_the_2025_community_form_is_in_spanish(city_dir):
    header = (city_dir / "2025/community_programme.google.csv").read_text(encoding="utf-8")
    assert header.startswith("Timestamp,")
    assert "¿" in header.splitlines()[0]
    report = validate_file(
        city_dir / "2025/community_programme.google.csv", load_instrument("community_programme")
    )
    assert report.rows_quarantined == 0
    programmes = set(report.valid_frame["programme"].dropna().astype(str))
    assert programmes and programmes <= {"youth", "immigrant", "women_entrepreneurs", "other"}


def test_manifest_and_population(city_dir):
    with (city_dir / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == MANIFEST_COLUMNS
    assert len(rows) == 14
    for row in rows:
        assert (city_dir / row["file"]).is_file()
        assert row["platform"] == city_format(row["instrument_id"], row["period"])
    assert load_population(city_dir / "population.yaml") == POPULATION_SHARES


def test_every_file_validates_except_the_planted_bad_rows(city_dir):
    with (city_dir / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    quarantined = {}
    for row in rows:
        report = validate_file(city_dir / row["file"], load_instrument(row["instrument_id"]))
        assert report.rows_in == int(row["rows"]), row["file"]
        assert report.platform == PLATFORMS[row["platform"]].replace("kobo_xlsx", "kobo")
        assert report.platform != "generic"
        if report.rows_quarantined:
            quarantined[row["file"]] = sorted(report.failures["code"])
    assert quarantined == {
        "2026/partner_relationship.csv": ["unknown-choice"],
        "2026/post_engagement.kobo.csv": ["duplicate-response", "out-of-range"],
    }


def test_the_formula_answer_is_kept_and_the_bad_cells_are_where_planted(city_dir):
    inst = load_instrument("post_engagement")
    report = validate_file(city_dir / "2026/post_engagement.kobo.csv", inst)
    formula = next(b for b in BAD_ROWS if b.column == "travel_from").value
    kept = report.valid_frame["travel_from"]
    assert (kept == formula).sum() == 1
    failures = report.failures.set_index("code")
    assert failures.loc["out-of-range", "source_row"] == 2 + 11  # header row + 0-based row
    assert failures.loc["duplicate-response", "source_row"] == 2 + 24


def test_xlsx_files_carry_no_write_time(city_dir):
    path = city_dir / "2026" / "delegation_host.msforms.xlsx"
    with zipfile.ZipFile(path) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert core.count(XLSX_TIMESTAMP) == 2


def test_a_bad_cell_in_a_missing_column_is_one_clear_error(tmp_path):
    from evalkit.errors import DataError

    bad = (BadCell("partner_relationship", "2026", 1, "no_such_item", "x"),)
    with pytest.raises(DataError, match="no column 'no_such_item'"):
        build_city(tmp_path, periods=("2026",), seed=1, sizes=SMALL, bad_rows=bad)


def test_xlsx_bytes_do_not_depend_on_lxml(tmp_path):
    """openpyxl serialises XML differently with lxml; the canonical form is the same."""
    import os
    import subprocess
    import sys

    args = ["sample", "generate", "--instrument", "delegation_host", "--n", "15"]
    args += ["--as-of", "2026-03-31", "--platform", "msforms"]
    for flag in ("True", "False"):
        env = {**os.environ, "OPENPYXL_LXML": flag}
        out = tmp_path / f"lxml_{flag}.xlsx"
        command = [sys.executable, "-m", "evalkit", *args, "-o", str(out)]
        subprocess.run(command, env=env, check=True, capture_output=True)
    assert (tmp_path / "lxml_True.xlsx").read_bytes() == (tmp_path / "lxml_False.xlsx").read_bytes()
