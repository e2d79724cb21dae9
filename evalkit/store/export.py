"""``evalkit workspace export``: the validated responses as stored, for a colleague's analysis.

The file holds the canonical frame (DESIGN.md): ``response_id, submitted_at, source,
period``, then one column per item (``<item>__<choice>`` true/false per select_multiple
choice), with choice values (codes) or, with ``labels``, the choice labels. Answers given
as a ``missing: true`` choice (``na``, ``dk``) are written as that value, so the file read
back with ``evalkit analyze --frame`` gives the same results as ``--workspace``. Personal
data never reaches the workspace; the keyed hashes that stand in for personal identifiers
(``<item>__key``, which link waves) are left out unless ``include_pii``. A codebook
(``<name>.codebook.csv``: column, item, type, question, value, label, missing) is written
beside the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.errors import DataError, Location
from evalkit.io import atomic_path, neutralise_formula, write_csv_atomic
from evalkit.validate.privacy import KEY_SUFFIX

if TYPE_CHECKING:
    import pandas as pd

    from evalkit.instrument.model import Instrument

FORMATS = (".csv", ".parquet", ".xlsx")
CODEBOOK_COLUMNS = ["column", "item", "type", "question", "value", "label", "missing"]


@dataclass(frozen=True)
class ExportResult:
    """Where the export went and what it holds."""

    path: str
    codebook: str
    rows: int
    columns: int

    def line(self) -> str:
        return (
            f"{self.rows} responses, {self.columns} columns -> {self.path} "
            f"(codebook: {self.codebook})"
        )


def export_frame(
    workspace: str | Path,
    instrument: Instrument,
    period: str | None = None,
    *,
    labels: bool = False,
    include_pii: bool = False,
) -> pd.DataFrame:
    """The stored responses as the export writes them (see the module docstring)."""
    import pandas as pd

    from evalkit.store.workspace import load_responses, load_status

    frame = load_responses(workspace, instrument, period)
    if frame.empty:
        raise DataError(
            f"the workspace holds no {instrument.id} responses"
            + (f" for period {period}" if period else ""),
            Location(file=str(workspace)),
            "check --period with 'evalkit workspace status'",
        )
    frame = _with_missing_choices(frame, load_status(workspace, instrument, period), instrument)
    if not include_pii:
        frame = frame.drop(columns=[c for c in frame.columns if c.endswith(KEY_SUFFIX)])
    for item in instrument.items:
        if item.id not in frame or item.type not in ("select_one", "likert"):
            continue
        choices = instrument.choices_for(item)
        if isinstance(frame[item.id].dtype, pd.CategoricalDtype) or labels:
            text = (
                frame[item.id]
                .astype(object)
                .map(lambda v: None if pd.isna(v) else str(v), na_action="ignore")
            )
            if labels and choices is not None:
                names = {c.name: c.label.get(instrument.languages[0]) for c in choices}
                text = text.map(lambda v, names=names: names.get(v, v), na_action="ignore")
            frame[item.id] = pd.array(text.where(text.notna(), None), dtype="string")
    return frame.reset_index(drop=True)


def _with_missing_choices(
    frame: pd.DataFrame, status: pd.DataFrame, instrument: Instrument
) -> pd.DataFrame:
    """Answers given as a ``missing: true`` choice (stored as NA with status ``choice:na``)
    written back as the choice's value, as the platform's export had them."""
    import pandas as pd

    from evalkit.store.codec import choice_text

    frame = frame.copy()
    for item in instrument.items:
        choices = instrument.choices_for(item)
        if item.id not in frame or item.id not in status or choices is None:
            continue
        if not any(c.missing for c in choices):
            continue
        state = status[item.id].astype("string").reset_index(drop=True)
        chosen = state.str.startswith("choice:").fillna(False).to_numpy(dtype=bool)
        if not chosen.any():
            continue
        values = frame[item.id].reset_index(drop=True).astype(object)
        text = values.map(lambda v: None if pd.isna(v) else choice_text(v))
        text[chosen] = state[chosen].str.removeprefix("choice:").to_numpy()
        frame[item.id] = pd.array(text.to_numpy(), dtype="string")
    return frame


def codebook(instrument: Instrument, columns: list[str]) -> pd.DataFrame:
    """One row per column (and per choice of a choice item): :data:`CODEBOOK_COLUMNS`."""
    import pandas as pd

    lang = instrument.languages[0]
    rows: list[dict[str, object]] = []
    for column in columns:
        item_id = column.removesuffix(KEY_SUFFIX).split("__", 1)[0]
        if not instrument.has_item(item_id):
            rows.append({"column": column, "item": "", "type": "", "question": "",
                         "value": "", "label": "", "missing": ""})  # fmt: skip
            continue
        item = instrument.item(item_id)
        base = {"column": column, "item": item.id, "type": item.type,
                "question": item.text.get(lang)}  # fmt: skip
        if column.endswith(KEY_SUFFIX):
            rows.append({**base, "type": "keyed hash", "value": "", "label": "", "missing": ""})
            continue
        choices = instrument.choices_for(item)
        if item.type == "select_multiple" and choices is not None:
            name = column.split("__", 1)[1]
            label = next((c.label.get(lang) for c in choices if c.name == name), "")
            rows.append({**base, "value": "true/false", "label": label, "missing": ""})
        elif choices is not None:
            rows += [{**base, "value": c.name, "label": c.label.get(lang),
                      "missing": "yes" if c.missing else ""} for c in choices]  # fmt: skip
        else:
            rows.append({**base, "value": "", "label": "", "missing": ""})
    return pd.DataFrame(rows, columns=CODEBOOK_COLUMNS)


def codebook_path(path: str | Path) -> Path:
    """``responses.csv`` -> ``responses.codebook.csv`` beside it."""
    target = Path(path)
    return target.with_name(target.stem + ".codebook.csv")


def export_responses(
    workspace: str | Path,
    instrument: Instrument,
    path: str | Path,
    period: str | None = None,
    *,
    labels: bool = False,
    include_pii: bool = False,
) -> ExportResult:
    """Write the stored responses to ``path`` (``.csv``, ``.parquet`` or ``.xlsx``) and the
    codebook beside it; both atomically (a failure leaves no partial file)."""
    target = Path(path)
    if target.suffix.lower() not in FORMATS:
        raise DataError(
            f"cannot export to {target.suffix or 'a file without extension'}",
            Location(file=str(target)),
            "name the file .csv, .parquet or .xlsx",
        )
    frame = export_frame(workspace, instrument, period, labels=labels, include_pii=include_pii)
    suffix = target.suffix.lower()
    if suffix == ".csv":
        write_csv_atomic(frame, target)
    elif suffix == ".parquet":
        with atomic_path(target) as tmp:
            frame.to_parquet(tmp, index=False)
    else:
        _write_xlsx(frame, target)
    book = codebook_path(target)
    write_csv_atomic(codebook(instrument, list(frame.columns)), book)
    return ExportResult(str(target), str(book), len(frame), len(frame.columns))


def _write_xlsx(frame: pd.DataFrame, target: Path) -> None:
    import openpyxl
    import pandas as pd

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("responses")
    sheet.append(list(frame.columns))
    cleaned = frame.copy()
    for column in cleaned.columns:
        values = cleaned[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            cleaned[column] = values.dt.tz_convert("UTC").dt.tz_localize(None)
    for row in cleaned.astype(object).itertuples(index=False):
        sheet.append([None if pd.isna(v) else neutralise_formula(v) for v in row])
    with atomic_path(target) as tmp:
        book.save(tmp)
