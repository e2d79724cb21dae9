"""Any breakdown, filters, and outcomes named by --outcome (issue 19, points 2 and 3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.analyze import AnalysisOptions, analyze
from evalkit.analyze.frame_io import join_engagements
from evalkit.cli.main import cli
from evalkit.errors import UsageError
from evalkit.instrument import load_instrument
from tests.analyze.synth import MODES, post_engagement_frame

INST = load_instrument("post_engagement")
OPTS = {"n_boot": 199}


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(5)
    frame = post_engagement_frame(3000, seed=21, shift={"virtual": -0.5})
    frame["period"] = pd.array(rng.choice(["2024", "2025", "2026"], len(frame)), dtype="string")
    types = rng.choice(["webinar", "conference", "network_meeting"], len(frame))
    frame["activity_type"] = pd.Categorical(types)
    frame["engagement_id"] = pd.array(rng.choice(["E1", "E2", "E3"], len(frame)), dtype="string")
    return frame


def _sentences(res) -> list[str]:
    return list(res.findings["sentence"])


# ----------------------------------------------------------------------------- breakdowns


def test_by_a_select_multiple_option(frame):
    res = analyze(frame, INST, AnalysisOptions(by="next_step_types__visit", **OPTS))
    assert res.metadata["breakdown"] == "option"
    d = res.descriptives[res.descriptives.outcome == "worth_time"].set_index("group")
    ticked = frame["next_step_types__visit"] == True  # noqa: E712 (nullable boolean)
    assert d.loc["yes", "n"] == frame.loc[ticked.fillna(False), "worth_time"].notna().sum()
    assert set(res.comparisons["group_var"]) == {"next_step_types__visit"}
    assert "next_step_types__visit" not in set(res.comparisons["outcome"])


def test_by_period_names_years(frame):
    res = analyze(frame, INST, AnalysisOptions(by="period", **OPTS))
    assert res.metadata["groups"] == "2024,2025,2026"
    nulls = [s for s in _sentences(res) if s.startswith("No difference")]
    assert nulls and all("between years" in s for s in nulls)
    assert not any("mode" in s for s in _sentences(res))


def test_by_engagement_type_names_engagement_types(frame):
    res = analyze(frame, INST, AnalysisOptions(by="activity_type", **OPTS))
    # groups in the register's choice order, labelled from the register
    groups = res.metadata["groups"].split(",")
    assert groups[:3] == ["delegation_inbound", "delegation_outbound", "webinar"]
    shown = res.descriptives.loc[res.descriptives.n > 0, "group"].unique().tolist()
    assert shown == ["webinar", "network_meeting", "conference"]
    nulls = [s for s in _sentences(res) if s.startswith("No difference")]
    assert nulls and all("between engagement types" in s for s in nulls)
    spanish = analyze(frame, INST, AnalysisOptions(by="activity_type", lang="es", **OPTS))
    assert any("entre tipos de encuentro" in s for s in _sentences(spanish))


def test_findings_say_modes_only_for_the_mode_item(frame):
    by_mode = analyze(frame, INST, AnalysisOptions(**OPTS))
    assert any("between modes" in s for s in _sentences(by_mode))
    by_step = analyze(frame, INST, AnalysisOptions(by="next_step", **OPTS))
    text = " ".join(_sentences(by_step))
    assert "mode" not in text and "between groups of “Did you agree a specific next step" in text


def test_numeric_breakdown_in_quantile_bins(frame):
    res = analyze(frame, INST, AnalysisOptions(by="new_contacts", bins="3", **OPTS))
    values = frame["new_contacts"].dropna().astype(float)
    edges = np.unique(np.quantile(values, [0, 1 / 3, 2 / 3, 1]))
    assert res.metadata["bins"] == ",".join(f"{e:g}" for e in edges)
    d = res.descriptives[res.descriptives.outcome == "worth_time"]
    n_grouped = (d["n"] + d["missing"]).sum()
    assert n_grouped == len(values)  # every answered row in exactly one bin
    assert res.metadata["n_without_group"] == frame["new_contacts"].isna().sum()


def test_numeric_breakdown_at_given_edges(frame):
    res = analyze(frame, INST, AnalysisOptions(by="new_contacts", bins="0,1,3,500", **OPTS))
    assert res.metadata["groups"] == "0,1–2,3–500"
    d = res.descriptives[res.descriptives.outcome == "worth_time"].set_index("group")
    contacts = frame["new_contacts"].astype("Float64")
    in_middle = ((contacts >= 1) & (contacts < 3)).fillna(False)
    assert d.loc["1–2", "n"] + d.loc["1–2", "missing"] == in_middle.sum()


@pytest.mark.parametrize(
    ("opts", "message"),
    [
        ({"by": "new_contacts"}, "is a number"),
        ({"by": "new_contacts", "bins": "1"}, "--bins"),
        ({"by": "new_contacts", "bins": "5,1"}, "increasing"),
        ({"by": "next_step_types"}, "next_step_types__meeting"),
        ({"by": "nope"}, "not a column"),
        ({"by": "none", "bins": "3"}, "--bins"),
    ],
)
def test_breakdowns_that_cannot_be_made_are_one_line_errors(frame, opts, message):
    with pytest.raises(UsageError, match=message):
        analyze(frame, INST, AnalysisOptions(**opts, **OPTS))


def test_period_and_engagement_columns_need_the_workspace():
    frame = post_engagement_frame(200, seed=1)
    with pytest.raises(UsageError, match="workspace"):
        analyze(frame, INST, AnalysisOptions(by="period"))
    with pytest.raises(UsageError, match="activity register"):
        analyze(frame, INST, AnalysisOptions(by="activity_type"))


# ----------------------------------------------------------------------------- outcomes


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        ("nope", "no such item"),
        ("most_valuable", "personal data"),
        ("travel_from", "text item"),
        ("mode", "breakdown itself"),
    ],
)
def test_outcome_that_cannot_be_analysed_is_an_error(frame, outcome, message):
    with pytest.raises(UsageError, match=message):
        analyze(frame, INST, AnalysisOptions(outcomes=(outcome,)))


def test_cli_unknown_outcome_is_one_line_with_exit_2(runner, tmp_path, frame):
    path = tmp_path / "frame.csv"
    frame.head(200).to_csv(path, index=False)
    result = runner.invoke(
        cli, ["analyze", "--frame", str(path), "--instrument", "post_engagement",
              "--outcome", "worth_tim"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and "worth_tim" in result.output


def test_a_covariate_named_by_outcome_is_analysed(frame):
    res = analyze(frame, INST, AnalysisOptions(outcomes=("drained",), **OPTS))
    assert list(res.comparisons["outcome"]) == ["drained"]


# ----------------------------------------------------------------------------- filters


def test_where_equals_analysing_the_filtered_rows(frame):
    where = "activity_type = 'conference' and mode != 'virtual'"
    res = analyze(frame, INST, AnalysisOptions(where=where, seed=2, **OPTS))
    keep = (frame["activity_type"] == "conference") & (frame["mode"] != "virtual")
    plain = analyze(frame[keep.to_numpy()], INST, AnalysisOptions(seed=2, **OPTS))
    for name in ("comparisons", "pairwise", "descriptives", "levels", "multi_response"):
        pd.testing.assert_frame_equal(res.tables[name], plain.tables[name], obj=name)
    assert res.metadata["where"] == where
    assert res.metadata["n_rows_filtered_out"] == int((~keep).sum())
    assert res.metadata["n_rows_input"] == len(frame)


def test_where_selected_and_engagement(frame):
    res = analyze(
        frame, INST, AnalysisOptions(where="selected(next_step_types, 'visit')", engagement="E2")
    )
    keep = frame["next_step_types__visit"].fillna(False).to_numpy(dtype=bool) & (
        frame["engagement_id"] == "E2"
    ).to_numpy(dtype=bool)
    assert res.metadata["n_rows"] == keep.sum() and res.metadata["engagement"] == "E2"


def test_small_groups_made_by_a_filter_are_suppressed(frame):
    # hybrid participants who ticked 'visit' in one engagement: a handful per mode
    opts = AnalysisOptions(
        where="selected(next_step_types, 'visit')", engagement="E1", outcomes=("worth_time",)
    )
    res = analyze(frame, INST, opts)
    d = res.descriptives.set_index("group")
    small = d.index[d["suppressed"]]
    assert len(small) >= 1
    assert d.loc[small, ["n", "mean", "share"]].isna().all().all()
    counts = res.levels.set_index("group").loc[small, "count"]
    assert counts.isna().all()


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("mode = ", "--where"),
        ("__import__('os') = 1", "--where"),
        ("nope = 'x'", "not a column"),
        ("selected(mode, 'x')", "selected"),
        ("mode = 'nobody'", "leaves none"),
    ],
)
def test_bad_filters_are_one_line_errors(frame, where, message):
    with pytest.raises(UsageError, match=message):
        analyze(frame, INST, AnalysisOptions(where=where))


def test_cli_prints_the_filter(runner, tmp_path, frame):
    path = tmp_path / "frame.csv"
    frame.head(1000).drop(columns=["period"]).to_csv(path, index=False)
    result = runner.invoke(
        cli, ["analyze", "--frame", str(path), "--instrument", "post_engagement",
              "--where", "mode != 'virtual'", "--engagement", "E1", "--n-boot", "199"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "where mode != 'virtual' and engagement_id = 'E1'" in result.output.splitlines()[0]


# ----------------------------------------------------------------------------- engagements


def test_register_columns_are_joined_by_period_and_code():
    responses = pd.DataFrame(
        {"period": ["2025", "2026", "2026", None], "engagement_id": ["E1", "E1 ", "E7", "E1"]}
    )
    register = pd.DataFrame(
        {
            "period": ["2025", "2026", "2026"],
            "engagement_id": ["E1", "E1", "E1"],
            "activity_type": ["webinar", "conference", "trade_mission"],
        }
    )
    joined = join_engagements(responses, register, ["activity_type"])
    # 2026's E1 was entered twice: the later row counts; E7 and no period are not found
    assert joined["activity_type"].tolist() == ["webinar", "trade_mission", pd.NA, pd.NA]


def test_workspace_analysis_by_engagement_type(tmp_path):
    from evalkit.analyze.frame_io import frame_from_workspace
    from evalkit.store import ingest_file

    root = __import__("pathlib").Path(__file__).resolve().parents[2] / "sample_data" / "2026"
    workspace = tmp_path / "w.duckdb"
    register = load_instrument("activity_register")
    ingest_file(root / "activity_register.csv", register, workspace=workspace, period="2026")
    ingest_file(root / "post_engagement.kobo.csv", INST, workspace=workspace, period="2026")
    frame = frame_from_workspace(workspace, INST, "2026", ["activity_type"])
    assert frame["activity_type"].notna().mean() > 0.9
    res = analyze(frame, INST, AnalysisOptions(by="activity_type", outcomes=("worth_time",)))
    assert res.metadata["breakdown"] == "item" and len(res.comparisons) == 1
    assert set(res.descriptives["group"]) <= {c.name for c in register.choices_for("activity_type")}


def test_modes_are_the_default_groups(frame):
    res = analyze(frame, INST, AnalysisOptions(outcomes=("worth_time",)))
    assert res.metadata["groups"] == ",".join(MODES)
