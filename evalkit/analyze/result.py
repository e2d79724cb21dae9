"""The output contract of analysis: tidy tables with fixed columns plus metadata.

Every table has the columns listed in :data:`COLUMNS`, in that order, whatever the options
of the run; an option that does not apply leaves its table empty (with its columns) or its
cells NaN. ``AnalysisResult.to_json()`` is what ``evalkit analyze --json`` writes.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evalkit.io import write_csv_atomic, write_text_atomic

COLUMNS: dict[str, tuple[str, ...]] = {
    "comparisons": (
        "outcome",
        "outcome_type",
        "group_var",
        "test",
        "statistic",
        "df",
        "df2",
        "p_value",
        "p_holm",
        "p_fdr",
        "effect_name",
        "effect",
        "effect_ci_low",
        "effect_ci_high",
        "n",
        "n_groups",
        "suppressed",
        "adjusted",
        "note",
    ),
    "pairwise": (
        "outcome",
        "outcome_type",
        "group_var",
        "group_a",
        "group_b",
        "n_a",
        "n_b",
        "estimate_name",
        "estimate_a",
        "estimate_b",
        "difference",
        "difference_ci_low",
        "difference_ci_high",
        "difference_method",
        "test",
        "statistic",
        "df",
        "p_value",
        "p_holm",
        "p_fdr",
        "effect_name",
        "effect",
        "effect_ci_low",
        "effect_ci_high",
        "effect2_name",
        "effect2",
        "effect2_ci_low",
        "effect2_ci_high",
        "suppressed",
        "note",
    ),
    "descriptives": (
        "outcome",
        "outcome_type",
        "group_var",
        "group",
        "n",
        "missing",
        "missing_choice",
        "mean",
        "sd",
        "median",
        "q1",
        "q3",
        "share_name",
        "share",
        "share_ci_low",
        "share_ci_high",
        "nps",
        "n_effective",
        "deff",
        "mean_se",
        "mean_ci_low",
        "mean_ci_high",
        "median_ci_low",
        "median_ci_high",
        "suppressed",
    ),
    "levels": (
        "outcome",
        "group_var",
        "group",
        "level",
        "label",
        "count",
        "share",
        "share_ci_low",
        "share_ci_high",
        "suppressed",
    ),
    "multi_response": (
        "outcome",
        "group_var",
        "group",
        "option",
        "label",
        "n_respondents",
        "count",
        "share_respondents",
        "share_respondents_ci_low",
        "share_respondents_ci_high",
        "n_mentions",
        "share_mentions",
        "share_mentions_ci_low",
        "share_mentions_ci_high",
        "suppressed",
    ),
    "scales": (
        "scale",
        "items",
        "reversed",
        "min_items",
        "n_scored",
        "n_complete",
        "alpha",
        "alpha_ci_low",
        "alpha_ci_high",
        "omega",
    ),
    "scale_items": ("scale", "item", "reversed", "alpha_if_deleted", "item_rest_r"),
    "trends": (
        "outcome",
        "outcome_type",
        "group_var",
        "n_periods",
        "first_period",
        "last_period",
        "measure",
        "test",
        "statistic",
        "df",
        "p_value",
        "p_fdr",
        "effect_name",
        "effect",
        "slope",
        "slope_ci_low",
        "slope_ci_high",
        "slope_unit",
        "n",
        "note",
    ),
    "interactions": (
        "outcome",
        "outcome_type",
        "period_a",
        "period_b",
        "group_var",
        "group_a",
        "group_b",
        "measure",
        "change_a",
        "change_b",
        "difference",
        "difference_ci_low",
        "difference_ci_high",
        "test",
        "statistic",
        "p_value",
        "p_fdr",
        "n",
        "suppressed",
        "note",
    ),
    "texts": (
        "outcome",
        "group_var",
        "group",
        "n",
        "n_answered",
        "share_answered",
        "mean_words",
        "median_words",
        "suppressed",
    ),
    "themes": (
        "outcome",
        "group_var",
        "group",
        "theme",
        "label",
        "n_answered",
        "count",
        "share",
        "share_ci_low",
        "share_ci_high",
        "suppressed",
    ),
    "quotes": ("outcome", "theme", "label", "group", "quote"),
    "findings": ("outcome", "kind", "group_a", "group_b", "p_fdr", "sentence"),
    "balance": ("covariate", "group", "smd_unweighted", "smd_weighted"),
}


def empty_table(name: str) -> pd.DataFrame:
    """An empty table with the fixed columns of ``name``."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS[name]})


def tidy(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Build table ``name`` from row dicts, in its fixed column order (missing keys -> NaN)."""
    if not rows:
        return empty_table(name)
    frame = pd.DataFrame(rows)
    for column in COLUMNS[name]:
        if column not in frame:
            frame[column] = np.nan
    return frame.loc[:, list(COLUMNS[name])].reset_index(drop=True)


def _clean(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def table_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (NaN -> None, numpy scalars -> Python)."""
    return [
        {k: _clean(v) for k, v in row.items()}
        for row in frame.astype(object).to_dict(orient="records")
    ]


@dataclass
class AnalysisResult:
    """Tables and metadata of one analysis run.

    Attributes
    ----------
    tables
        ``{name: DataFrame}`` for every name in :data:`COLUMNS`, columns fixed.
    metadata
        evalkit version, instrument id and version, input sha256, seed, thresholds, options.
    """

    tables: dict[str, pd.DataFrame]
    metadata: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def to_dict(self) -> dict[str, Any]:
        """Metadata plus every table as a list of records."""
        return {
            "metadata": {k: _clean(v) for k, v in self.metadata.items()},
            "tables": {name: table_records(self.tables[name]) for name in COLUMNS},
        }

    def to_json(self) -> str:
        """The JSON text ``evalkit analyze --json`` writes (NaN as null, keys in fixed order)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"

    def write_csv(self, directory: str | Path) -> list[Path]:
        """Write one CSV per table (atomically, text cells formula-neutralised) + metadata.json."""
        out = Path(directory)
        written = []
        for name in COLUMNS:
            written.append(write_csv_atomic(self.tables[name], out / f"{name}.csv"))
        meta = json.dumps(self.to_dict()["metadata"], indent=2, ensure_ascii=False) + "\n"
        written.append(write_text_atomic(out / "metadata.json", meta))
        return written
