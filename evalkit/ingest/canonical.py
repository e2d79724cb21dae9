"""Map a platform's columns to an instrument's items and build the canonical response frame.

The canonical frame (DESIGN.md) has ``response_id``, ``submitted_at`` (UTC), ``source``, then
one column per item: likert → ``Int64`` choice value; select_one → categorical of choice
values; select_multiple → one nullable boolean column ``<item>__<choice>`` per substantive
choice (NA when the item was not answered, never False); integer/nps → ``Int64``; decimal →
``Float64``; text → ``string``; date → ``datetime64[ns]``.

Beside it, a *status* frame (one categorical column per item) keeps apart what NA hides:

``answered``            a substantive answer (or an invalid one, reported as an issue)
``blank``               nothing in the cell: not answered, or not shown (skip logic tells which)
``seen_unanswered``     the platform says it was shown and skipped (Qualtrics ``-99``)
``choice:<value>``      a ``missing: true`` choice such as ``choice:na`` (not applicable)

Cells that cannot be converted (an unknown label, ``abc`` for a number, a date in an unknown
format) become NA in the frame and a row in ``issues`` that validation reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from evalkit.errors import Location
from evalkit.ingest._base import InputError, PlatformData, norm, norm_series

if TYPE_CHECKING:
    import pandas as pd

    from evalkit.instrument.model import Instrument, Item

ISSUE_COLUMNS = ["row", "item", "value", "code", "message"]
COLUMN_REPORT_COLUMNS = ["position", "header", "used_as", "item", "choice"]
STATUS_CATEGORIES = ["answered", "blank", "seen_unanswered"]
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
        if sep in header:
            last = norm(header.rsplit(sep, 1)[1])
            if last in index:
                return index[last]
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
        if pos in data.metadata or not header.strip():
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
            if not instrument.has_item(item_id):
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
        if item_id in multi:
            return Target(item_id, _qualtrics_choice(instrument, item_id, data, pos, text))
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
    if choices.find(choice_id) is not None:
        return str(choices.find(choice_id).value)  # type: ignore[union-attr]
    if choice_id.isdigit() and 1 <= int(choice_id) <= len(choices):
        return choices.choices[int(choice_id) - 1].name
    return None


def build_canonical(
    data: PlatformData, instrument: Instrument, mapping: dict[str, str] | None = None
) -> Canonical:
    """Map columns and convert every item; see the module docstring for the contract."""
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
    n = len(body)
    columns: dict[str, Any] = {}
    status: dict[str, Any] = {}
    issues: list[pd.DataFrame] = []
    for item in instrument.items:
        if item.type == "select_multiple":
            cols, stat, problems = _convert_multi(
                data, instrument, item, body, whole.get(item.id), split.get(item.id, {})
            )
            columns.update(cols)
        else:
            raw = body[whole[item.id]] if item.id in whole else pd.Series([""] * n, dtype=object)
            value, stat, problems = _convert(data, instrument, item, raw.astype(object))
            columns[item.id] = value
        status[item.id] = stat
        issues.append(problems)
    frame = pd.DataFrame(columns)
    response_id = data.response_id if data.response_id is not None else None
    head = pd.DataFrame(
        {
            "response_id": (
                pd.Series(pd.NA, index=range(n), dtype="string")
                if response_id is None
                else response_id.reset_index(drop=True).astype("string").replace("", pd.NA)
            ),
            "submitted_at": (
                pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns, UTC]")
                if data.submitted_at is None
                else data.submitted_at.reset_index(drop=True)
            ),
            "source": pd.Series([data.platform] * n, dtype="string"),
        }
    )
    frame = pd.concat([head, frame], axis=1)
    status_frame = pd.DataFrame(status)
    issue_frame = pd.concat(issues, ignore_index=True) if issues else _empty_issues()
    return Canonical(frame, status_frame, issue_frame, _column_report(data, targets))


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
        elif not header.strip():
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
        rows.append(
            {"position": pos + 1, "header": header, "used_as": used, "item": item, "choice": choice}
        )
    return pd.DataFrame(rows, columns=COLUMN_REPORT_COLUMNS)


def _empty_issues() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype="object") for c in ISSUE_COLUMNS})


def _issues(mask: pd.Series, raw: pd.Series, item: str, code: str, message: str) -> pd.DataFrame:
    import pandas as pd

    rows = mask.to_numpy().nonzero()[0]
    return pd.DataFrame(
        {
            "row": rows,
            "item": item,
            "value": raw.iloc[rows].astype(str).to_numpy(),
            "code": code,
            "message": message,
        },
        columns=ISSUE_COLUMNS,
    )


def _base_status(data: PlatformData, raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Stripped cells with seen-unanswered and blanks replaced by NA, and the status."""
    import pandas as pd

    text = raw.astype(str).str.strip()
    blank = text == ""
    seen = text.isin(data.seen_unanswered) if data.seen_unanswered else blank & False
    status = pd.Series("answered", index=raw.index, dtype=object)
    status[blank] = "blank"
    status[seen] = "seen_unanswered"
    return text.where(~(blank | seen)), status


def _status_categorical(status: pd.Series, instrument: Instrument, item: Item) -> pd.Series:
    import pandas as pd

    extra = []
    choices = instrument.choices_for(item)
    if choices is not None:
        extra = [f"choice:{c.name}" for c in choices if c.missing]
    return status.astype(pd.CategoricalDtype(STATUS_CATEGORIES + extra))


def _convert(
    data: PlatformData, instrument: Instrument, item: Item, raw: pd.Series
) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    import pandas as pd

    text, status = _base_status(data, raw)
    present = text.notna()
    problems = _empty_issues()
    if item.type in ("select_one", "likert"):
        lookup = choice_index(instrument, item)
        choices = instrument.choices_for(item)
        if data.positional_codes and choices is not None:
            for position, choice in enumerate(choices, start=1):
                lookup.setdefault(str(position), choice.value)
        keys = norm_series(text.fillna(""))
        mapped = keys.map(lookup)
        missing_values = {c.value for c in choices if c.missing} if choices else set()
        is_missing = mapped.isin(missing_values) & present
        if is_missing.any():
            status[is_missing] = "choice:" + mapped[is_missing].astype(str)
        mapped = mapped.where(~is_missing)
        unknown = present & mapped.isna() & ~is_missing
        if item.type == "likert":
            numbers = pd.to_numeric(text.where(unknown), errors="coerce")
            whole = numbers.notna() & (numbers % 1 == 0)
            mapped = mapped.where(~whole, numbers)  # kept: validation reports out-of-range
            unknown &= ~whole
            value = pd.to_numeric(mapped, errors="coerce").astype("Int64")
        else:
            substantive = [c.value for c in choices.substantive] if choices else []
            value = pd.Categorical(mapped.where(~unknown), categories=substantive)
            value = pd.Series(value, index=raw.index)
        problems = _issues(
            unknown, raw, item.id, "unknown-choice", "not one of the choices of this item"
        )
    elif item.is_numeric:
        cleaned = text.str.replace(",", ".", regex=False).where(
            ~text.str.contains(r"\.", na=False), text
        )
        numbers = pd.to_numeric(cleaned, errors="coerce")
        bad = present & numbers.isna()
        if item.type in ("integer", "nps"):
            fractional = numbers.notna() & (numbers % 1 != 0)
            bad |= fractional
            numbers = numbers.where(~fractional)
            value = numbers.astype("Float64").round().astype("Int64")
        else:
            value = numbers.astype("Float64")
        problems = _issues(bad, raw, item.id, "wrong-type", f"not {_article(item.type)}")
    elif item.type == "date":
        value, bad = _parse_dates(text)
        problems = _issues(bad, raw, item.id, "unparseable-date", "not a date as YYYY-MM-DD")
    else:
        value = text.astype("string")
    return value, _status_categorical(status, instrument, item), problems


def _article(item_type: str) -> str:
    return {"integer": "a whole number", "nps": "a whole number from 0 to 10"}.get(
        item_type, "a number"
    )


def _parse_dates(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO dates (``2026-03-04``, with or without a time, as XLSX typed cells give them)."""
    import pandas as pd

    iso = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?", na=False)
    parsed = pd.to_datetime(text.where(iso).str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
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


def _convert_multi(
    data: PlatformData,
    instrument: Instrument,
    item: Item,
    body: pd.DataFrame,
    joined_pos: int | None,
    split_pos: dict[str, int],
) -> tuple[dict[str, pd.Series], pd.Series, pd.DataFrame]:
    import pandas as pd

    choices = instrument.choices_for(item)
    substantive = [c.name for c in choices.substantive] if choices else []
    missing_names = [c.name for c in choices if c.missing] if choices else []
    n = len(body)
    problems = _empty_issues()
    if split_pos:
        cells = {name: body[pos].astype(str).str.strip() for name, pos in split_pos.items()}
        frame = pd.DataFrame(cells, index=body.index)
        lowered = frame.apply(lambda col: col.str.casefold())
        truthy = lowered.isin(TRUE_TOKENS)
        for name in frame.columns:  # a split cell may hold the choice's own value or label
            own = {norm(name)} | {
                k for k, v in choice_index(instrument, item).items() if str(v) == name
            }
            truthy[name] |= norm_series(frame[name]).isin(own)
        falsy = lowered.isin(FALSE_TOKENS) | (lowered == "")
        answered = (frame != "").any(axis=1)
        bad = ~(truthy | falsy)
        for name in frame.columns:
            if bad[name].any():
                problems = pd.concat(
                    [
                        problems,
                        _issues(
                            bad[name],
                            frame[name],
                            item.id,
                            "unknown-choice",
                            f"option column {name!r} is not 1/0",
                        ),
                    ],
                    ignore_index=True,
                )
        selected = {name: truthy[name] for name in frame.columns}
        status = pd.Series("answered", index=body.index, dtype=object).where(answered, "blank")
        raw_unknown = None
    else:
        raw = body[joined_pos] if joined_pos is not None else pd.Series([""] * n, dtype=object)
        text, status = _base_status(data, raw.astype(object))
        answered = text.notna()
        lookup = choice_index(instrument, item)
        if data.positional_codes and choices is not None:
            for position, choice in enumerate(choices, start=1):
                lookup.setdefault(str(position), choice.value)
        keys = norm_series(text.fillna(""))
        tokens = sorted(lookup, key=len, reverse=True)
        parsed: dict[str, tuple[frozenset[str], bool]] = {}
        for key in keys.unique():
            found, unknown = tokenize(key, tokens, data.multi_sep)
            parsed[key] = (frozenset(str(lookup[t]) for t in found), bool(unknown))
        has_unknown = keys.map({k: v[1] for k, v in parsed.items()}).astype(bool)
        selected = {
            name: keys.map({k: name in v[0] for k, v in parsed.items()}).astype(bool)
            for name in substantive + missing_names
        }
        raw_unknown = has_unknown & answered
        problems = _issues(
            raw_unknown, raw, item.id, "unknown-choice", "holds an option that is not a choice"
        )
    any_substantive = pd.Series(False, index=body.index)
    for name in substantive:
        if name in selected:
            any_substantive |= selected[name]
    for name in missing_names:
        if name in selected:
            only_missing = selected[name] & ~any_substantive & answered
            status[only_missing] = f"choice:{name}"
    valid_answer = answered & (status == "answered")
    columns = {}
    for name in substantive:
        values = selected.get(name, pd.Series(False, index=body.index))
        column = pd.Series(values.to_numpy(), dtype="boolean", index=body.index)
        column[~valid_answer] = pd.NA
        if name not in selected and split_pos:
            column[valid_answer] = pd.NA  # no column for this option in the file
        columns[f"{item.id}__{name}"] = column.reset_index(drop=True)
    status = _status_categorical(status.reset_index(drop=True), instrument, item)
    return columns, status, problems
