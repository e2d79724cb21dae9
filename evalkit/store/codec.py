"""How a validated frame is written to the workspace and read back, one pair per item type.

The workspace must give back exactly the frame validation produced (issue 16: a select_one
coded 1-4 with a blank was stored as ``'4.0'`` and read back as missing, so every answer
vanished from ``analyze --workspace`` without a word). Each item type therefore has one
encoder and its inverse here, and :func:`verify_round_trip` checks, inside the ingest's
transaction, that the stored rows decode to the validated frame: an ingest that could not
be read back as it came in rolls back with an error instead of storing a loss.

=================  =====================================  ==============================
item type          canonical dtype                        stored as (DuckDB)
=================  =====================================  ==============================
select_one         categorical of choice values           VARCHAR: ``Choice.name``
select_multiple    ``boolean`` per choice                 BOOLEAN
likert/integer/nps ``Int64``                              BIGINT
decimal            ``Float64``                            DOUBLE
text               ``string``                             VARCHAR
date               ``datetime64[ns]``                     TIMESTAMP
status             categorical of states                  VARCHAR
=================  =====================================  ==============================
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from evalkit.errors import DataError, Location
from evalkit.validate.schema import STATUS_PREFIX

if TYPE_CHECKING:
    import pandas as pd

    from evalkit.instrument.model import Instrument, Item

HEAD = ("response_id", "submitted_at", "source")


def choice_text(value: Any) -> str:
    """The stored text of a choice value: ``Choice.name`` (``1``, ``in_person``), never the
    text of a float the value became beside a blank (``'1.0'``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _text_of_categorical(values: pd.Series) -> pd.Series:
    """A categorical as text built from its codes: each category's :func:`choice_text`
    (``astype('string')`` goes through float when the categories are integers and a value
    is missing, and writes ``'4.0'``)."""
    import numpy as np
    import pandas as pd

    cat = values.cat
    names = np.asarray([choice_text(c) for c in cat.categories] + [None], dtype=object)
    codes = cat.codes.to_numpy()
    text = names[np.where(codes < 0, len(names) - 1, codes)]
    return pd.Series(pd.array(text, dtype="string"), index=values.index, name=values.name)


def encode(
    frame: pd.DataFrame, status: pd.DataFrame, period: str | None, ingest_id: int
) -> pd.DataFrame:
    """The rows to store: the frame with categoricals as text, ``period``, ``ingest_id`` and
    the ``_status:<item>`` columns."""
    import pandas as pd

    out = frame.reset_index(drop=True).copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = _text_of_categorical(out[column])
    out.insert(1, "period", pd.Series([period] * len(out), dtype="string"))
    out.insert(2, "ingest_id", pd.Series([ingest_id] * len(out), dtype="Int64"))
    states = status.reset_index(drop=True)
    states = pd.DataFrame(
        {
            STATUS_PREFIX + c: (
                _text_of_categorical(states[c])
                if isinstance(states[c].dtype, pd.CategoricalDtype)
                else states[c].astype("string")
            )
            for c in states.columns
        },
        index=out.index,
    )
    return pd.concat([out, states], axis=1)


def decode_item(
    values: pd.Series, inst: Instrument, item: Item, column: str, workspace: str = ""
) -> pd.Series:
    """One stored item column with its canonical dtype (the inverse of :func:`encode`).

    Raises
    ------
    DataError
        A stored select_one value is not a choice of the item (nothing is turned into a
        missing answer without a word).
    """
    import pandas as pd

    if item.type == "select_multiple":
        return values.astype("boolean")
    if item.type in ("likert", "integer", "nps"):
        return pd.to_numeric(values).astype("Int64")
    if item.type == "decimal":
        return pd.to_numeric(values).astype("Float64")
    if item.type == "select_one":
        return _decode_choice(values, inst, item, column, workspace)
    if item.type == "date":
        return pd.to_datetime(values).astype("datetime64[ns]")
    return values.astype("string")


def _decode_choice(
    values: pd.Series, inst: Instrument, item: Item, column: str, workspace: str
) -> pd.Series:
    import numpy as np
    import pandas as pd

    choices = inst.choices_for(item)
    categories = [c.value for c in choices.substantive] if choices else []
    position = {choice_text(c): i for i, c in enumerate(categories)}
    text = values.astype("string")
    uniques = text.dropna().unique()
    # workspaces written before 0.x stored integer choices of a column with blanks as '4.0'
    for u in uniques:
        if u not in position:
            fixed = _integral_text(u)
            if fixed is None or fixed not in position:
                raise DataError(
                    f"the stored value {u!r} of {column} is not a choice of {item.id}",
                    Location(file=workspace or None, column=column),
                    "the instrument's choices changed since the ingest: give the version "
                    "the responses were ingested with",
                )
            position[u] = position[fixed]
    codes = text.map(position).astype("Int64").fillna(-1).to_numpy(dtype=np.int64)
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=categories), index=values.index, name=column
    )


def _integral_text(text: str) -> str | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return str(int(number)) if number.is_integer() else None


def decode_frame(raw: pd.DataFrame, inst: Instrument, workspace: str = "") -> pd.DataFrame:
    """Stored rows as the canonical frame, with ``period``: ``response_id, submitted_at,
    source, period``, then the item columns with their canonical dtypes (personal items
    absent; ``<item>__key`` for keyed identifiers)."""
    import pandas as pd

    from evalkit.ingest import item_columns

    out = pd.DataFrame(
        {
            "response_id": raw["response_id"].astype("string"),
            "submitted_at": pd.to_datetime(raw["submitted_at"], utc=True).astype(
                "datetime64[ns, UTC]"
            ),
            "source": raw["source"].astype("string"),
            "period": raw["period"].astype("string"),
        }
    )
    pii = {i.id for i in inst.pii_items}
    for column in item_columns(inst):
        item = inst.item(column.split("__", 1)[0])
        if item.id in pii:
            key_column = item.id + "__key"
            if key_column in raw:
                out[key_column] = raw[key_column].astype("string")
            continue
        values = raw[column] if column in raw else pd.Series(pd.NA, index=raw.index)
        out[column] = decode_item(values, inst, item, column, workspace)
    return out


def decode_status(raw: pd.DataFrame) -> pd.DataFrame:
    """The stored ``_status:<item>`` columns as text, named by item, plus ``response_id``."""
    columns = [c for c in raw.columns if c.startswith(STATUS_PREFIX)]
    out = raw[columns].astype("string")
    out.columns = [c.removeprefix(STATUS_PREFIX) for c in columns]
    out.insert(0, "response_id", raw["response_id"].astype("string"))
    return out


def verify_round_trip(
    expected: pd.DataFrame,
    expected_status: pd.DataFrame,
    stored: pd.DataFrame,
    stored_status: pd.DataFrame,
    workspace: str,
) -> None:
    """Raise unless the stored rows decode to the validated frame and status, cell by cell.

    ``stored`` comes from :func:`evalkit.store.load_responses`' decoder; both frames are
    compared by ``response_id`` on the columns they share (personal items are never stored).
    """

    if expected.empty:
        return
    left = expected.set_index("response_id", drop=False)
    right = stored.set_index("response_id", drop=False).reindex(left.index)
    columns = [c for c in left.columns if c in right.columns]
    problem = _first_difference(left[columns], right[columns])
    if problem is None:
        states = expected_status.set_axis(left.index).astype("string")
        got = stored_status.set_index("response_id").reindex(left.index)
        problem = _first_difference(states, got[[c for c in states.columns if c in got]])
    if problem is not None:
        rid, column, want, have = problem
        raise DataError(
            f"the workspace would not give back response {rid!r} as validated: {column} "
            f"{want!r} read back as {have!r}; nothing was stored",
            Location(file=workspace, column=column),
            "please report this bug with the instrument and a few rows of the file",
        )


def _first_difference(left: pd.DataFrame, right: pd.DataFrame) -> tuple[str, str, Any, Any] | None:
    import pandas as pd

    for column in left.columns:
        a, b = left[column], right[column]
        if isinstance(a.dtype, pd.CategoricalDtype):
            a = a.astype(object)
            b = b.astype(object)
        a_na, b_na = a.isna().to_numpy(), b.isna().to_numpy()
        same = a_na & b_na
        both = ~a_na & ~b_na
        equal = pd.Series(False, index=a.index)
        if both.any():
            equal[both] = (a[both].astype(object) == b[both].astype(object)).to_numpy()
        ok = same | equal.to_numpy()
        if not ok.all():
            at = int((~ok).nonzero()[0][0])
            return str(a.index[at]), column, a.iloc[at], b.iloc[at]
    return None
