"""select_multiple items: a joined cell split against the option list, or 1/0 option
columns, to one nullable boolean column per choice (NA when not answered, never False)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from evalkit.ingest._base import PlatformData, norm
from evalkit.ingest._cells import (
    ISSUE_COLUMNS,
    concat_issues,
    factorize,
    issue_rows,
    status_categories,
)
from evalkit.ingest.mapping import choice_index

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from evalkit.instrument.model import Instrument, Item

TRUE_TOKENS = {"1", "true", "yes", "y", "checked", "x", "1.0"}
FALSE_TOKENS = {"0", "false", "no", "n", "unchecked", "0.0"}


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
        codes, uniques = factorize(body[pos], factors)
        key_u = [norm(u) for u in uniques]
        own = {norm(name)} | {k for k, v in index.items() if str(v) == name}
        true_u = np.asarray([k in TRUE_TOKENS or k in own for k in key_u], dtype=bool)
        false_u = np.asarray([k in FALSE_TOKENS or k == "" for k in key_u], dtype=bool)
        nonblank_u = np.asarray([k != "" for k in key_u], dtype=bool)
        selected[name] = true_u[codes]
        answered |= nonblank_u[codes]
        problems.append(
            issue_rows(
                ~(true_u | false_u),
                codes,
                uniques,
                item.id,
                "unknown-choice",
                f"option column {name!r} is not 1/0",
            )
        )
    return selected, answered, concat_issues(problems)


def convert_multi(
    data: PlatformData,
    instrument: Instrument,
    item: Item,
    body: pd.DataFrame,
    joined_pos: int | None,
    split_pos: dict[str, int],
    factors: dict[int, tuple[np.ndarray, np.ndarray]] | None = None,
    notes: list[str] | None = None,
) -> tuple[dict[str, pd.Series], pd.Series, pd.DataFrame]:
    """One select_multiple item: ``{<item>__<choice>: boolean}``, status and issues.

    With option columns (``split_pos``) they are used; beside them a joined column
    (``joined_pos``) is compared: where every option cell is empty but the joined cell names
    choices (Kobo exports submissions of an earlier form version so) the joined cell is used
    and a line added to ``notes``; a row where the two disagree is a ``multi-mismatch``
    issue (quarantined, both kept), an option no choice of the item ``unknown-choice``.
    """
    import numpy as np
    import pandas as pd

    choices = instrument.choices_for(item)
    substantive = [c.name for c in choices.substantive] if choices else []
    missing_names = [c.name for c in choices if c.missing] if choices else []
    n = len(body)
    categories = status_categories(instrument, item)
    status_code = {c: i for i, c in enumerate(categories)}
    # status as category codes from the start (no per-row strings to map back)
    status = np.full(n, status_code["answered"], dtype=np.int16)
    if split_pos:
        selected, answered, problems = _split_selected(instrument, item, body, split_pos, factors)
        status[~answered] = status_code["blank"]
        if joined_pos is not None:
            joined = _joined(data, instrument, item, body[joined_pos], factors)
            problems = concat_issues(
                [
                    problems,
                    _mismatches(data, item, joined, selected, answered, (joined_pos, split_pos)),
                ]
            )
            taken = _take_joined(joined, selected, answered)
            if taken.any():
                answered = answered | taken
                status[taken] = status_code["answered"]
                if notes is not None:
                    notes.append(_taken_note(data, item, taken, joined_pos, split_pos))
    else:
        raw = body[joined_pos] if joined_pos is not None else pd.Series([""] * n, dtype=object)
        joined = _joined(data, instrument, item, raw, factors)
        codes, skip_u = joined.codes, joined.blank_u | joined.seen_u
        selected = {
            name: np.asarray([name in f for f in joined.found_u], dtype=bool)[codes]
            for name in substantive + missing_names
        }
        answered = ~skip_u[codes]
        status[joined.blank_u[codes]] = status_code["blank"]
        status[joined.seen_u[codes]] = status_code["seen_unanswered"]
        problems = issue_rows(
            joined.unknown_u & ~skip_u,
            codes,
            joined.uniques,
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


@dataclass
class _Joined:
    """A joined multi-select column through its distinct cells: the choices each names,
    whether it holds an unknown option, is blank or seen-unanswered (all per distinct cell)."""

    codes: np.ndarray
    uniques: np.ndarray
    found_u: list[set[str]]
    unknown_u: np.ndarray
    blank_u: np.ndarray
    seen_u: np.ndarray


def _joined(
    data: PlatformData,
    instrument: Instrument,
    item: Item,
    raw: pd.Series,
    factors: dict[int, tuple[np.ndarray, np.ndarray]] | None,
) -> _Joined:
    """Split the distinct cells of a joined column against the option list, longest first."""
    import numpy as np

    choices = instrument.choices_for(item)
    codes, uniques = factorize(raw, factors)
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
    return _Joined(codes, uniques, found_u, np.asarray(unknown_u, dtype=bool), blank_u, seen_u)


def _in_cell(joined: _Joined, name: str) -> np.ndarray:
    """Per row: does the joined cell name choice ``name``."""
    import numpy as np

    return np.asarray([name in f for f in joined.found_u], dtype=bool)[joined.codes]


def _take_joined(
    joined: _Joined, selected: dict[str, np.ndarray], answered: np.ndarray
) -> np.ndarray:
    """What the joined cell adds to the option columns (``selected`` is updated in place).

    A choice it names that has no option column (a ``missing`` choice such as "no
    meeting", or one the export left out) is taken from it; a row whose option cells are all
    empty while the joined cell names only choices takes all of them (such rows are
    returned: Kobo exports submissions of an earlier form version so).
    """
    import numpy as np

    codes = joined.codes
    split_names = set(selected)
    for name in set().union(*joined.found_u) - split_names:
        selected[name] = _in_cell(joined, name)
    usable_u = np.asarray([bool(f) for f in joined.found_u], dtype=bool) & ~(
        joined.unknown_u | joined.blank_u | joined.seen_u
    )
    taken = usable_u[codes] & ~answered
    if taken.any():
        for name in split_names:
            selected[name] = np.where(taken, _in_cell(joined, name), selected[name])
    return taken


def _taken_note(
    data: PlatformData, item: Item, taken: np.ndarray, joined_pos: int, split_pos: dict
) -> str:
    import numpy as np

    rows = data.source_row.to_numpy()[np.flatnonzero(taken)]
    shown = ", ".join(str(r) for r in rows[:10]) + (" ..." if len(rows) > 10 else "")
    first = next(iter(split_pos.values()))
    return (
        f"{item.id}: {len(rows)} row(s) ({shown}) have every option column "
        f"({data.headers[first]!r}, ...) empty but an answer in {data.headers[joined_pos]!r} "
        "(an earlier version of the form?): that answer was used"
    )


def _mismatches(
    data: PlatformData,
    item: Item,
    joined: _Joined,
    selected: dict[str, np.ndarray],
    answered: np.ndarray,
    positions: tuple[int, dict[str, int]],
) -> pd.DataFrame:
    """``multi-mismatch`` issues: rows whose joined cell (Kobo/ODK ``q`` = ``a b``) names
    other choices than its option columns (``q/a``, ``q/b`` 1/0) tick (compared over the
    choices that have a column), and ``unknown-choice`` for a joined cell that holds an
    option that is no choice.

    The option columns are what ingest uses, so a disagreement would otherwise drop the
    joined cell's answer without a word; the row is quarantined with both kept. A blank or
    seen-unanswered joined cell is compared as naming nothing.
    """
    import numpy as np
    import pandas as pd

    codes = joined.codes
    skip = joined.seen_u[codes]
    differs = np.zeros(len(codes), dtype=bool)
    for name in selected:  # the choices with an option column
        differs |= _in_cell(joined, name) != selected[name]
    rows = np.flatnonzero(differs & ~skip & answered)  # empty option cells: _take_joined
    joined_pos, split_pos = positions
    options = ", ".join(repr(data.headers[p]) for p in split_pos.values())
    mismatch = pd.DataFrame(
        {
            "row": rows,
            "item": item.id,
            "value": joined.uniques[codes[rows]],
            "code": "multi-mismatch",
            "message": f"column {data.headers[joined_pos]!r} against {options}",
        },
        columns=ISSUE_COLUMNS,
    )
    unknown = issue_rows(
        joined.unknown_u & ~(joined.blank_u | joined.seen_u),
        codes,
        joined.uniques,
        item.id,
        "unknown-choice",
        "holds an option that is not a choice",
    )
    return concat_issues([mismatch, unknown])
