"""Write a canonical response frame as each platform's export (for tests and sample data).

Each writer produces what the platform's own download looks like (see docs/ingest.md and
FORMATS.md), so that reading it back with :func:`evalkit.ingest.read_responses` must give the
same frame. Text cells pass through formula neutralising (as every evalkit CSV/XLSX output).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.errors import UsageError
from evalkit.io import atomic_path, write_text_atomic

if TYPE_CHECKING:
    import pandas as pd

    from evalkit.instrument.model import Instrument, Item

WRITERS = ("evalkit", "kobo", "kobo_xlsx", "odk", "qualtrics", "google", "msforms")
_FORMULA = r"^[=+\-@\t\r]"


def write_export(
    frame: pd.DataFrame,
    instrument: Instrument,
    platform: str,
    path: str | Path,
    *,
    status: pd.DataFrame | None = None,
    labels: bool = False,
    lang: str | None = None,
    groups: bool = True,
) -> Path:
    """Write ``frame`` (canonical, see :mod:`evalkit.ingest.canonical`) as ``platform``'s export.

    Parameters
    ----------
    platform
        One of :data:`WRITERS`.
    status
        The status frame, so that ``missing: true`` choices (``choice:na``) and Qualtrics'
        seen-unanswered (``-99``) are written as the platform would.
    labels
        Kobo only: label headers and label cells instead of XML names and values.
        Google Forms and Microsoft Forms always use labels; Qualtrics uses codes.
    lang
        The language of labels and question texts (default: the instrument's first).
    groups
        Kobo and ODK: prefix headers with the item's section (``about/mode``, ``about-mode``).
    """
    if platform not in WRITERS:
        raise UsageError(f"no writer for {platform!r}", hint="use one of " + ", ".join(WRITERS))
    writer = {
        "evalkit": _evalkit,
        "kobo": _kobo,
        "kobo_xlsx": _kobo,
        "odk": _odk,
        "qualtrics": _qualtrics,
        "google": _google,
        "msforms": _msforms,
    }[platform]
    table, extra_rows = writer(frame, instrument, status, labels, lang, groups)
    target = Path(path)
    if platform in ("kobo_xlsx", "msforms"):
        return _write_xlsx(table, target)
    sep = ";" if platform == "kobo" else ","
    quoting = csv.QUOTE_ALL if platform == "kobo" else csv.QUOTE_MINIMAL
    buffer = io.StringIO()
    writer_ = csv.writer(buffer, delimiter=sep, quoting=quoting, lineterminator="\r\n")
    writer_.writerow(list(table.columns))
    for row in extra_rows:
        writer_.writerow(row)
    table.to_csv(buffer, sep=sep, quoting=quoting, header=False, index=False, lineterminator="\r\n")
    return write_text_atomic(target, buffer.getvalue())


def _safe(column: pd.Series) -> pd.Series:
    """Neutralise spreadsheet formulas in a text column (vectorised)."""
    text = column.astype("string")
    risky = text.str.contains(_FORMULA, regex=True, na=False)
    return text.where(~risky, "'" + text).astype(object).where(text.notna(), "")


def _status_of(status: pd.DataFrame | None, item: str, n: int) -> pd.Series:
    import pandas as pd

    if status is None or item not in status:
        return pd.Series(["answered"] * n, dtype=object)
    return status[item].astype(object).reset_index(drop=True)


def _choice_cells(
    frame: pd.DataFrame,
    instrument: Instrument,
    item: Item,
    status: pd.DataFrame | None,
    mode: str,
    lang: str | None,
) -> pd.Series:
    """Cells of a select_one/likert item: ``value``, ``label`` or 1-based ``position``."""
    choices = instrument.choices_for(item)
    if choices is None:
        return frame[item.id].astype(object)
    code = {
        "value": {c.name: c.name for c in choices},
        "label": {c.name: c.label.get(lang) for c in choices},
        "position": {c.name: str(i) for i, c in enumerate(choices, start=1)},
    }[mode]
    values = frame[item.id].astype("string").reset_index(drop=True)
    cells = values.map(code).astype(object).where(values.notna(), "")
    stat = _status_of(status, item.id, len(frame))
    for choice in choices:
        if choice.missing:
            cells[stat == f"choice:{choice.name}"] = code[choice.name]
    return cells


def _multi_selected(
    frame: pd.DataFrame, instrument: Instrument, item: Item
) -> dict[str, pd.Series]:
    choices = instrument.choices_for(item)
    return {
        c.name: frame[f"{item.id}__{c.name}"].reset_index(drop=True)
        for c in (choices.substantive if choices else ())
    }


def _joined(
    frame: pd.DataFrame,
    instrument: Instrument,
    item: Item,
    status: pd.DataFrame | None,
    sep: str,
    mode: str,
    lang: str | None,
    trailing: str = "",
) -> pd.Series:
    """A joined multi-select cell: choices (values, labels or positions) joined by ``sep``."""
    import pandas as pd

    choices = instrument.choices_for(item)
    names = list(choices) if choices else []
    selected = _multi_selected(frame, instrument, item)
    n = len(frame)
    out = pd.Series([""] * n, dtype=object)
    answered = pd.Series(False, index=range(n))
    stat = _status_of(status, item.id, n)
    for position, choice in enumerate(names, start=1):
        code = {"value": choice.name, "label": choice.label.get(lang), "position": str(position)}[
            mode
        ]
        if choice.name in selected:
            hit = selected[choice.name].fillna(False).astype(bool)
            answered |= selected[choice.name].notna()
        else:
            hit = stat == f"choice:{choice.name}"
        out = out.where(~hit, out + code + sep)
    out = out.str.slice(0, -len(sep)) if sep else out
    out = out.where(out.str.len() > 0, "")
    return out.where(out == "", out + trailing) if trailing else out


def _item_cells(
    frame: pd.DataFrame,
    instrument: Instrument,
    item: Item,
    status: pd.DataFrame | None,
    mode: str,
    lang: str | None,
) -> pd.Series:
    if item.has_choices:
        return _choice_cells(frame, instrument, item, status, mode, lang)
    column = frame[item.id].reset_index(drop=True)
    if item.type == "date":
        return column.dt.strftime("%Y-%m-%d").astype(object).where(column.notna(), "")
    if item.type == "text":
        return _safe(column)
    return column.astype(object).where(column.notna(), "")


def _header(item: Item, groups: bool, sep: str) -> str:
    return f"{item.section}{sep}{item.id}" if groups and item.section else item.id


def _evalkit(frame, instrument, status, labels, lang, groups):
    import pandas as pd

    out = {
        "response_id": frame["response_id"].reset_index(drop=True).astype(object),
        "submitted_at": frame["submitted_at"]
        .reset_index(drop=True)
        .dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        .astype(object),
    }
    for item in instrument.items:
        if item.type == "select_multiple":
            for name, values in _multi_selected(frame, instrument, item).items():
                out[f"{item.id}__{name}"] = (
                    values.map({True: "1", False: "0"}).astype(object).where(values.notna(), "")
                )
        else:
            out[item.id] = _item_cells(frame, instrument, item, status, "value", lang)
    return pd.DataFrame(out), []


def _kobo(frame, instrument, status, labels, lang, groups):
    import pandas as pd

    mode = "label" if labels else "value"
    out: dict[str, pd.Series] = {}
    for item in instrument.items:
        name = item.text.get(lang) if labels else _header(item, groups, "/")
        if item.type == "select_multiple":
            out[name] = _joined(frame, instrument, item, status, " ", mode, lang)
            options = {c.name: c.label.get(lang) for c in instrument.choices_for(item) or ()}
            for choice_name, values in _multi_selected(frame, instrument, item).items():
                option = options[choice_name] if labels else choice_name
                out[f"{name}/{option}"] = (
                    values.map({True: "1", False: "0"}).astype(object).where(values.notna(), "")
                )
        else:
            out[name] = _item_cells(frame, instrument, item, status, mode, lang)
    n = len(frame)
    ids = frame["response_id"].reset_index(drop=True).astype(object)
    out["_id"] = pd.Series(range(1, n + 1), dtype=object)
    out["_uuid"] = ids
    out["_submission_time"] = (
        frame["submitted_at"].reset_index(drop=True).dt.strftime("%Y-%m-%dT%H:%M:%S").astype(object)
    )
    out["_validation_status"] = pd.Series([""] * n, dtype=object)
    out["_index"] = pd.Series(range(1, n + 1), dtype=object)
    return pd.DataFrame(out), []


def _odk(frame, instrument, status, labels, lang, groups):
    import pandas as pd

    out: dict[str, pd.Series] = {
        "SubmissionDate": frame["submitted_at"]
        .reset_index(drop=True)
        .dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        .astype(object)
    }
    for item in instrument.items:
        name = _header(item, groups, "-")
        if item.type == "select_multiple":
            out[name] = _joined(frame, instrument, item, status, " ", "value", lang)
            for choice_name, values in _multi_selected(frame, instrument, item).items():
                out[f"{name}/{choice_name}"] = (
                    values.map({True: "1", False: "0"}).astype(object).where(values.notna(), "")
                )
        else:
            out[name] = _item_cells(frame, instrument, item, status, "value", lang)
    ids = "uuid:" + frame["response_id"].reset_index(drop=True).astype(str)
    out["meta-instanceID"] = ids
    out["KEY"] = ids
    out["ReviewState"] = pd.Series([""] * len(frame), dtype=object)
    return pd.DataFrame(out), []


def _qualtrics(frame, instrument, status, labels, lang, groups, zone="America/New_York"):
    import pandas as pd

    local = frame["submitted_at"].reset_index(drop=True).dt.tz_convert(zone)
    stamp = local.dt.strftime("%Y-%m-%d %H:%M:%S").astype(object)
    out: dict[str, pd.Series] = {
        "StartDate": stamp,
        "EndDate": stamp,
        "RecordedDate": stamp,
        "ResponseId": frame["response_id"].reset_index(drop=True),
    }
    texts = ["Start Date", "End Date", "Recorded Date", "Response ID"]
    imports: list[dict[str, str]] = [
        {"ImportId": name, "timeZone": zone} for name in ("startDate", "endDate", "recordedDate")
    ]
    imports.append({"ImportId": "_recordId"})
    for number, item in enumerate(instrument.items, start=1):
        stat = _status_of(status, item.id, len(frame))
        if item.type == "select_multiple":
            cells = _joined(frame, instrument, item, status, ",", "position", lang)
            text = f"{item.text.get(lang)} - Selected Choice"
        else:
            choices = instrument.choices_for(item)
            values = [c.value for c in choices.substantive] if choices else []
            numeric = bool(values) and all(isinstance(v, int) for v in values)
            mode = "value" if numeric else "position"
            cells = _item_cells(frame, instrument, item, status, mode, lang)
            text = item.text.get(lang)
        cells = cells.where(stat != "seen_unanswered", "-99")
        out[item.id] = cells
        texts.append(text)
        imports.append({"ImportId": f"QID{number}"})
    table = pd.DataFrame(out)
    return table, [texts, [json.dumps(i, separators=(",", ":")) for i in imports]]


def _google(frame, instrument, status, labels, lang, groups):
    import pandas as pd

    # the Forms' own "Download responses (.csv)": year first, 12-hour clock, the zone
    stamp = frame["submitted_at"].reset_index(drop=True).dt.strftime("%Y/%m/%d %-I:%M:%S %p GMT")
    out: dict[str, pd.Series] = {"Timestamp": stamp.astype(object)}
    for item in instrument.items:
        if item.type == "select_multiple":
            out[item.text.get(lang)] = _joined(frame, instrument, item, status, ", ", "label", lang)
        else:
            out[item.text.get(lang)] = _item_cells(frame, instrument, item, status, "label", lang)
    return pd.DataFrame(out), []


def _msforms(frame, instrument, status, labels, lang, groups):
    import pandas as pd

    n = len(frame)
    stamp = frame["submitted_at"].reset_index(drop=True).dt.tz_convert(None)
    out: dict[str, pd.Series] = {
        "ID": frame["response_id"].reset_index(drop=True).astype(object),
        "Start time": stamp,
        "Completion time": stamp,
        "Email": pd.Series(["anonymous"] * n, dtype=object),
        "Name": pd.Series([""] * n, dtype=object),
        "Last modified time": pd.Series([""] * n, dtype=object),
    }
    for item in instrument.items:
        if item.type == "select_multiple":
            out[item.text.get(lang)] = _joined(
                frame, instrument, item, status, ";", "label", lang, trailing=";"
            )
        else:
            out[item.text.get(lang)] = _item_cells(frame, instrument, item, status, "label", lang)
    return pd.DataFrame(out), []


def _write_xlsx(table: pd.DataFrame, target: Path) -> Path:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet1")
    sheet.append(list(table.columns))
    for row in table.itertuples(index=False, name=None):
        sheet.append([None if (v == "" or v is None) else _cell(v) for v in row])
    with atomic_path(target) as tmp:
        workbook.save(tmp)
    return target


def _cell(value: object) -> object:
    import pandas as pd

    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, str) and value.lstrip("-").isdigit() and len(value) < 15:
        return int(value)
    return value
