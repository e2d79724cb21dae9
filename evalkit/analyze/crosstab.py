"""Crosstabs: two items against each other (``evalkit crosstab``).

Both variables are breakdowns (:mod:`evalkit.analyze.breakdown`): any select_one or Likert
item, an option ``item__choice`` of a select_multiple item, ``period``, an engagement column
of the activity register, or a number cut into bins. The table is one ``np.bincount`` over
row code x column code. Per cell: the count, row, column and total percentages, the expected
count and the adjusted standardised residual (R ``chisq.test(...)$stdres``, Agresti 2002
§3.3.1); for the table: Pearson's χ² without continuity correction, or Fisher's exact test
(exact for 2x2, Monte Carlo otherwise) when an expected count is below 5; with survey weights
the Rao–Scott F; Cramér's V with a bootstrap interval.

Suppression: rows and columns with fewer than ``min_cell`` respondents are left out of the
table and the test (and one more when a single one would be derivable from the total); in
what remains, a cell with 0 < count < ``min_cell`` is hidden, and when a row or column then
holds exactly one hidden cell the smallest other non-zero cell of that line is hidden too,
repeated until no hidden cell can be recovered from a shown line total by subtraction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evalkit._version import __version__
from evalkit.analyze.breakdown import Breakdown, breakdown_from
from evalkit.analyze.filters import apply_filters
from evalkit.analyze.options import AnalysisOptions, check_options
from evalkit.analyze.proportions import cramers_v, cramers_v_ci, independence_test
from evalkit.analyze.result import table_records
from evalkit.analyze.suppress import suppressed_groups
from evalkit.errors import UsageError
from evalkit.instrument.model import Instrument

CELL_COLUMNS = (
    "row_var",
    "row",
    "row_label",
    "col_var",
    "col",
    "col_label",
    "count",
    "row_share",
    "col_share",
    "share",
    "expected",
    "std_residual",
    "suppressed",
)
TEST_COLUMNS = (
    "row_var",
    "col_var",
    "n",
    "test",
    "statistic",
    "df",
    "df2",
    "p_value",
    "min_expected",
    "cramers_v",
    "cramers_v_ci_low",
    "cramers_v_ci_high",
    "rows_suppressed",
    "cols_suppressed",
    "cells_suppressed",
)


@dataclass
class CrosstabResult:
    """``cells`` (one row per cell, :data:`CELL_COLUMNS`), ``test`` (one row,
    :data:`TEST_COLUMNS`) and the run's metadata (filter, weights, thresholds)."""

    cells: pd.DataFrame
    test: pd.DataFrame
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """The result as JSON (NaN as null)."""
        import json

        from evalkit.analyze.result import _clean

        data = {
            "metadata": {k: _clean(v) for k, v in self.metadata.items()},
            "tables": {"cells": table_records(self.cells), "test": table_records(self.test)},
        }
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"

    def write_csv(self, directory: str | Path) -> list[Path]:
        """``cells.csv``, ``test.csv`` and ``metadata.json``, atomically, formula-safe."""
        import json

        from evalkit.analyze.result import _clean
        from evalkit.io import write_csv_atomic, write_text_atomic

        out = Path(directory)
        meta = {k: _clean(v) for k, v in self.metadata.items()}
        return [
            write_csv_atomic(self.cells, out / "cells.csv"),
            write_csv_atomic(self.test, out / "test.csv"),
            write_text_atomic(out / "metadata.json", json.dumps(meta, indent=2) + "\n"),
        ]

    def write_xlsx(self, path: str | Path) -> Path:
        """One workbook with sheets ``cells``, ``test`` and ``metadata``, atomically; text
        cells formula-neutralised."""
        from openpyxl import Workbook

        from evalkit.io import atomic_path, neutralise_formula

        book = Workbook()
        book.remove(book.active)
        meta = pd.DataFrame({"key": list(self.metadata), "value": list(self.metadata.values())})
        for name, table in (("cells", self.cells), ("test", self.test), ("metadata", meta)):
            sheet = book.create_sheet(name)
            sheet.append(list(table.columns))
            for record in table_records(table):
                sheet.append([_xlsx_value(neutralise_formula(v)) for v in record.values()])
        with atomic_path(path) as tmp:
            book.save(tmp)
        return Path(path)


def _xlsx_value(value: Any) -> Any:
    return value if value is None or isinstance(value, (int, float, bool, str)) else str(value)


def adjusted_residuals(table) -> tuple[np.ndarray, np.ndarray]:
    """Expected counts and adjusted standardised residuals of a two-way table,
    (O - E) / sqrt(E (1 - r_i/n) (1 - c_j/n)), as R ``chisq.test(...)$stdres``.

    Examples
    --------
    Agresti (2002), Table 3.2, party identification by gender (also R ``?chisq.test``):

    >>> _, res = adjusted_residuals([[762, 327, 468], [484, 239, 477]])
    >>> res.round(2).tolist()
    [[4.5, 0.7, -5.32], [-4.5, -0.7, 5.32]]
    """
    t = np.asarray(table, dtype=float)
    n = t.sum()
    r, c = t.sum(axis=1), t.sum(axis=0)
    expected = np.outer(r, c) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        res = (t - expected) / np.sqrt(expected * np.outer(1 - r / n, 1 - c / n))
    return expected, res


def suppress_cells(table, min_cell: int = 10) -> np.ndarray:
    """Mask of cells to hide: 0 < count < ``min_cell``, plus complementary cells so that no
    row or column holds exactly one hidden cell (which its shown total would reveal).

    Examples
    --------
    >>> suppress_cells([[50, 3, 40], [60, 30, 45]]).astype(int).tolist()
    [[0, 1, 1], [0, 1, 1]]
    """
    t = np.asarray(table, dtype=float)
    hide = (t > 0) & (t < min_cell)
    for _ in range(t.size):  # each pass hides at least one more cell, or stops
        changed = False
        for lines, h in ((t, hide), (t.T, hide.T)):  # rows, then columns (views)
            for i in range(lines.shape[0]):
                if h[i].sum() == 1:
                    others = np.where(~h[i] & (lines[i] > 0), lines[i], np.inf)
                    if np.isfinite(others).any():
                        h[i, int(np.argmin(others))] = True
                        changed = True
        if not changed:
            break
    return hide


def crosstab(
    frame: pd.DataFrame,
    instrument: Instrument,
    rows: str,
    cols: str,
    options: AnalysisOptions | None = None,
) -> CrosstabResult:
    """Crosstab of ``rows`` by ``cols`` (items, options, period...) with its test.

    ``options`` gives ``where``, ``engagement``, ``weights`` (default: the instrument's
    ``role: weight`` item), the sample design (``strata``, ``cluster``, ``fpc``,
    ``lonely_psu``), ``alpha``, ``min_cell``, ``seed``, ``n_boot``, ``lang`` and ``bins``
    (for a numeric ``rows`` or ``cols``).

    Examples
    --------
    >>> from evalkit.instrument import load_instrument
    >>> inst = load_instrument("post_engagement")
    >>> frame = pd.DataFrame({"mode": ["virtual", "in_person"] * 40,
    ...                       "next_step": ["yes", "no", "yes", "yes"] * 20})
    >>> res = crosstab(frame, inst, "mode", "next_step", AnalysisOptions(n_boot=99))
    >>> int(res.test.loc[0, "n"]), round(float(res.test.loc[0, "statistic"]), 4)
    (80, 26.6667)
    """
    opts = options or AnalysisOptions()
    check_options(opts)
    if rows == cols:
        raise UsageError(f"--rows and --cols are both {rows!r}", hint="name two different items")
    n_input = len(frame)
    frame, filter_meta = apply_filters(frame, instrument, opts)
    row_bd = breakdown_from(frame, instrument, _as_breakdown(opts, rows))
    col_bd = breakdown_from(frame, instrument, _as_breakdown(opts, cols))
    design, design_meta = _design(frame, instrument, opts)
    weights = design.weights
    ok = (row_bd.codes >= 0) & (col_bd.codes >= 0)
    cell = row_bd.codes[ok] * col_bd.k + col_bd.codes[ok]
    counts = np.bincount(cell, minlength=row_bd.k * col_bd.k).reshape(row_bd.k, col_bd.k)
    row_hidden = suppressed_groups(counts.sum(axis=1), opts.min_cell)
    col_hidden = suppressed_groups(counts.sum(axis=0), opts.min_cell)
    keep_r, keep_c = np.flatnonzero(~row_hidden), np.flatnonzero(~col_hidden)
    shown = counts[np.ix_(keep_r, keep_c)]
    # drop empty lines, as the tests do
    keep_r = keep_r[shown.sum(axis=1) > 0]
    keep_c = keep_c[shown.sum(axis=0) > 0]
    shown = counts[np.ix_(keep_r, keep_c)]
    if weights is None:
        estimate = shown.astype(float)
        test, min_expected = independence_test(shown, seed=opts.seed)
        v_low, v_high = cramers_v_ci(shown, opts.alpha, opts.n_boot, opts.seed)
    else:
        estimate, test, min_expected = _weighted(
            row_bd, col_bd, ok, weights, keep_r, keep_c, design.sample
        )
        v_low = v_high = np.nan  # no design-based interval for V
    hidden = suppress_cells(shown, opts.min_cell)
    cells = _cell_rows(row_bd, col_bd, keep_r, keep_c, estimate, hidden)
    test_row = {
        "row_var": rows,
        "col_var": cols,
        "n": int(shown.sum()),
        "test": test.test,
        "statistic": test.statistic,
        "df": test.df,
        "df2": getattr(test, "df2", np.nan),
        "p_value": test.p_value,
        "min_expected": min_expected,
        "cramers_v": cramers_v(estimate) if estimate.size else np.nan,
        "cramers_v_ci_low": v_low,
        "cramers_v_ci_high": v_high,
        "rows_suppressed": ",".join(np.asarray(row_bd.names)[row_hidden]),
        "cols_suppressed": ",".join(np.asarray(col_bd.names)[col_hidden]),
        "cells_suppressed": int(hidden.sum()),
    }
    metadata = {
        "evalkit_version": __version__,
        "instrument_id": instrument.id,
        "instrument_version": instrument.version,
        "rows": rows,
        "cols": cols,
        "n_rows_input": n_input,
        "n_rows": len(frame),
        "n_in_table": int(shown.sum()),
        **filter_meta,
        **design_meta,
        "alpha": opts.alpha,
        "min_cell": opts.min_cell,
        "seed": opts.seed,
        "n_boot": opts.n_boot,
    }
    return CrosstabResult(
        pd.DataFrame(cells, columns=list(CELL_COLUMNS)),
        pd.DataFrame([test_row], columns=list(TEST_COLUMNS)),
        metadata,
    )


def _as_breakdown(opts: AnalysisOptions, var: str) -> AnalysisOptions:
    from dataclasses import replace

    if var == "none":
        raise UsageError("a crosstab needs two variables", hint="name --rows and --cols items")
    return replace(opts, by=var, where=None, engagement=None)


def _design(frame: pd.DataFrame, instrument: Instrument, opts: AnalysisOptions):
    """The weights and sample design, as ``analyze`` takes them (no raking here)."""
    from dataclasses import replace

    from evalkit.analyze.design import design_from

    design, meta = design_from(frame, replace(opts, margins=None), instrument)
    meta.pop("raked", None)
    return design, meta


def _weighted(row_bd: Breakdown, col_bd: Breakdown, ok, w, keep_r, keep_c, sample=None):
    """Weighted cell totals (scaled to the n they hold) and the Rao-Scott test (on the sample
    design's covariance and df when there is one)."""
    from evalkit.analyze.weights import rao_scott_test

    use = ok & np.isin(row_bd.codes, keep_r) & np.isin(col_bd.codes, keep_c)
    use &= np.isfinite(w) & (w > 0)
    rows = np.where(use, row_bd.codes, -1)
    cols = np.where(use, col_bd.codes, -1)
    cell = rows[use] * col_bd.k + cols[use]
    total = np.bincount(cell, weights=w[use], minlength=row_bd.k * col_bd.k)
    table = total.reshape(row_bd.k, col_bd.k)[np.ix_(keep_r, keep_c)]
    table = table / table.sum() * use.sum() if table.sum() > 0 else table
    expected, _ = adjusted_residuals(table)
    if sample is None:
        res = rao_scott_test(rows, cols, np.where(np.isfinite(w), w, 0.0))
    else:
        res = rao_scott_test(rows, cols, w, design=sample)
    return table, res, float(expected.min()) if expected.size else np.nan


def _cell_rows(row_bd, col_bd, keep_r, keep_c, table, hidden) -> list[dict[str, Any]]:
    expected, res = adjusted_residuals(table) if table.size else (table, table)
    n = table.sum()
    r, c = table.sum(axis=1), table.sum(axis=0)
    out = []
    for a, i in enumerate(keep_r):
        for b, j in enumerate(keep_c):
            hide = bool(hidden[a, b])
            value = table[a, b]
            out.append(
                {
                    "row_var": row_bd.var,
                    "row": row_bd.names[i],
                    "row_label": row_bd.labels[i],
                    "col_var": col_bd.var,
                    "col": col_bd.names[j],
                    "col_label": col_bd.labels[j],
                    "count": np.nan if hide else value,
                    "row_share": np.nan if hide else value / r[a],
                    "col_share": np.nan if hide else value / c[b],
                    "share": np.nan if hide else value / n,
                    "expected": expected[a, b],
                    "std_residual": np.nan if hide else res[a, b],
                    "suppressed": hide,
                }
            )
    return out
