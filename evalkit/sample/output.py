"""Write synthetic responses as a survey platform's export, reproducibly.

The platform writers live in :mod:`evalkit.sample.platforms`; this module adds what a
synthetic sample needs on top of them:

* the *status* of each answer (:func:`status_frame`), so that a likert item's missing choice
  ("Not applicable"), which its ``Int64`` column cannot hold, is written as the platform
  would write it instead of as an empty cell (an empty cell of a required item would be
  quarantined as "missing required");
* XLSX files that are the same bytes every time (:func:`normalise_xlsx`): openpyxl writes
  the time of writing into ``docProps/core.xml`` and into every ZIP entry.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.errors import UsageError
from evalkit.instrument import Instrument, load_instrument
from evalkit.io import atomic_path
from evalkit.sample.platforms import write_export

if TYPE_CHECKING:
    from datetime import date

    import pandas as pd

    from evalkit.sample.effects import Effect

# The ``--platform`` names of ``evalkit sample generate`` and the writer each one uses.
PLATFORMS: dict[str, str] = {
    "csv": "evalkit",
    "kobo": "kobo",
    "kobo_xlsx": "kobo_xlsx",
    "odk": "odk",
    "qualtrics": "qualtrics",
    "google": "google",
    "msforms": "msforms",
}
SUFFIX: dict[str, str] = {"kobo_xlsx": ".xlsx", "msforms": ".xlsx"}
# What a reproducible XLSX says about when it was made (any fixed instant would do).
XLSX_TIMESTAMP = "2026-01-01T00:00:00Z"
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CORE_DATES = re.compile(
    rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)",
)


def status_frame(
    frame: pd.DataFrame, instrument: Instrument, missing_choices: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The answer status the platform writers need: ``answered`` or ``choice:<value>``.

    Parameters
    ----------
    frame
        A canonical frame from :func:`~evalkit.sample.generate.simulate`.
    instrument
        Its instrument.
    missing_choices
        ``Simulation.missing_choices`` (``response_id, item, value``): likert answers that
        picked a missing choice (their cell is NA).

    Returns
    -------
    pandas.DataFrame
        One column per item with a missing choice, aligned with ``frame`` (other items
        count as answered).

    Examples
    --------
    >>> from evalkit.instrument import load_instrument
    >>> from evalkit.sample import simulate
    >>> sim = simulate("post_engagement", 300, seed=1)
    >>> status = status_frame(sim.frame, load_instrument("post_engagement"), sim.missing_choices)
    >>> picked = sim.missing_choices.query("item == 'worth_time'")
    >>> int((status["worth_time"] == "choice:na").sum()) == len(picked) > 0
    True
    """
    import numpy as np
    import pandas as pd

    ids = frame["response_id"].astype("string").reset_index(drop=True)
    out: dict[str, pd.Series] = {}
    for item in instrument.items:
        choices = instrument.choices_for(item)
        missing = [c.name for c in choices or () if c.missing]
        if not missing:
            continue
        cells = np.full(len(frame), "answered", dtype=object)
        if item.type == "select_multiple":
            for value in missing:
                column = f"{item.id}__{value}"
                if column in frame:
                    ticked = frame[column].astype("boolean").fillna(False).to_numpy(dtype=bool)
                    cells[ticked] = f"choice:{value}"
        elif item.type == "select_one":
            values = frame[item.id].astype("string").reset_index(drop=True)
            for value in missing:
                cells[(values == value).fillna(False).to_numpy(dtype=bool)] = f"choice:{value}"
        if missing_choices is not None and len(missing_choices):
            picked = missing_choices[missing_choices["item"] == item.id]
            if len(picked):
                lookup = pd.Series(picked["value"].to_numpy(), index=picked["response_id"])
                hit = ids.map(lookup)
                mask = hit.notna().to_numpy(dtype=bool)
                cells[mask] = ("choice:" + hit[mask].astype(str)).to_numpy()
        out[item.id] = pd.Series(cells, dtype=object)
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


def write_responses(
    frame: pd.DataFrame,
    instrument: Instrument,
    path: str | Path,
    platform: str = "csv",
    *,
    missing_choices: pd.DataFrame | None = None,
    lang: str | None = None,
    labels: bool = False,
) -> Path:
    """Write a synthetic frame as ``platform``'s export (atomically; XLSX reproducible).

    Parameters
    ----------
    platform
        One of :data:`PLATFORMS`: ``csv`` (evalkit's canonical CSV template: one column per
        item, ``<item>__<choice>`` columns with 1/0), ``kobo``, ``kobo_xlsx``, ``odk``,
        ``qualtrics``, ``google``, ``msforms``.
    missing_choices
        ``Simulation.missing_choices``, so that N/A answers are written as N/A.
    lang, labels
        Passed to :func:`evalkit.sample.platforms.write_export`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from evalkit.instrument import load_instrument
    >>> from evalkit.sample import simulate
    >>> sim = simulate("post_engagement", 20, seed=2)
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> path = write_responses(sim.frame, load_instrument("post_engagement"),
    ...     folder / "pe.csv", "kobo", missing_choices=sim.missing_choices)
    >>> path.read_bytes().count(b"\\r\\n")  # a header and 20 rows, as Kobo ends lines
    21
    """
    target = _checked_target(platform, path)
    suffix = target.suffix.lower()
    status = status_frame(frame, instrument, missing_choices)
    write_export(
        frame, instrument, PLATFORMS[platform], target, status=status, labels=labels, lang=lang
    )
    if suffix == ".xlsx":
        normalise_xlsx(target)
    return target


def generate_file(
    instrument: Instrument | str,
    n: int,
    seed: int,
    path: str | Path,
    platform: str = "csv",
    *,
    effects: Sequence[Effect] | str | Path | None = None,
    period: str | None = None,
    as_of: str | date | pd.Timestamp | None = None,
    lang: str | None = None,
) -> pd.DataFrame:
    """Simulate ``n`` responses and write them as ``platform``'s export; return the frame.

    What ``evalkit sample generate`` does: :func:`~evalkit.sample.generate.simulate` then
    :func:`write_responses`. The same arguments write the same bytes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "pe.xlsx"
    >>> frame = generate_file("post_engagement", 30, 1, path, "msforms", period="2025")
    >>> len(frame), path.read_bytes()[:2]
    (30, b'PK')
    """
    from evalkit.sample.generate import simulate

    inst = instrument if isinstance(instrument, Instrument) else load_instrument(instrument)
    _checked_target(platform, path)  # before the work, not after
    sim = simulate(inst, n, seed, effects, period, as_of=as_of)
    write_responses(sim.frame, inst, path, platform, missing_choices=sim.missing_choices, lang=lang)
    return sim.frame


def _checked_target(platform: str, path: str | Path) -> Path:
    if platform not in PLATFORMS:
        raise UsageError(
            f"no platform {platform!r}", hint="use one of " + ", ".join(sorted(PLATFORMS))
        )
    target = Path(path)
    suffix = SUFFIX.get(platform, ".csv")
    if target.suffix.lower() != suffix:
        raise UsageError(
            f"a {platform} export is a {suffix} file, not {target.name!r}",
            hint=f"name the output file *{suffix}",
        )
    return target


def normalise_xlsx(path: str | Path) -> Path:
    """Rewrite an XLSX so that it no longer says when or with what it was written.

    Every XML part is put in canonical form (C14N 2.0: openpyxl serialises namespaces
    differently with and without lxml installed), the ``created``/``modified`` dates of
    ``docProps/core.xml`` become :data:`XLSX_TIMESTAMP` and every ZIP entry gets the same
    fixed date, so that the same cells give the same bytes. The file is replaced atomically.
    """
    from xml.etree.ElementTree import canonicalize

    source = Path(path)
    with zipfile.ZipFile(source) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    with atomic_path(source) as tmp, zipfile.ZipFile(tmp, "w") as out:
        for info, data in entries:
            if info.filename.endswith((".xml", ".rels")):
                data = _XML_DECLARATION + canonicalize(data.decode("utf-8")).encode("utf-8")
            if info.filename == "docProps/core.xml":
                data = _CORE_DATES.sub(rb"\g<1>" + XLSX_TIMESTAMP.encode() + rb"\g<3>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            out.writestr(fixed, data)
    return source
