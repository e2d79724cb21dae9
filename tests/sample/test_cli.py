"""``evalkit sample generate``: writes a platform export that validates; bad input is one line."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from evalkit.cli.main import cli
from evalkit.ingest import read_responses
from evalkit.instrument import load_instrument
from evalkit.sample import simulate
from evalkit.validate import validate_file


def test_generate_writes_csv_that_reads_back(runner, tmp_path):
    out = tmp_path / "pe.csv"
    result = runner.invoke(
        cli,
        [
            "sample",
            "generate",
            "--instrument",
            "post_engagement",
            "--n",
            "50",
            "--seed",
            "3",
            "--period",
            "2025-Q1",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote 50 responses to {out}\n"
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    sim = simulate("post_engagement", 50, 3, period="2025-Q1")
    frame = sim.frame
    assert table["response_id"].tolist() == frame["response_id"].tolist()
    assert table["submitted_at"].str.fullmatch(r"2025-0[1-3]-\d\dT\d\d:\d\d:\d\dZ").all()
    na_rows = sim.missing_choices.query("item == 'worth_time'")["response_id"]
    expected = frame["worth_time"].astype("string").fillna("")
    expected[frame["response_id"].isin(na_rows).to_numpy()] = "na"
    assert table["worth_time"].tolist() == expected.tolist()
    multi = table["next_step_types__visit"]
    assert set(multi) <= {"1", "0", ""}
    assert (multi == "").sum() == frame["next_step_types__visit"].isna().sum()
    back = read_responses(out, load_instrument("post_engagement"))
    assert back.issues.empty
    pd.testing.assert_series_equal(back.frame["worth_time"], frame["worth_time"], check_names=False)


@pytest.mark.parametrize(
    ("platform", "suffix", "detected"),
    [
        ("kobo", ".csv", "kobo"),
        ("kobo_xlsx", ".xlsx", "kobo"),
        ("odk", ".csv", "odk"),
        ("qualtrics", ".csv", "qualtrics"),
        ("google", ".csv", "google"),
        ("msforms", ".xlsx", "msforms"),
    ],
)
def test_generate_in_each_platform_format_validates(runner, tmp_path, platform, suffix, detected):
    """Every platform's export of the generator passes validation: no row quarantined."""
    out = tmp_path / f"fu{suffix}"
    args = ["sample", "generate", "--instrument", "follow_up", "--n", "80", "--seed", "4"]
    result = runner.invoke(
        cli, [*args, "--period", "2026", "--as-of", "2026-06-30", "--platform", platform,
              "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = validate_file(out, load_instrument("follow_up"))
    assert report.platform == detected
    assert (report.rows_in, report.rows_quarantined) == (80, 0)
    assert report.valid_frame["submitted_at"].max() < pd.Timestamp("2026-07-01", tz="UTC")


def test_xlsx_output_is_the_same_bytes_every_time(runner, tmp_path):
    paths = [tmp_path / "a.xlsx", tmp_path / "b.xlsx"]
    for path in paths:
        result = runner.invoke(
            cli, ["sample", "generate", "--instrument", "delegation_host", "--n", "20",
                  "--as-of", "2026-03-31", "--platform", "msforms", "-o", str(path)],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        time.sleep(1.1)  # openpyxl would stamp a different second
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_wrong_suffix_and_bad_as_of_are_one_line_exit_2(runner, tmp_path):
    base = ["sample", "generate", "--instrument", "post_engagement", "--n", "5"]
    result = runner.invoke(cli, [*base, "--platform", "msforms", "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2
    assert result.output == (
        "error: a msforms export is a .xlsx file, not 'x.csv'; name the output file *.xlsx\n"
    )
    result = runner.invoke(cli, [*base, "--as-of", "31/10/2026", "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2
    assert "cannot read the date '31/10/2026'; write it as YYYY-MM-DD" in result.output
    result = runner.invoke(
        cli, [*base, "--period", "2027", "--as-of", "2026-10-31", "-o", str(tmp_path / "x.csv")]
    )
    assert result.exit_code == 2
    assert "the period 2027 starts after the as-of date 2026-10-31" in result.output
    assert not list(tmp_path.iterdir())


def test_generate_with_effects_and_same_seed_same_bytes(runner, tmp_path):
    effects = tmp_path / "effects.yaml"
    effects.write_text("effects:\n  - {group: virtual, latent: presence, shift_sd: -0.5}\n")
    paths = []
    for name in ("a.csv", "b.csv"):
        paths.append(tmp_path / name)
        result = runner.invoke(
            cli,
            [
                "sample",
                "generate",
                "--instrument",
                "post_engagement",
                "--n",
                "30",
                "--effects",
                str(effects),
                "-o",
                str(paths[-1]),
            ],
        )
        assert result.exit_code == 0, result.output
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_text_cells_are_formula_neutralised(tmp_path):
    from evalkit.sample import write_csv

    frame = pd.DataFrame(
        {
            "note": pd.array(["=1+1", "ok", None], dtype="string"),
            "n": pd.array([-3, 1, None], dtype="Int64"),
        }
    )
    write_csv(frame, tmp_path / "x.csv")
    assert (tmp_path / "x.csv").read_text() == "note,n\n'=1+1,-3\nok,1\n,\n"


def test_bad_effects_file_is_one_line_exit_2(runner, tmp_path):
    effects = tmp_path / "effects.yaml"
    effects.write_text("effects:\n  - {group: remote, item: voice, shift_sd: 1}\n")
    result = runner.invoke(
        cli,
        [
            "sample",
            "generate",
            "--instrument",
            "post_engagement",
            "--n",
            "5",
            "--effects",
            str(effects),
            "-o",
            str(tmp_path / "o.csv"),
        ],
    )
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert result.output.startswith(f"error: {effects}:2: effects[0].group: 'remote' is not")
    assert not (tmp_path / "o.csv").exists()


def test_unknown_instrument_and_bad_options(runner, tmp_path):
    out = str(tmp_path / "o.csv")
    result = runner.invoke(
        cli, ["sample", "generate", "--instrument", "nope", "--n", "5", "-o", out]
    )
    assert result.exit_code == 2 and result.output.startswith("error: ")
    result = runner.invoke(
        cli, ["sample", "generate", "--instrument", "post_engagement", "--n", "-1", "-o", out]
    )
    assert result.exit_code == 2 and "-1" in result.output
    result = runner.invoke(
        cli,
        [
            "sample",
            "generate",
            "--instrument",
            "post_engagement",
            "--n",
            "5",
            "--period",
            "next year",
            "-o",
            out,
        ],
    )
    assert result.exit_code == 2
    assert "error: cannot read the period 'next year'" in result.output
    result = runner.invoke(
        cli,
        [
            "sample",
            "generate",
            "--instrument",
            "post_engagement",
            "--n",
            "5",
            "--seed",
            "-3",
            "-o",
            out,
        ],
    )
    assert result.exit_code == 2
    assert result.output == "error: the seed must be a whole number 0 or above, not -3\n"
