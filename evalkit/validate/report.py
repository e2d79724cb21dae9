"""Validation: the :class:`ValidationReport`, quarantine of invalid rows, ``validate_file``.

Nothing is lost: every row read is either valid or quarantined (the original row plus its
reasons), and ``rows_in == rows_valid + rows_quarantined`` is checked in code.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evalkit.errors import EvalkitError
from evalkit.io import write_csv_atomic
from evalkit.validate.codes import CATALOGUE
from evalkit.validate.privacy import protect
from evalkit.validate.schema import (
    STATUS_PREFIX,
    Memo,
    instrument_to_schema,
    row_rules,
    shown_mask,
    with_status,
)

if TYPE_CHECKING:
    import pandas as pd

    from evalkit.ingest import IngestResult
    from evalkit.instrument.model import Instrument

FAILURE_COLUMNS = ["source_row", "response_id", "item", "value", "code", "message"]
PII_VALUE = "<personal data hidden>"


class InvariantError(EvalkitError):
    """Rows were lost between reading and validation (a bug in evalkit)."""

    code = "rows-lost"
    exit_code = 3


@dataclass
class ValidationReport:
    """What validation found. ``failures`` has the fixed columns of :data:`FAILURE_COLUMNS`.

    ``valid_frame``/``valid_status`` (the rows that passed, personal data removed) and
    ``quarantine`` (the original rows that failed, with ``_source_row`` and ``_reasons``) are
    not part of :meth:`to_dict`.
    """

    valid: bool
    file: str
    platform: str
    platform_detected: bool
    instrument_id: str
    instrument_version: str
    rows_in: int
    rows_valid: int
    rows_quarantined: int
    failures: pd.DataFrame
    columns: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    valid_frame: pd.DataFrame | None = field(default=None, repr=False)
    valid_status: pd.DataFrame | None = field(default=None, repr=False)
    quarantine: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def counts(self) -> dict[str, int]:
        """Number of failures per error code."""
        return {
            str(k): int(v) for k, v in self.failures["code"].value_counts().sort_index().items()
        }

    def file_failures(self) -> list[str]:
        """``code: message`` of each failure of the file rather than a row (an unknown
        column), as ``evalkit validate`` prints them after ``file:``; ``evalkit ingest``
        prints the same as warnings."""
        at_file = self.failures[self.failures["source_row"].isna()]
        return [f"{row.code}: {row.message}" for row in at_file.itertuples(index=False)]

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready): summary, counts, columns and every failure."""
        failures = self.failures.astype(object).where(self.failures.notna(), None)
        return {
            "valid": self.valid,
            "file": self.file,
            "platform": self.platform,
            "platform_detected": self.platform_detected,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "instrument": {"id": self.instrument_id, "version": self.instrument_version},
            "rows": {
                "in": self.rows_in,
                "valid": self.rows_valid,
                "quarantined": self.rows_quarantined,
            },
            "counts": self.counts,
            "notes": list(self.notes),
            "columns": self.columns.astype(object)
            .where(self.columns.notna(), None)
            .to_dict("records"),
            "failures": failures.to_dict("records"),
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=_json_default)

    def write_quarantine(self, path: str | Path) -> Path:
        """Write the quarantined rows (original cells + ``_source_row`` + ``_reasons``) as CSV.

        Text cells are formula-neutralised; the file is written atomically. The quarantine
        holds the original row, personal data included: keep it where the export was kept.
        """
        import pandas as pd

        table = self.quarantine if self.quarantine is not None else pd.DataFrame()
        return write_csv_atomic(table.astype("string"), path, lineterminator="\r\n")


def _json_default(value: Any) -> Any:
    return str(value)


def _pandera_failures(exc: Any) -> pd.DataFrame:
    """Turn ``SchemaErrors.failure_cases`` into (row, item, value, code, detail) rows."""
    import pandas as pd

    cases = exc.failure_cases
    checks = cases["check"].astype(str)
    named = checks.str.count(r"\|") == 2
    parts = checks.where(named, "").str.split("|", n=2, expand=True).reindex(columns=[0, 1, 2])
    code = parts[0].where(named)
    code = code.mask(checks == "field_uniqueness", "duplicate-response")
    code = code.mask((checks == "not_nullable") & (cases["column"] == "response_id"), "missing-id")
    code = code.fillna("wrong-type")
    item = parts[1].where(named, cases["column"].astype(str))
    item = item.str.split("__", n=1).str[0]
    wide = cases["schema_context"].astype(str) == "DataFrameSchema"
    out = pd.DataFrame(
        {
            "row": pd.to_numeric(cases["index"], errors="coerce").astype("Int64"),
            "item": item,
            # a missing value is "" here: the cells of the other parts are the file's own
            # text, where 'nan' or 'NaT' is what the respondent wrote
            "value": cases["failure_case"].astype(str).where(cases["failure_case"].notna(), ""),
            "code": code,
            "detail": parts[2].astype(object).where(parts[2].notna(), ""),
        }
    )
    # wide (row-level) checks report every column of a failing row: keep the item's own cell
    own = (
        ~wide
        | (cases["column"].astype(str) == item)
        | (cases["column"].astype(str) == STATUS_PREFIX + item)
    )
    out = out[own.to_numpy()]
    out.loc[
        (wide & (cases["column"].astype(str) == STATUS_PREFIX + item))[own].to_numpy(), "value"
    ] = ""
    out.loc[out["code"] == "wrong-type", "detail"] = "of the wrong type for this column"
    return out.drop_duplicates(["row", "item", "code"]).reset_index(drop=True)


def _row_failures(joined: pd.DataFrame, instrument: Instrument, memo: Memo) -> pd.DataFrame:
    """The row-level rules (skip logic, required when shown), evaluated directly: one boolean
    column per rule, and one failure per failing row with the item's own cell as value."""
    import numpy as np
    import pandas as pd

    parts = []
    for name, item_id, passes in row_rules(instrument, memo):
        bad = np.flatnonzero(~passes(joined).to_numpy(dtype=bool, na_value=True))
        if len(bad) == 0:
            continue
        code, item, detail = name.split("|", 2)
        cells = joined[item_id].iloc[bad] if item_id in joined else pd.Series(pd.NA, index=bad)
        parts.append(
            pd.DataFrame(
                {
                    "row": pd.array(bad, dtype="Int64"),
                    "item": item,
                    "value": cells.astype("string").to_numpy(),
                    "code": code,
                    "detail": detail,
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["row", "item", "value", "code", "detail"])
    return pd.concat(parts, ignore_index=True)


def _render_messages(failures: pd.DataFrame) -> pd.Series:
    """Fill message templates group by group (vectorised string concatenation)."""
    import pandas as pd

    messages = pd.Series("", index=failures.index, dtype="string")
    for (code, item, detail), group in failures.groupby(["code", "item", "detail"], sort=False):
        template = CATALOGUE[str(code)].template
        detail_text = str(detail)
        if code == "unknown-choice" and detail_text:
            detail_text = f" ({detail_text})"
        if code == "missing-id" and not detail_text:
            detail_text = "; export again with the platform's id column"
        head, _, tail = template.partition("{value}")
        head = head.format(item=item, value="", detail=detail_text)
        tail = tail.format(item=item, value="", detail=detail_text)
        values = group["value"].astype("string").fillna("")
        if "{value}" in template:
            messages.loc[group.index] = head + "'" + values + "'" + tail
        else:
            messages.loc[group.index] = head
    return messages


def _mark_not_shown(
    status: pd.DataFrame, instrument: Instrument, joined: pd.DataFrame, memo: Memo
) -> pd.DataFrame:
    """Status with ``blank`` turned into ``not_shown`` where the item's relevant was false."""
    # a shallow copy: only the columns of items with skip logic are replaced (a deep copy
    # held every status column twice at the peak of validation, 18 MiB at a million rows)
    out = status.copy(deep=False)
    for item in instrument.items:
        if item.relevant and item.id in out:
            hidden = ~shown_mask(instrument, item, joined, memo).to_numpy()
            column = out[item.id]
            out[item.id] = column.mask((column == "blank").to_numpy() & hidden, "not_shown")
    return out


def validate_responses(
    result: IngestResult,
    instrument: Instrument,
    *,
    key: str | None = None,
    release_input: bool = False,
    columns: Collection[str] | None = None,
) -> ValidationReport:
    """Validate an :class:`~evalkit.ingest.IngestResult` lazily; build the report.

    ``key`` is the workspace secret for keyed hashes of ``role: id`` personal items (see
    :mod:`evalkit.validate.privacy`); without it they are dropped with the other pii items.
    ``columns`` limits ``valid_frame`` to these item ids (a select_multiple item keeps its
    ``<item>__<choice>`` columns; ``response_id``, ``submitted_at`` and ``source`` only when
    named; names the frame lacks are passed over, the caller reports a missing column it
    needs): every column is still validated, but the valid rows of the others are not copied,
    for a caller that reads a few columns (see :func:`evalkit.analyze.analysis_columns`).
    ``release_input=True`` consumes ``result``: ``result.raw`` is set to None once the
    quarantined rows are taken from it (the file's text is freed before the valid rows are
    copied) and ``result.frame`` to None, its columns dropped one by one as the valid rows
    are taken. A million rows: a few hundred MiB less at the peak.
    """
    import pandas as pd
    import pandera.pandas as pa

    frame = result.frame
    memo = Memo()
    schema = instrument_to_schema(instrument, memo, row_checks=False)
    joined = with_status(frame, result.status)
    parts = []
    try:
        # inplace: the joined frame is ours and nothing is coerced; skips pandera's copy
        schema.validate(joined, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        parts.append(_pandera_failures(exc))
    parts.append(_row_failures(joined, instrument, memo))
    status = _mark_not_shown(result.status, instrument, joined, memo)
    issues = result.issues.copy()
    if not issues.empty:
        issues["row"] = issues["row"].astype("Int64")
        with_detail = issues["code"].isin(
            ["wrong-type", "number-too-large", "short-row", "multi-mismatch"]
        )
        issues["detail"] = issues["message"].where(with_detail, "")
        parts.append(issues[["row", "item", "value", "code", "detail"]])
    unknown = result.columns[result.columns["used_as"] == "unknown"]
    if not unknown.empty:
        parts.append(
            pd.DataFrame(
                {
                    "row": pd.array([pd.NA] * len(unknown), dtype="Int64"),
                    "item": "",
                    "value": unknown["header"].to_numpy(),
                    "code": "unknown-column",
                    "detail": "",
                }
            )
        )
    failures = _assemble(parts, result, instrument)
    bad_rows = failures["source_row"].dropna().unique()
    row_numbers = result.source_row.to_numpy()
    is_bad = pd.Series(row_numbers).isin(bad_rows).to_numpy()
    rows_in = len(frame)
    rows_valid = int((~is_bad).sum())
    rows_quarantined = int(is_bad.sum())
    if rows_in != rows_valid + rows_quarantined or rows_in != len(result.raw):
        raise InvariantError(
            f"{rows_in} rows read but {rows_valid} valid + {rows_quarantined} quarantined",
            hint="please report this bug with the file",
        )
    any_bad = bool(is_bad.any())
    quarantine = _quarantine(result, failures, is_bad)
    if release_input:
        result.raw = None  # the file's text cells: only the quarantined rows are kept
        result.frame = None  # type: ignore[assignment]  # taken column by column below
        del joined
    # pii columns dropped before the rows are taken: no take of columns that go anyway
    valid_frame = protect(frame, instrument, key)
    del frame
    if columns is not None:
        valid_frame = valid_frame[_columns_of(valid_frame, columns)]
    if any_bad:
        valid_frame = _keep_rows(valid_frame, ~is_bad)
    return ValidationReport(
        valid=failures.empty,
        file=result.path,
        platform=result.platform,
        platform_detected=result.detected,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        rows_in=rows_in,
        rows_valid=rows_valid,
        rows_quarantined=rows_quarantined,
        failures=failures,
        columns=result.columns,
        notes=list(result.notes),
        encoding=result.encoding,
        delimiter=result.delimiter,
        valid_frame=valid_frame,
        valid_status=status[~is_bad].reset_index(drop=True) if any_bad else status,
        quarantine=quarantine,
    )


def _columns_of(frame: pd.DataFrame, items: Collection[str]) -> list[str]:
    """The columns of ``frame`` that hold ``items``, in frame order.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame(columns=["response_id", "mode", "q__a", "q__b", "note"])
    >>> _columns_of(frame, ["q", "mode", "absent"])
    ['mode', 'q__a', 'q__b']
    """
    wanted = set(items)
    return [c for c in frame.columns if c in wanted or str(c).split("__", 1)[0] in wanted]


def _keep_rows(frame: pd.DataFrame, keep: Any, *, consume: bool = True) -> pd.DataFrame:
    """``frame[keep]`` with a fresh index, column by column.

    With ``consume`` each column is deleted from ``frame`` once copied: when nothing else
    holds the columns, the peak holds one column twice instead of the whole frame. Text
    columns are filtered in pyarrow chunk by chunk (pandas' take of a many-chunk column
    joins the chunks first: a third copy of the text at the peak).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> frame = pd.DataFrame({"a": [1, 2, 3], "b": pd.array(["x", "y", "z"], dtype="string")})
    >>> _keep_rows(frame, np.array([True, False, True])).to_dict("list")
    {'a': [1, 3], 'b': ['x', 'z']}
    >>> list(frame.columns)
    []
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    keep = np.asarray(keep, dtype=bool)
    arrow_keep = pa.array(keep)
    columns = {}
    for name in list(frame.columns):
        column = frame[name]
        if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
            text = pa.chunked_array(pa.array(column.array))  # the column's own chunks
            kept = column.dtype.__from_arrow__(text.filter(arrow_keep))
            columns[name] = pd.Series(kept, name=name)
        else:  # a boolean mask on the array: no index checks as in take, no index to reset
            columns[name] = pd.Series(column.array[keep], name=name)
        del column
        if consume:
            del frame[name]
    return pd.DataFrame(columns, copy=False)


def _rows_of(column: pd.Series, positions: Any) -> Any:
    """``column.to_numpy()[positions]`` for a few positions of a long column: the rows are
    filtered first (a text column is never joined into one copy or made a string per row).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> _rows_of(pd.Series(["a", "b", "c"], dtype="string"), np.array([2, 0, 2])).tolist()
    ['c', 'a', 'c']
    """
    import numpy as np

    wanted = np.zeros(len(column), dtype=bool)
    wanted[positions] = True
    subset = _keep_rows(column.to_frame(), wanted, consume=False).iloc[:, 0].to_numpy()
    return subset[(np.cumsum(wanted) - 1)[positions]]


def _assemble(
    parts: list[pd.DataFrame], result: IngestResult, instrument: Instrument
) -> pd.DataFrame:
    import pandas as pd

    if not parts:
        return pd.DataFrame(
            {
                c: pd.Series(dtype="Int64" if c == "source_row" else "string")
                for c in FAILURE_COLUMNS
            }
        )
    raw = pd.concat(parts, ignore_index=True)
    raw["detail"] = raw["detail"].fillna("").astype(str)
    raw["item"] = raw["item"].fillna("").astype(str)
    raw["value"] = raw["value"].astype("string").fillna("")
    pii = {i.id for i in instrument.pii_items}
    raw.loc[raw["item"].isin(pii) & (raw["value"] != ""), "value"] = PII_VALUE
    rows = raw["row"].astype("Int64")
    valid_row = rows.notna()
    positions = rows.fillna(0).astype(int).to_numpy()
    source_row = pd.array(result.source_row.to_numpy()[positions], dtype="Int64")
    source_row[~valid_row.to_numpy()] = pd.NA
    response_id = pd.array(_rows_of(result.frame["response_id"], positions), dtype="string")
    response_id[~valid_row.to_numpy()] = pd.NA
    failures = pd.DataFrame(
        {
            "source_row": source_row,
            "response_id": response_id,
            "item": raw["item"].astype("string"),
            "value": raw["value"].astype("string"),
            "code": raw["code"].astype("string"),
            "message": _render_messages(raw),
        }
    )
    return failures.sort_values(["source_row", "item", "code"], na_position="first").reset_index(
        drop=True
    )


def _quarantine(result: IngestResult, failures: pd.DataFrame, is_bad: Any) -> pd.DataFrame:
    import pandas as pd

    raw = _keep_rows(result.raw, is_bad, consume=False)
    source_row = pd.Series(result.source_row.to_numpy()[is_bad], index=raw.index)
    raw.insert(0, "_reasons", source_row.map(_reasons(failures)).astype("string"))
    raw.insert(0, "_source_row", source_row)
    return raw.reset_index(drop=True)


def _reasons(failures: pd.DataFrame) -> pd.Series:
    """``code: message`` of each row's failures joined with `` | `` (in failure order), by
    source row: one ``np.add.reduceat`` over the sorted texts instead of a Python join per
    row (20,000 quarantined rows took 0.7 s that way).

    Examples
    --------
    >>> import pandas as pd
    >>> failures = pd.DataFrame({"source_row": pd.array([3, 2, 3, None], dtype="Int64"),
    ...     "code": ["a", "b", "c", "d"], "message": ["x", "y", "z", "w"]})
    >>> _reasons(failures).to_dict()
    {2: 'b: y', 3: 'a: x | c: z'}
    """
    import numpy as np
    import pandas as pd

    rows = failures.dropna(subset=["source_row"])
    if rows.empty:
        return pd.Series(dtype=object)
    text = (rows["code"] + ": " + rows["message"]).to_numpy(dtype=object)
    src = rows["source_row"].to_numpy(dtype=np.int64)
    order = np.argsort(src, kind="stable")
    text, src = text[order], src[order]
    last = np.r_[src[1:] != src[:-1], True]
    starts = np.flatnonzero(np.r_[True, last[:-1]])
    pieces = text + np.where(last, "", " | ").astype(object)
    return pd.Series(np.add.reduceat(pieces, starts), index=src[starts])


def load_pandera() -> None:
    """Import pandera and register its pandas checks, which its first validation does.

    About a quarter of a second on a small machine: :func:`validate_file` does it before it
    reads, so that when the commands read the file ahead in a background thread (pyarrow
    parses without the GIL) the import overlaps the parse instead of following it.
    """
    import pandas as pd
    import pandera.pandas as pa

    pa.DataFrameSchema({}).validate(pd.DataFrame())


def validate_file(
    path: str | Path,
    instrument: Instrument,
    platform: str = "auto",
    mapping: dict[str, str] | None = None,
    *,
    key: str | None = None,
    progress: Callable[[str], None] | None = None,
    columns: Collection[str] | None = None,
    date_order: str | None = None,
) -> ValidationReport:
    """Read ``path`` (:func:`evalkit.ingest.read_responses`) and validate it.

    ``progress``, when given, is called with a short description of each step ("reading
    FILE", "validating N rows") before it starts; nothing is printed. ``columns`` limits the
    valid frame to these items (see :func:`validate_responses`). ``date_order`` is the
    day/month order of the file's dates (see :func:`evalkit.ingest.read_responses`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from evalkit.instrument import load_instrument
    >>> inst = load_instrument("post_engagement")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> _ = path.write_text("response_id,engagement_id,mode,worth_time\\n"
    ...                     "r1,E1,virtual,5\\nr2,E1,virtual,7\\nr2,E1,,4\\n")
    >>> report = validate_file(path, inst)
    >>> report.valid, report.rows_in, report.rows_valid, report.rows_quarantined
    (False, 3, 1, 2)
    >>> for row in report.failures[["source_row", "item", "code"]].values.tolist():
    ...     print(row)
    [3, 'worth_time', 'out-of-range']
    [4, 'mode', 'missing-required']
    [4, 'response_id', 'duplicate-response']
    """
    from evalkit.ingest import read_responses

    if progress:
        progress(f"reading {Path(path).name}")
    load_pandera()  # before reading: a file read ahead is parsed meanwhile
    result = read_responses(path, instrument, platform, mapping, date_order=date_order)
    if progress:
        progress(f"validating {len(result.frame):,} rows of {Path(path).name}")
    return validate_responses(result, instrument, key=key, release_input=True, columns=columns)
