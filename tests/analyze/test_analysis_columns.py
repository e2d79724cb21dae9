"""``evalkit analyze FILE`` keeps only the columns the analysis reads: the result must be the
one of the whole valid frame, for the default run and for options that name other columns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evalkit.analyze import AnalysisOptions, analysis_columns, analyze
from evalkit.analyze.frame_io import frame_from_export
from evalkit.instrument import load_instrument
from evalkit.validate import validate_file

ROOT = Path(__file__).resolve().parents[2]
INST = load_instrument("post_engagement")
FILES = [
    ROOT / "sample_data" / "2026" / "post_engagement.kobo.csv",
    ROOT / "sample_data" / "2025" / "post_engagement.qualtrics.csv",
]
OPTIONS = {
    "default": AnalysisOptions(n_boot=199),
    "by a context item": AnalysisOptions(by="travel_mode", n_boot=199),
    # regression per outcome is slow: two outcomes are enough to see the covariate kept
    "adjusted for a text item": AnalysisOptions(
        adjust=("travel_from",), outcomes=("worth_time", "recommend"), n_boot=199
    ),
    "raked to margins": AnalysisOptions(
        margins={
            "mode": {"in_person": 0.4, "virtual": 0.3, "hybrid_onsite": 0.2, "hybrid_remote": 0.1}
        },
        n_boot=199,
    ),
}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("name", OPTIONS)
def test_analysis_of_the_limited_frame_equals_the_whole(path, name):
    opts = OPTIONS[name]
    whole, counts = frame_from_export(path, INST)
    limited, limited_counts = frame_from_export(path, INST, columns=analysis_columns(INST, opts))
    assert set(limited.columns) < set(whole.columns)
    assert counts == limited_counts
    expected, got = analyze(whole, INST, opts), analyze(limited, INST, opts)
    assert expected.metadata == got.metadata
    for table in expected.tables:
        pd.testing.assert_frame_equal(got.tables[table], expected.tables[table], obj=table)


def test_columns_named_by_options_are_kept_and_text_is_not():
    columns = analysis_columns(
        INST, AnalysisOptions(by="travel_from", weights="w", adjust=("engagement_id",))
    )
    assert {"travel_from", "w", "engagement_id", "mode", "next_step_types"} <= set(columns)
    assert not {"response_id", "most_valuable", "participant_code"} & set(columns)


def test_validation_is_unchanged_by_the_columns_kept():
    path = FILES[0]
    whole = validate_file(path, INST)
    limited = validate_file(path, INST, columns=["mode", "next_step_types", "absent"])
    assert list(limited.valid_frame.columns) == ["mode"] + [
        c for c in whole.valid_frame.columns if c.startswith("next_step_types__")
    ]
    assert (limited.rows_in, limited.rows_valid, limited.rows_quarantined) == (
        whole.rows_in,
        whole.rows_valid,
        whole.rows_quarantined,
    )
    pd.testing.assert_frame_equal(limited.failures, whole.failures)
    pd.testing.assert_frame_equal(limited.quarantine, whole.quarantine)
    pd.testing.assert_frame_equal(
        limited.valid_frame, whole.valid_frame[limited.valid_frame.columns]
    )


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        (["--by", "nope"], "group variable 'nope'"),
        (["--weights", "w"], "weight column 'w'"),
        (["--adjust", "nope"], "covariate 'nope'"),
    ],
)
def test_a_column_named_but_absent_is_still_a_one_line_error(runner, option, expected):
    """Named columns are asked for; one the file lacks is the analysis' own clear error."""
    from evalkit.cli.main import cli

    result = runner.invoke(cli, ["analyze", str(FILES[0]), "--instrument", "post_engagement",
                                 *option])  # fmt: skip
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and expected in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
