"""Scale scoring driven by the instrument: reverse-scored items, ``min_items``, mean or sum."""

from __future__ import annotations

import pandas as pd

from evalkit.analyze.reliability import reverse_score, scale_score
from evalkit.instrument.model import Instrument, Scale


def scale_items(frame: pd.DataFrame, instrument: Instrument, scale: Scale) -> pd.DataFrame:
    """The scale's item columns as floats, out-of-list values dropped, reverse items reversed.

    Reverse scoring maps a rating x to ``low + high - x`` over the item's substantive choice
    values (1..5 -> 5..1), or over its min/max for a numeric item.
    """
    columns = {}
    for item_id in scale.items:
        values = pd.to_numeric(frame[item_id], errors="coerce").astype("float64")
        item = instrument.item(item_id)
        choice_list = instrument.choices_for(item)
        low: float | None
        high: float | None
        if choice_list is not None:
            levels = [float(c.value) for c in choice_list.substantive]
            values = values.where(values.isin(levels))
            low, high = min(levels), max(levels)
        else:
            low, high = item.bounds
        if item_id in scale.reverse and low is not None and high is not None:
            values = reverse_score(values, low, high)
        columns[item_id] = values
    return pd.DataFrame(columns, index=frame.index)


def scale_scores(frame: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """One column per scale of the instrument whose items are all in ``frame``.

    Examples
    --------
    >>> from evalkit.instrument import load_instrument
    >>> inst = load_instrument("partner_relationship")
    >>> row = {i: [7] for i in ("cm_attentive", "cm_listens")} | {"cm_weight": [1]}
    >>> float(scale_scores(pd.DataFrame(row), inst)["control_mutuality"].iloc[0])
    7.0
    """
    scores = {
        scale.id: scale_score(scale_items(frame, instrument, scale), scale.min_items, scale.score)
        for scale in instrument.scales
        if all(item_id in frame.columns for item_id in scale.items)
    }
    return pd.DataFrame(scores, index=frame.index)
