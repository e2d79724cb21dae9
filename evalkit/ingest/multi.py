"""select_multiple items: a joined cell split against the option list, or 1/0 option
columns, to one nullable boolean column per choice (NA when not answered, never False)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from evalkit.ingest._base import PlatformData, norm
from evalkit.ingest._cells import (
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
) -> tuple[dict[str, pd.Series], pd.Series, pd.DataFrame]:
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
    else:
        raw = body[joined_pos] if joined_pos is not None else pd.Series([""] * n, dtype=object)
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
        selected = {
            name: np.asarray([name in f for f in found_u], dtype=bool)[codes]
            for name in substantive + missing_names
        }
        answered = ~(blank_u | seen_u)[codes]
        status[blank_u[codes]] = status_code["blank"]
        status[seen_u[codes]] = status_code["seen_unanswered"]
        problems = issue_rows(
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
