"""ReportData and the table contract: fixed columns, suppression, input checks."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from evalkit.errors import EvalkitError
from evalkit.report import TABLE_COLUMNS, ReportData, conform


def test_conform_keeps_exactly_the_contract_columns_in_order():
    raw = pd.DataFrame({"note": ["x"], "outcome": ["worth_time"], "email": ["a@b.org"]})
    table = conform("comparisons", raw)
    assert list(table.columns) == list(TABLE_COLUMNS["comparisons"])
    assert "email" not in table.columns
    assert table.loc[0, "outcome"] == "worth_time"
    assert math.isnan(table.loc[0, "effect"])


def test_missing_table_is_empty_with_its_columns():
    table = conform("likert", None)
    assert table.empty
    assert list(table.columns) == list(TABLE_COLUMNS["likert"])


def test_suppressed_rows_lose_every_number_that_could_reveal_them():
    raw = pd.DataFrame(
        {
            "kpi_id": ["k", "k"],
            "group_var": ["mode", "mode"],
            "group": ["virtual", "hybrid_remote"],
            "value": [0.4, 0.123456],
            "ci_low": [0.3, 0.01],
            "ci_high": [0.5, 0.6],
            "n": [120, 4],
            "suppressed": [False, True],
        }
    )
    table = conform("kpi_breakdown", raw)
    assert table.loc[0, ["value", "n"]].tolist() == [0.4, 120]
    hidden = table.loc[1, ["value", "ci_low", "ci_high", "n"]]
    assert hidden.isna().all()
    assert table.loc[1, "group"] == "hybrid_remote"  # the group is named, its numbers are not
    assert table["suppressed"].tolist() == [False, True]


def test_missing_suppressed_flag_means_not_suppressed():
    raw = pd.DataFrame({"group": ["youth"], "ratio": [1.2], "suppressed": [None]})
    table = conform("inclusive_reach", raw)
    assert not table.loc[0, "suppressed"]
    assert table.loc[0, "ratio"] == 1.2


def test_unknown_language_and_table_are_usage_errors():
    with pytest.raises(EvalkitError, match="language 'fr'"):
        ReportData(title="t", period="2026", language="fr")
    with pytest.raises(EvalkitError, match="unknown report tables: kpi"):
        ReportData(title="t", period="2026", tables={"kpi": pd.DataFrame()})


def test_a_table_that_is_not_a_dataframe_is_a_usage_error():
    data = ReportData(title="t", period="2026", tables={"kpis": [{"kpi_id": "x"}]})
    with pytest.raises(EvalkitError, match="must be a pandas DataFrame"):
        data.table("kpis")


def test_reportdata_is_frozen(demo):
    with pytest.raises(AttributeError):
        demo.title = "other"
