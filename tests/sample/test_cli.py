"""``evalkit sample generate``: writes the canonical frame as CSV; bad input is one line."""

from __future__ import annotations

import pandas as pd

from evalkit.cli.main import cli
from evalkit.sample import generate_responses


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
    frame = generate_responses("post_engagement", 50, 3, period="2025-Q1")
    assert list(table.columns) == list(frame.columns)
    assert table["response_id"].tolist() == frame["response_id"].tolist()
    assert table["submitted_at"].str.fullmatch(r"2025-0[1-3]-\d\dT\d\d:\d\d:\d\dZ").all()
    assert table["worth_time"].tolist() == frame["worth_time"].astype("string").fillna("").tolist()
    multi = table["next_step_types__visit"]
    assert set(multi) <= {"true", "false", ""}
    assert (multi == "").sum() == frame["next_step_types__visit"].isna().sum()


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
