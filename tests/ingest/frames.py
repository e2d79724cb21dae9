"""Build canonical response frames (and their status) for tests, honouring skip logic."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.ingest import item_columns
from evalkit.ingest.canonical import STATUS_CATEGORIES
from evalkit.instrument.relevant import evaluate

TEXTS = ["Great, thanks", 'She said "hello"', "Línea uno\nlínea dos", "café; ok", "plain"]


def make_frame(instrument, n=40, seed=1, missing_rate=0.15):
    """A valid canonical frame of ``n`` responses with blanks, N/A choices and skip logic."""
    rng = np.random.default_rng(seed)
    cols = {
        "response_id": pd.array([f"r{i:04d}" for i in range(n)], dtype="string"),
        "submitted_at": pd.Series(
            pd.Timestamp("2026-03-01T08:00:00Z") + pd.to_timedelta(rng.integers(0, 10**6, n), "s")
        ).astype("datetime64[ns, UTC]"),
        "source": pd.array(["evalkit"] * n, dtype="string"),
    }
    status = {}
    for item in instrument.items:
        blank = rng.random(n) < (0 if item.required else missing_rate)
        stat = np.where(blank, "blank", "answered").astype(object)
        if item.has_choices:
            choices = instrument.choices_for(item)
            subs = [c.value for c in choices.substantive]
            missing = [c for c in choices if c.missing]
            if item.type == "select_multiple":
                ticks = rng.random((n, len(choices.substantive))) < 0.4
                ticks[np.arange(n), rng.integers(0, len(choices.substantive), n)] = True
                for j, c in enumerate(choices.substantive):
                    values = pd.array(ticks[:, j], dtype="boolean")
                    values[blank] = pd.NA
                    cols[f"{item.id}__{c.name}"] = values
            else:
                picks = pd.Series(rng.choice(np.array(subs, dtype=object), n), dtype=object)
                if missing and not item.required:
                    na = (rng.random(n) < 0.1) & ~blank
                    stat[na] = f"choice:{missing[0].name}"
                    picks[na] = None
                picks[blank] = None
                if item.type == "likert":
                    cols[item.id] = pd.array(picks, dtype="Int64")
                else:
                    cols[item.id] = pd.Series(pd.Categorical(picks, categories=subs))
        elif item.is_numeric:
            low, high = item.bounds
            low = 0 if low is None else low
            high = low + 50 if high is None else min(high, low + 50)
            values = rng.integers(int(low), int(high) + 1, n).astype(float)
            values[blank] = np.nan
            if item.type == "decimal":
                cols[item.id] = pd.array(values / 4, dtype="Float64")
            else:
                cols[item.id] = pd.array(values, dtype="Float64").astype("Int64")
        elif item.type == "date":
            days = pd.to_datetime("2026-01-01") + pd.to_timedelta(rng.integers(0, 300, n), "D")
            cols[item.id] = pd.Series(days).where(~blank).astype("datetime64[ns]")
        else:
            values = pd.Series(rng.choice(np.array(TEXTS, dtype=object), n), dtype="string")
            values[blank] = pd.NA
            cols[item.id] = values
        status[item.id] = stat
    frame = pd.DataFrame(cols)
    for item in instrument.items:  # skip logic: not shown means blank
        expr = instrument.relevance(item)
        if expr is None:
            continue
        shown = evaluate(expr, lambda i: frame[i], lambda i, c: frame.get(f"{i}__{c}"))
        targets = [c for c in frame.columns if c == item.id or c.startswith(f"{item.id}__")]
        for col in targets:
            frame.loc[~shown, col] = pd.NA
        status[item.id] = np.where(shown, status[item.id], "blank")
    frame = frame[["response_id", "submitted_at", "source", *item_columns(instrument)]]
    status_frame = pd.DataFrame(
        {
            item.id: pd.Series(status[item.id]).astype(
                pd.CategoricalDtype(
                    STATUS_CATEGORIES
                    + [
                        f"choice:{c.name}"
                        for c in (instrument.choices_for(item) or ())
                        if c.missing
                    ]
                )
            )
            for item in instrument.items
        }
    )
    return frame, status_frame
