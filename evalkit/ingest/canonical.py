"""Map a platform's columns to an instrument's items and build the canonical response frame.

The canonical frame (DESIGN.md) has ``response_id``, ``submitted_at`` (UTC), ``source``, then
one column per item: likert → ``Int64`` choice value; select_one → categorical of choice
values; select_multiple → one nullable boolean column ``<item>__<choice>`` per substantive
choice (NA when the item was not answered, never False); integer/nps → ``Int64``; decimal →
``Float64``; text → ``string``; date → ``datetime64[ns]``.

Beside it, a *status* frame (one categorical column per item) keeps apart what NA hides:

``answered``            a substantive answer (or an invalid one, reported as an issue)
``blank``               nothing in the cell (validation tells not answered from not shown)
``not_shown``           blank because the item's ``relevant`` was false (set by validation)
``seen_unanswered``     the platform says it was shown and skipped (Qualtrics ``-99``)
``choice:<value>``      a ``missing: true`` choice such as ``choice:na`` (not applicable)

Cells that cannot be converted (an unknown label, ``abc`` for a number, a date in an unknown
format) become NA in the frame and a row in ``issues`` that validation reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from evalkit.errors import Location
from evalkit.ingest._base import InputError, PlatformData, norm

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from evalkit.instrument.model import Instrument, Item

ISSUE_COLUMNS = ["row", "item", "value", "code", "message"]
COLUMN_REPORT_COLUMNS = ["position", "header", "used_as", "item", "choice"]
STATUS_CATEGORIES = ["answered", "blank", "not_shown", "seen_unanswered"]
IGNORE = "ignore"
TRUE_TOKENS = {"1", "true", "yes", "y", "checked", "x", "1.0"}
FALSE_TOKENS = {"0", "false", "no", "n", "unchecked", "0.0"}


@dataclass(frozen=True)
class Target:
    """What a column holds: a whole item, or one option of a select_multiple item."""

    item: str
    choice: str | None = None


@dataclass
class Canonical:
    """The result of mapping: frame, status, conversion issues and the column report."""

    frame: pd.DataFrame
    status: pd.DataFrame
    issues: pd.DataFrame
    columns: pd.DataFrame
    absent: list[str]


def item_columns(instrument: Instrument) -> list[str]:
    """The canonical frame's item columns, in order (select_multiple expanded).

    Examples
    --------
    >>> from evalkit.instrument import load_instrument
    >>> cols = item_columns(load_instrument("post_engagement"))
    >>> cols[:3]
    ['engagement_id', 'mode', 'worth_time']
    >>> [c for c in cols if c.startswith("next_step_types__")][:2]
    ['next_step_types__meeting', 'next_step_types__proposal']
    """
    columns: list[str] = []
    for item in instrument.items:
        if item.type == "select_multiple":
            choices = instrument.choices_for(item)
            columns += [f"{item.id}__{c.name}" for c in (choices.substantive if choices else ())]
        else:
            columns.append(item.id)
    return columns


def _header_index(instrument: Instrument) -> dict[str, str]:
    index: dict[str, str] = {}
    for item in instrument.items:
        for _, text in item.text.translations:
            index.setdefault(norm(text), item.id)
    for item in instrument.items:  # ids win over texts
        index[norm(item.id)] = item.id
    return index


def choice_index(instrument: Instrument, item: Item) -> dict[str, Any]:
    """``{matching key: choice value}`` for values and labels in every language."""
    choices = instrument.choices_for(item)
    index: dict[str, Any] = {}
    if choices is None:
        return index
    for choice in choices:
        for _, label in choice.label.translations:
            index.setdefault(norm(label), choice.value)
    for choice in choices:
        index[norm(choice.name)] = choice.value
    return index


def _resolve(header: str, index: dict[str, str], group_seps: tuple[str, ...]) -> str | None:
    key = norm(header)
    if key in index:
        return index[key]
    for sep in group_seps:
        # strip one group level at a time: labels may themselves contain the separator
        # ("Logistics/Audio/video worked well" is the item "Audio/video worked well")
        rest = header
        while sep in rest:
            rest = rest.split(sep, 1)[1]
            if norm(rest) in index:
                return index[norm(rest)]
    return None


def map_columns(
    data: PlatformData, instrument: Instrument, mapping: dict[str, str] | None = None
) -> dict[int, Target | None]:
    """Decide what every non-system column holds (None: unknown)."""
    index = _header_index(instrument)
    custom = {norm(k): v for k, v in (mapping or {}).items()}
    multi = {i.id for i in instrument.items if i.type == "select_multiple"}
    targets: dict[int, Target | None] = {}
    for pos, header in enumerate(data.headers):
        if pos in data.metadata:
            continue
        if not header.strip():
            if (data.body[pos].astype(str).str.strip() != "").any():
                targets[pos] = None  # data without a header: reported, never used
            continue
        text = data.texts[pos] if data.texts else ""
        target = _custom_target(custom, header, text, instrument, pos, data.path_hint)
        if target is None:
            target = _find_target(data, instrument, pos, header, text, index, multi)
        targets[pos] = target
    return targets


def _custom_target(
    custom: dict[str, str], header: str, text: str, instrument: Instrument, pos: int, path: str
) -> Target | None:
    for key in (norm(header), norm(text)):
        if key and key in custom:
            value = str(custom[key])
            if value == IGNORE:
                return Target(IGNORE)
            item_id, _, choice = value.partition("__")
            choices = instrument.choices_for(item_id) if instrument.has_item(item_id) else None
            bad_choice = bool(choice) and (choices is None or choices.find(choice) is None)
            if not instrument.has_item(item_id) or bad_choice:
                raise InputError(
                    "bad-map",
                    f"the map sends column {header!r} to {value!r}, which is not an item of "
                    f"{instrument.id}",
                    Location(file=path or None, column=header),
                    "use an item id, <item>__<choice> or 'ignore'",
                )
            return Target(item_id, choice or None)
    return None


def _find_target(
    data: PlatformData,
    instrument: Instrument,
    pos: int,
    header: str,
    text: str,
    index: dict[str, str],
    multi: set[str],
) -> Target | None:
    if pos in data.split_choice_ids:
        base = header.rsplit("_", 1)[0] if "_" in header else header
        item_id = _resolve(base, index, ()) or _resolve(text.split(" - ")[0], index, ())
        choice = (
            _qualtrics_choice(instrument, item_id, data, pos, text) if item_id in multi else None
        )
        if item_id in multi and choice is not None:
            return Target(item_id, choice)
        return None  # a split column whose option is not a choice of the item
    for candidate in (header, text):
        if not candidate:
            continue
        item_id = index.get(norm(candidate))
        if item_id:
            return Target(item_id)
    for sep in data.option_seps:
        start = len(header)
        while (cut := header.rfind(sep, 0, start)) > 0:
            item_id = _resolve(header[:cut], index, data.group_seps)
            if item_id in multi:
                choice = choice_index(instrument, instrument.item(item_id)).get(
                    norm(header[cut + len(sep) :])
                )
                if choice is not None:
                    return Target(item_id, str(choice))
            start = cut
    for candidate in (header, text):
        item_id = _resolve(candidate, index, data.group_seps) if candidate else None
        if item_id:
            return Target(item_id)
    return None


def _qualtrics_choice(
    instrument: Instrument, item_id: str, data: PlatformData, pos: int, text: str
) -> str | None:
    choices = instrument.choices_for(item_id)
    if choices is None:
        return None
    if " - " in text:
        found = choice_index(instrument, instrument.item(item_id)).get(norm(text.rsplit(" - ")[-1]))
        if found is not None:
            return str(found)
    choice_id = data.split_choice_ids[pos][1]
    found_id = choices.find(choice_id)
    if found_id is not None:
        return str(found_id.value)
    if choice_id.isdigit() and 1 <= int(choice_id) <= len(choices):
        return choices.choices[int(choice_id) - 1].name
    return None


def build_canonical(
    data: PlatformData, instrument: Instrument, mapping: dict[str, str] | None = None
) -> Canonical:
    """Map columns and convert every item; see the module docstring for the contract."""
    import numpy as np
    import pandas as pd

    _check_duplicate_headers(data)
    targets = map_columns(data, instrument, mapping)
    whole: dict[str, int] = {}
    split: dict[str, dict[str, int]] = {}
    for pos, target in targets.items():
        if target is None or target.item == IGNORE:
            continue
        if target.choice is None:
            if target.item in whole:
                raise InputError(
                    "duplicate-column",
                    f"columns {data.headers[whole[target.item]]!r} and {data.headers[pos]!r} "
                    f"both hold item {target.item!r}",
                    Location(file=data.path_hint or None, column=data.headers[pos]),
                    "remove one of them, or say which is which with --map",
                )
            whole[target.item] = pos
        else:
            split.setdefault(target.item, {})[target.choice] = pos
    if not whole and not split and len(data.headers) == 1:
        raise InputError(
            "wrong-delimiter",
            f"the file has a single column {data.headers[0][:60]!r}",
            Location(file=data.path_hint or None),
            "separate cells with commas, semicolons or tabs (export the file again as CSV)",
        )
    if not whole and not split:
        raise InputError(
            "no-items-matched",
            f"no column of this file matches an item of {instrument.id}",
            Location(file=data.path_hint or None),
            "check --instrument (is this a file for another questionnaire?) or use --map",
        )
    unknown = [data.headers[p] for p, t in targets.items() if t is None]
    matched = sum(1 for t in targets.values() if t is not None and t.item != IGNORE)
    if len(unknown) >= 3 and len(unknown) > matched:
        raise InputError(
            "wrong-instrument",
            f"only {matched} of {matched + len(unknown)} columns match items of {instrument.id} "
            f"(unknown: {', '.join(repr(h) for h in unknown[:3])}, ...)",
            Location(file=data.path_hint or None),
            "is this a file for another questionnaire? check --instrument, or use --map",
        )
    body = data.body.reset_index(drop=True)
    # from here on one frame holds the file's cells: a column converted through its distinct
    # values is replaced by codes + distinct values (the quarantine still has every cell),
    # so the text of the file is freed column by column instead of living beside the frame
    data.body = body
    n = len(body)
    columns: dict[str, Any] = {}
    status: dict[str, Any] = {}
    issues: list[pd.DataFrame] = []
    factors: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def convert(item: Item, cells: pd.DataFrame) -> tuple[dict, Any, pd.DataFrame, dict]:
        # ``cells``: the item's columns, taken from ``body`` beforehand (``body`` changes
        # while items convert); ``own``: the item's factorisations, merged afterwards
        own: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        if item.type == "select_multiple":
            cols, stat, problems = _convert_multi(
                data, instrument, item, cells, whole.get(item.id), split.get(item.id, {}), own
            )
            return cols, stat, problems, own
        raw = cells[whole[item.id]] if item.id in whole else pd.Series([""] * n, dtype=object)
        value, stat, problems = _convert(data, instrument, item, raw, own)
        return {item.id: value}, stat, problems, own

    # Items convert on two threads: most of the work is numpy and pyarrow kernels, which
    # release the GIL (at a million rows 0.5 s -> 0.35 s on two cores). Results are taken in
    # item order, so the frame, the issues and their order never depend on the threads. Only
    # the pool holds an item's cells, until the item is converted: the text of a compacted
    # column is freed then, as it was one item at a time.
    from concurrent.futures import ThreadPoolExecutor

    item_cells = (body[_positions(item, whole, split)] for item in instrument.items)
    with ThreadPoolExecutor(max_workers=_THREADS, thread_name_prefix="evalkit-convert") as pool:
        converted = pool.map(convert, instrument.items, item_cells)
        for item, (cols, stat, problems, own) in zip(instrument.items, converted, strict=True):
            columns.update(cols)
            status[item.id] = stat
            issues.append(problems)
            factors.update(own)
            _compact(body, factors)
    response_id = data.response_id if data.response_id is not None else None
    head = {
        "response_id": (
            pd.Series(pd.NA, index=range(n), dtype="string")
            if response_id is None
            else _blank_to_na(response_id.reset_index(drop=True))
        ),
        "submitted_at": (
            pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns, UTC]")
            if data.submitted_at is None
            else data.submitted_at.reset_index(drop=True)
        ),
        "source": pd.Series(
            pd.array([data.platform], dtype="string").take(np.zeros(n, dtype=np.intp))
        ),
    }
    # copy=False: every column is a new array already; a copy of each would double the peak
    frame = pd.DataFrame(head | columns, copy=False)
    status_frame = pd.DataFrame(status, copy=False)
    issue_frame = pd.concat(issues, ignore_index=True) if issues else _empty_issues()
    absent = [i.id for i in instrument.items if i.id not in whole and i.id not in split]
    return Canonical(frame, status_frame, issue_frame, _column_report(data, targets), absent)


_THREADS = 2  # the machines evalkit is sized for have two cores or more


def _positions(item: Item, whole: dict[str, int], split: dict[str, dict[str, int]]) -> list[int]:
    """The positions of the file's columns that hold ``item``."""
    own = [whole[item.id]] if item.id in whole else []
    return own + list(split.get(item.id, {}).values())


def _compact(body: pd.DataFrame, factors: dict[int, tuple[np.ndarray, np.ndarray]]) -> None:
    """Replace the text columns in ``factors`` by categoricals of the same cells."""
    import pandas as pd

    for position, (codes, uniques) in factors.items():
        if not isinstance(body[position].dtype, pd.CategoricalDtype):
            body[position] = pd.Categorical.from_codes(codes, categories=uniques[:-1])


def _check_duplicate_headers(data: PlatformData) -> None:
    seen: dict[str, int] = {}
    for pos, header in enumerate(data.headers):
        if not header.strip() or pos in data.metadata:
            continue
        key = norm(header) + "\x00" + (norm(data.texts[pos]) if data.texts else "")
        if key in seen:
            raise InputError(
                "duplicate-header",
                f"the header {header!r} appears twice (columns {seen[key] + 1} and {pos + 1})",
                Location(file=data.path_hint or None, column=header),
                "rename one of the columns (or delete the copy) and read the file again",
            )
        seen[key] = pos


def _column_report(data: PlatformData, targets: dict[int, Target | None]) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for pos, header in enumerate(data.headers):
        if pos in data.metadata:
            used, item, choice = "metadata", None, None
        elif not header.strip() and pos not in targets:
            continue
        else:
            target = targets.get(pos)
            if target is None:
                used, item, choice = "unknown", None, None
            elif target.item == IGNORE:
                used, item, choice = "ignored", None, None
            else:
                used = "option" if target.choice else "item"
                item, choice = target.item, target.choice
        if not header.strip():
            header = f"(column {pos + 1}, no header)"
        rows.append(
            {"position": pos + 1, "header": header, "used_as": used, "item": item, "choice": choice}
        )
    return pd.DataFrame(rows, columns=COLUMN_REPORT_COLUMNS)


def _empty_issues() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype="object") for c in ISSUE_COLUMNS})


# Conversion works on distinct values: a column is factorised once (in C), every distinct
# cell is interpreted once (in Python, a few hundred values at most for choice items), and
# the results are expanded back to rows with numpy indexing. No per-row Python.


def _factorize(
    raw: pd.Series, factors: dict[int, tuple[np.ndarray, np.ndarray]] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Row codes and distinct raw cells (as Python strings) of a column of text cells.

    pyarrow's dictionary encoding does the hashing in C++ on the arrow buffers, so no Python
    string is made per cell, only one per distinct value. A trailing ``""`` is appended to the
    distinct values for callers that need an empty cell's code. A column of the file (its
    name is its position) is recorded in ``factors``: ingest keeps the file's cells in that
    compact form for the quarantine.
    """
    import numpy as np
    import pandas as pd

    position = raw.name if isinstance(raw.name, int) else None
    if factors is not None and position in factors:
        return factors[position]

    if isinstance(raw.dtype, pd.CategoricalDtype):
        # read as a dictionary (or compacted earlier): the codes are the factorisation, used
        # as they are (a byte per cell, not kept in ``factors``: the column itself is compact)
        texts = np.asarray([*raw.cat.categories.astype(object), ""], dtype=object)
        codes = raw.cat.codes.to_numpy()
        if (codes < 0).any():  # a missing cell is an empty one
            codes = np.where(codes < 0, len(texts) - 1, codes.astype(np.intp))
        return codes, texts
    encoded = _arrow_text(raw).dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    texts = np.asarray([*encoded.dictionary.to_pylist(), ""], dtype=object)
    result = codes.astype(np.intp, copy=False), texts
    if factors is not None and position is not None:
        factors[position] = result
    return result


def _arrow_text(raw: pd.Series, contiguous: bool = True):
    """A text column as a pyarrow string array: one contiguous array (copied from the
    parser's blocks; dictionary encoding needs one), or the chunks as they are."""
    import pyarrow as pa

    array = pa.array(raw, from_pandas=True)  # large_string for the grid's text dtype
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()  # a column read as codes + distinct texts
    if pa.types.is_null(array.type):
        array = array.cast(pa.string())  # an all-NA object column
    if contiguous and isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.fill_null("") if array.null_count else array


def _issues(
    bad: np.ndarray, codes: np.ndarray, uniques: np.ndarray, item: str, code: str, message: str
) -> pd.DataFrame:
    """Issue rows for the rows whose distinct value is flagged in ``bad``."""
    import numpy as np
    import pandas as pd

    rows = np.nonzero(bad[codes])[0] if bad.any() else np.array([], dtype=int)
    return pd.DataFrame(
        {
            "row": rows,
            "item": item,
            "value": uniques[codes[rows]],
            "code": code,
            "message": message,
        },
        columns=ISSUE_COLUMNS,
    )


def _status_categories(instrument: Instrument, item: Item) -> list[str]:
    choices = instrument.choices_for(item)
    extra = [f"choice:{c.name}" for c in choices if c.missing] if choices is not None else []
    return STATUS_CATEGORIES + extra


def _status_series(status_u: np.ndarray, codes: np.ndarray, categories: list[str]) -> pd.Series:
    import numpy as np
    import pandas as pd

    position = {name: i for i, name in enumerate(categories)}
    code_u = np.asarray([position[s] for s in status_u], dtype=np.int16)
    return pd.Series(pd.Categorical.from_codes(code_u[codes], categories=categories))


def _integers(values_u: np.ndarray, codes: np.ndarray) -> pd.Series:
    """Whole numbers per distinct cell (NaN: missing) expanded to rows: two integer takes,
    no float column of the rows."""
    import numpy as np
    import pandas as pd

    mask_u = np.isnan(values_u)
    filled_u = np.where(mask_u, 0, values_u).astype(np.int64)
    return pd.Series(pd.arrays.IntegerArray(filled_u[codes], mask_u[codes]))


def _convert(
    data: PlatformData,
    instrument: Instrument,
    item: Item,
    raw: pd.Series,
    factors: dict[int, tuple[np.ndarray, np.ndarray]] | None = None,
) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    import numpy as np
    import pandas as pd

    if item.type not in ("select_one", "likert", "date") and not item.is_numeric:
        return _convert_text(data, instrument, item, raw)
    codes, uniques = _factorize(raw, factors)
    text_u = np.asarray([u.strip() for u in uniques], dtype=object)
    blank_u = text_u == ""
    seen_u = np.isin(text_u, list(data.seen_unanswered)) & ~blank_u
    present_u = ~(blank_u | seen_u)
    status_u = np.where(blank_u, "blank", np.where(seen_u, "seen_unanswered", "answered"))
    status_u = status_u.astype(object)
    problems = _empty_issues()
    if item.type in ("select_one", "likert"):
        choices = instrument.choices_for(item)
        lookup = choice_index(instrument, item)
        if data.positional_codes and choices is not None:
            for position, choice in enumerate(choices, start=1):
                lookup.setdefault(str(position), choice.value)
        missing_values = {c.value for c in choices if c.missing} if choices else set()
        mapped_u = np.asarray(
            [lookup.get(norm(t)) if ok else None for t, ok in zip(text_u, present_u, strict=True)],
            dtype=object,
        )
        for i, value in enumerate(mapped_u):
            if value is not None and value in missing_values:
                status_u[i] = f"choice:{value}"
                mapped_u[i] = None
        unknown_u = present_u & np.asarray([v is None for v in mapped_u]) & (status_u == "answered")
        if item.type == "likert":
            numbers_u = pd.to_numeric(pd.Series(text_u), errors="coerce").to_numpy(dtype=float)
            whole_u = unknown_u & ~np.isnan(numbers_u) & (np.mod(numbers_u, 1) == 0)
            values_u = np.asarray(
                [float(v) if v is not None else np.nan for v in mapped_u], dtype=float
            )
            values_u = np.where(whole_u, numbers_u, values_u)  # kept: schema says out-of-range
            unknown_u &= ~whole_u
            value = _integers(values_u, codes)
        else:
            categories = [c.value for c in choices.substantive] if choices else []
            position = {v: i for i, v in enumerate(categories)}
            cat_u = np.asarray([position.get(v, -1) for v in mapped_u], dtype=np.int32)
            value = pd.Series(pd.Categorical.from_codes(cat_u[codes], categories=categories))
        problems = _issues(
            unknown_u, codes, uniques, item.id, "unknown-choice", "not one of the choices"
        )
    elif item.is_numeric:
        cleaned = pd.Series(text_u).where(present_u, "")
        cleaned = cleaned.where(
            cleaned.str.contains(".", regex=False), cleaned.str.replace(",", ".")
        )
        numbers_u = pd.to_numeric(cleaned.replace("", np.nan), errors="coerce").to_numpy(float)
        bad_u = present_u & np.isnan(numbers_u)
        if item.type in ("integer", "nps"):
            fractional_u = ~np.isnan(numbers_u) & (np.mod(numbers_u, 1) != 0)
            bad_u |= fractional_u
            numbers_u = np.where(fractional_u, np.nan, numbers_u)
            value = _integers(numbers_u, codes)
        else:
            values = numbers_u[codes]
            mask = np.isnan(values)
            value = pd.Series(pd.arrays.FloatingArray(np.where(mask, 0.0, values), mask))
        problems = _issues(
            bad_u, codes, uniques, item.id, "wrong-type", f"not {_article(item.type)}"
        )
    elif item.type == "date":
        parsed_u, bad_u = _parse_dates(pd.Series(text_u).where(present_u))
        value = pd.Series(parsed_u.to_numpy()[codes]).astype("datetime64[ns]")
        problems = _issues(
            bad_u.to_numpy(), codes, uniques, item.id, "unparseable-date", "not YYYY-MM-DD"
        )
    return value, _status_series(status_u, codes, _status_categories(instrument, item)), problems


def _convert_text(
    data: PlatformData, instrument: Instrument, item: Item, raw: pd.Series
) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """A free-text item: trimmed, blank and seen-unanswered cells to NA, all in pyarrow.

    Free text is mostly distinct, so factorising it would make a Python string per cell;
    the string kernels work on the arrow buffers instead.
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(raw.dtype, pd.CategoricalDtype):
        # read as a dictionary: trim and classify the distinct texts, then expand to rows
        codes, uniques = _factorize(raw)
        texts = pa.array(uniques, type=pa.large_string())
    else:
        codes, texts = None, _arrow_text(raw, contiguous=False)
    trimmed = _trimmed(texts)
    blank = pc.equal(trimmed, "").to_numpy(zero_copy_only=False)
    seen_values = pa.array(sorted(data.seen_unanswered), type=trimmed.type)
    seen = pc.is_in(trimmed, value_set=seen_values).to_numpy(zero_copy_only=False) & ~blank
    present = ~(blank | seen)
    if codes is not None:
        kept = pc.if_else(pa.array(present), trimmed, pa.scalar(None, trimmed.type))
        kept = kept.take(pa.array(codes))
        blank, seen, present = blank[codes], seen[codes], present[codes]
    else:
        kept = _null_where(trimmed, ~present)
    value = pd.Series(pd.StringDtype("pyarrow").__from_arrow__(kept))
    categories = _status_categories(instrument, item)
    code = {name: i for i, name in enumerate(categories)}
    status = np.full(len(present), code["answered"], dtype=np.int16)
    status[blank] = code["blank"]
    status[seen] = code["seen_unanswered"]
    status_series = pd.Series(pd.Categorical.from_codes(status, categories=categories))
    return value, status_series, _empty_issues()


def _trimmed(texts):
    """``texts`` with surrounding whitespace removed, chunk by chunk: a chunk with nothing to
    trim keeps the parsed buffers, so untrimmed text is never held twice."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(texts, pa.Array):
        return pc.utf8_trim_whitespace(texts)
    chunks = []
    for chunk in texts.chunks:
        trimmed = pc.utf8_trim_whitespace(chunk)
        chunks.append(chunk if trimmed.equals(chunk) else trimmed)
    return pa.chunked_array(chunks, type=texts.type)


def _null_where(texts, null):
    """``texts`` (pyarrow string chunks) with the cells where ``null`` is true made null.

    The result shares the text buffers with ``texts``, only a new validity bitmap is made per
    chunk: a million free-text cells are not copied to blank out the empty ones.
    """
    import pyarrow as pa

    if isinstance(texts, pa.Array):
        texts = pa.chunked_array([texts])
    if not null.any():
        return texts
    chunks, start = [], 0
    for chunk in texts.chunks:
        stop = start + len(chunk)
        valid = ~null[start:stop]
        if chunk.null_count:
            valid &= chunk.is_valid().to_numpy(zero_copy_only=False)
        if chunk.offset:
            chunk = pa.concat_arrays([chunk])  # a copy that starts at offset 0
        bitmap = pa.array(valid).buffers()[1]  # a boolean array's values are a bitmap
        _, offsets, data = chunk.buffers()
        chunks.append(
            pa.Array.from_buffers(
                chunk.type, len(chunk), [bitmap, offsets, data], int((~valid).sum())
            )
        )
        start = stop
    return pa.chunked_array(chunks, type=texts.type)


def _blank_to_na(values: pd.Series) -> pd.Series:
    """A text column as pandas' ``string`` dtype with empty cells as NA, sharing the text."""
    import pandas as pd
    import pyarrow.compute as pc

    texts = _arrow_text(values, contiguous=False)
    blank = pc.equal(texts, "").to_numpy(zero_copy_only=False)
    kept = _null_where(texts, blank)
    return pd.Series(pd.StringDtype("pyarrow").__from_arrow__(kept), index=values.index)


def _article(item_type: str) -> str:
    return {"integer": "a whole number", "nps": "a whole number from 0 to 10"}.get(
        item_type, "a number"
    )


def _parse_dates(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO dates (``2026-03-04``, with or without a time, as XLSX typed cells give them)."""
    import pandas as pd

    text = text.astype("object")
    as_text = text.fillna("").astype(str)
    iso = as_text.str.fullmatch(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")
    parsed = pd.to_datetime(
        as_text.where(iso, None).str.slice(0, 10), format="%Y-%m-%d", errors="coerce"
    )
    bad = text.notna() & parsed.isna()
    return parsed.astype("datetime64[ns]"), bad


def tokenize(text: str, tokens: list[str], separators: str) -> tuple[list[str], list[str]]:
    """Split a joined multi-select cell into known tokens, longest first; also the unknown rest.

    Labels may contain the separator (Google Forms joins ``"In person, with interpreter"``
    and ``"Virtual"`` with ``", "``), so known tokens are tried longest first and must end at
    a separator or the end of the cell. ``tokens`` must be sorted longest first.

    Examples
    --------
    >>> toks = ["in person, with interpreter", "in person", "virtual"]
    >>> tokenize("in person, with interpreter, virtual", toks, ", ")
    (['in person, with interpreter', 'virtual'], [])
    >>> tokenize("virtual, zoom", toks, ", ")
    (['virtual'], ['zoom'])
    """
    found: list[str] = []
    unknown: list[str] = []
    pos, end = 0, len(text)
    while pos < end:
        while pos < end and text[pos] in separators:
            pos += 1
        if pos >= end:
            break
        for token in tokens:
            stop = pos + len(token)
            if text.startswith(token, pos) and (stop == end or text[stop] in separators):
                found.append(token)
                pos = stop
                break
        else:
            stop = pos
            while stop < end and text[stop] not in separators:
                stop += 1
            unknown.append(text[pos:stop])
            pos = stop
    return found, unknown


def _split_selected(
    instrument: Instrument,
    item: Item,
    body: pd.DataFrame,
    split_pos: dict[str, int],
    factors: dict[int, tuple[np.ndarray, np.ndarray]] | None = None,
) -> tuple[dict[str, np.ndarray], np.ndarray, pd.DataFrame]:
    """Selected flags per option column, whether the row answered, and issues (bad cells)."""
    import numpy as np

    index = choice_index(instrument, item)
    selected: dict[str, np.ndarray] = {}
    answered = np.zeros(len(body), dtype=bool)
    problems = []
    for name, pos in split_pos.items():
        codes, uniques = _factorize(body[pos], factors)
        key_u = [norm(u) for u in uniques]
        own = {norm(name)} | {k for k, v in index.items() if str(v) == name}
        true_u = np.asarray([k in TRUE_TOKENS or k in own for k in key_u], dtype=bool)
        false_u = np.asarray([k in FALSE_TOKENS or k == "" for k in key_u], dtype=bool)
        nonblank_u = np.asarray([k != "" for k in key_u], dtype=bool)
        selected[name] = true_u[codes]
        answered |= nonblank_u[codes]
        problems.append(
            _issues(
                ~(true_u | false_u),
                codes,
                uniques,
                item.id,
                "unknown-choice",
                f"option column {name!r} is not 1/0",
            )
        )
    return selected, answered, _concat_issues(problems)


def _concat_issues(parts: list[pd.DataFrame]) -> pd.DataFrame:
    import pandas as pd

    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else _empty_issues()


def _convert_multi(
    data: PlatformData,
    instrument: Instrument,
    item: Item,
    body: pd.DataFrame,
    joined_pos: int | None,
    split_pos: dict[str, int],
    factors: dict[int, tuple[np.ndarray, np.ndarray]] | None = None,
) -> tuple[dict[str, pd.Series], pd.Series, pd.DataFrame]:
    import numpy as np
    import pandas as pd

    choices = instrument.choices_for(item)
    substantive = [c.name for c in choices.substantive] if choices else []
    missing_names = [c.name for c in choices if c.missing] if choices else []
    n = len(body)
    categories = _status_categories(instrument, item)
    status_code = {c: i for i, c in enumerate(categories)}
    # status as category codes from the start (no per-row strings to map back)
    status = np.full(n, status_code["answered"], dtype=np.int16)
    if split_pos:
        selected, answered, problems = _split_selected(instrument, item, body, split_pos, factors)
        status[~answered] = status_code["blank"]
    else:
        raw = body[joined_pos] if joined_pos is not None else pd.Series([""] * n, dtype=object)
        codes, uniques = _factorize(raw, factors)
        text_u = [u.strip() for u in uniques]
        seen_u = np.asarray([t in data.seen_unanswered for t in text_u], dtype=bool)
        blank_u = np.asarray([t == "" for t in text_u], dtype=bool)
        lookup = choice_index(instrument, item)
        if data.positional_codes and choices is not None:
            for position, choice in enumerate(choices, start=1):
                lookup.setdefault(str(position), choice.value)
        tokens = sorted(lookup, key=len, reverse=True)
        found_u, unknown_u = [], []
        for text, skip in zip(text_u, blank_u | seen_u, strict=True):
            found, unknown = ([], []) if skip else tokenize(norm(text), tokens, data.multi_sep)
            found_u.append({str(lookup[t]) for t in found})
            unknown_u.append(bool(unknown))
        selected = {
            name: np.asarray([name in f for f in found_u], dtype=bool)[codes]
            for name in substantive + missing_names
        }
        answered = ~(blank_u | seen_u)[codes]
        status[blank_u[codes]] = status_code["blank"]
        status[seen_u[codes]] = status_code["seen_unanswered"]
        problems = _issues(
            np.asarray(unknown_u, dtype=bool) & ~(blank_u | seen_u),
            codes,
            uniques,
            item.id,
            "unknown-choice",
            "holds an option that is not a choice",
        )
    any_substantive = np.zeros(n, dtype=bool)
    for name in substantive:
        if name in selected:
            any_substantive |= selected[name]
    for name in missing_names:
        if name in selected:
            status[selected[name] & ~any_substantive & answered] = status_code[f"choice:{name}"]
    valid_answer = answered & (status == status_code["answered"])
    columns = {}
    for name in substantive:
        values = selected.get(name, np.zeros(n, dtype=bool))
        mask = ~valid_answer if name in selected or not split_pos else np.ones(n, dtype=bool)
        columns[f"{item.id}__{name}"] = pd.Series(pd.arrays.BooleanArray(values, mask.copy()))
    return columns, pd.Series(pd.Categorical.from_codes(status, categories)), problems
