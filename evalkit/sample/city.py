"""Write the fictional city of Riverton's data as the platforms' own exports (sample_data/).

:func:`build_city` generates every instrument for each period with
:func:`~evalkit.sample.linked.generate_linked` and writes each one in the platform format
:data:`CITY_FORMATS` gives it, so that the sample data show every supported format at least
once. It also writes the population shares (for the inclusive-reach KPI), a manifest of the
files (which instrument, period and platform each holds) and plants a few deliberately bad
rows (:data:`BAD_ROWS`) that validation must quarantine. The same arguments write the same
bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.errors import DataError, Location, UsageError
from evalkit.instrument import load_instrument
from evalkit.io import write_text_atomic
from evalkit.sample.effects import Effect
from evalkit.sample.linked import POPULATION_SHARES, RIVERTON_EFFECTS, generate_linked
from evalkit.sample.output import PLATFORMS, SUFFIX, write_responses

if TYPE_CHECKING:
    import pandas as pd

# The platform each instrument's responses are exported from (every platform at least once).
CITY_FORMATS: dict[str, str] = {
    "activity_register": "csv",  # typed into evalkit's CSV template by office staff
    "post_engagement": "kobo",  # KoboToolbox on tablets at the door; 2025: Qualtrics
    "follow_up": "odk",  # ODK Central web forms
    "delegation_host": "msforms",  # Microsoft Forms (the city's Office 365)
    "connector_attribution": "kobo_xlsx",  # KoboToolbox, downloaded as XLSX
    "community_programme": "google",  # Google Forms run by the community partners
    "partner_relationship": "csv",  # evalkit's CSV template, filled in by the office
}
# Exceptions by (instrument, period): the office switched survey tools in 2026.
CITY_FORMATS_BY_PERIOD: dict[tuple[str, str], str] = {("post_engagement", "2025"): "qualtrics"}
# Exports in another language than the instrument's first: in 2025 the community partner
# ran the programme's Google Form in Spanish (question texts and choice labels).
CITY_LANGUAGES: dict[tuple[str, str], str] = {("community_programme", "2025"): "es"}
DEFAULT_AS_OF = "2026-10-31"
# The seed of sample_data/. Chosen among 2026-2035 as one whose 2026 post-engagement
# findings are all planted ones (with FDR control at 5%, about a third of seeds show one
# chance finding as well; sample_data/README.md says so).
CITY_SEED = 2030
MANIFEST = "manifest.csv"
POPULATION = "population.yaml"
MANIFEST_COLUMNS = ["file", "instrument_id", "period", "platform", "rows"]


@dataclass(frozen=True)
class BadCell:
    """One deliberately bad cell: ``column`` (an item id, or a system column) of data row
    ``row`` (0-based) becomes ``value``; ``copy_from`` copies that row's cell instead;
    ``only_answered`` moves down to the first row at or after ``row`` whose cell is not empty
    (an item the skip logic showed)."""

    instrument: str
    period: str
    row: int
    column: str
    value: str = ""
    copy_from: int | None = None
    only_answered: bool = False
    why: str = ""


# The deliberately bad rows of sample_data/ (sample_data/README.md explains them).
BAD_ROWS: tuple[BadCell, ...] = (
    BadCell(
        "post_engagement",
        "2026",
        11,
        "worth_time",
        "7",
        why="out-of-range: a 7 on a 1-5 agreement scale (quarantined)",
    ),
    BadCell(
        "post_engagement",
        "2026",
        24,
        "_uuid",
        copy_from=23,
        why="duplicate-response: the same submission id as the row before (quarantined)",
    ),
    BadCell(
        "partner_relationship",
        "2026",
        5,
        "partner_type",
        "space_agency",
        why="unknown-choice: not a partner type of the questionnaire (quarantined)",
    ),
    BadCell(
        "post_engagement",
        "2026",
        40,
        "travel_from",
        '=HYPERLINK("https://example.org/prize","Claim your prize")',
        only_answered=True,
        why="a spreadsheet formula typed as free text: kept (it is a valid answer) but "
        "neutralised with a leading ' in every CSV/XLSX evalkit writes",
    ),
)


def city_format(instrument_id: str, period: str) -> str:
    """The platform of an instrument's export in a period (see :data:`CITY_FORMATS`).

    Examples
    --------
    >>> city_format("post_engagement", "2025"), city_format("post_engagement", "2026")
    ('qualtrics', 'kobo')
    """
    return CITY_FORMATS_BY_PERIOD.get((instrument_id, period), CITY_FORMATS[instrument_id])


def city_file_name(instrument_id: str, period: str) -> str:
    """``<period>/<instrument>[.<platform>].<csv|xlsx>``, relative to the output folder
    (evalkit's own CSV has no platform part).

    Examples
    --------
    >>> city_file_name("delegation_host", "2026"), city_file_name("activity_register", "2026")
    ('2026/delegation_host.msforms.xlsx', '2026/activity_register.csv')
    """
    platform = city_format(instrument_id, period)
    part = "" if platform == "csv" else f".{platform}"
    return f"{period}/{instrument_id}{part}{SUFFIX.get(platform, '.csv')}"


def population_yaml() -> str:
    """The population-shares file (YAML ``shares:``) read by
    :func:`evalkit.kpi.population.load_population`."""
    lines = [
        "# Riverton's population shares for the inclusive-reach KPI (K9).",
        "# Fictional figures in the style of census 5-year estimates.",
        "source: Riverton city census office (fictional), 2024 estimates",
        "shares:",
        *(f"  {group}: {share}" for group, share in POPULATION_SHARES.items()),
    ]
    return "\n".join(lines) + "\n"


def build_city(
    out_dir: str | Path,
    periods: Sequence[str] = ("2025", "2026"),
    seed: int = CITY_SEED,
    effects: Sequence[Effect] | str | Path | None = RIVERTON_EFFECTS,
    sizes: dict[str, int] | None = None,
    as_of: str | date | pd.Timestamp | None = DEFAULT_AS_OF,
    bad_rows: Sequence[BadCell] = BAD_ROWS,
) -> list[Path]:
    """Write the fictional city's data as platform exports; return the paths written.

    Writes ``<out_dir>/<period>/<instrument>[.<platform>].<csv|xlsx>`` (see
    :func:`city_file_name`; in the language :data:`CITY_LANGUAGES` gives, else the
    instrument's first), ``population.yaml`` and ``manifest.csv`` (columns ``file,
    instrument_id, period, platform, rows``). ``as_of`` is the date of the data: nothing is
    submitted after it. ``bad_rows`` are planted after writing (those of a period or
    instrument not written are skipped). The same arguments write the same bytes.

    Examples
    --------
    >>> import tempfile
    >>> paths = build_city(tempfile.mkdtemp(), periods=("2026",), seed=3,
    ...     sizes={"activity_register": 6, "post_engagement": 60, "community_programme": 12})
    >>> sorted(p.name for p in paths)[:3]
    ['activity_register.csv', 'community_programme.google.csv',
     'connector_attribution.kobo_xlsx.xlsx']
    """
    import pandas as pd

    out = Path(out_dir)
    written = [write_text_atomic(out / POPULATION, population_yaml())]
    manifest: list[list[str]] = []
    for period in periods:
        city = generate_linked(period, seed, effects, sizes, as_of=as_of)
        for instrument_id in sorted(city.frames):
            frame = city.frames[instrument_id]
            name = city_file_name(instrument_id, city.period)
            misses = [
                sim.missing_choices
                for key, sim in city.truth.items()
                if key.split(":")[0] == instrument_id
            ]
            path = write_responses(
                frame,
                load_instrument(instrument_id),
                out / name,
                city_format(instrument_id, city.period),
                missing_choices=pd.concat(misses, ignore_index=True) if misses else None,
                lang=CITY_LANGUAGES.get((instrument_id, city.period)),
            )
            bad = [b for b in bad_rows if (b.instrument, b.period) == (instrument_id, period)]
            if bad:
                plant_bad_rows(path, city_format(instrument_id, city.period), bad)
            written.append(path)
            platform = city_format(instrument_id, city.period)
            manifest.append([name, instrument_id, city.period, platform, str(len(frame))])
    buffer = io.StringIO()
    table = csv.writer(buffer, lineterminator="\n")
    table.writerow(MANIFEST_COLUMNS)
    table.writerows(manifest)
    written.append(write_text_atomic(out / MANIFEST, buffer.getvalue()))
    return written


def plant_bad_rows(path: str | Path, platform: str, bad: Sequence[BadCell]) -> Path:
    """Overwrite cells of a written CSV export with deliberately bad values (in place).

    The header of ``column`` is found as the item id itself or as its last ``/``- or
    ``-``-separated part (Kobo and ODK group prefixes). Only CSV exports can be edited.
    """
    target = Path(path)
    if PLATFORMS.get(platform) not in ("evalkit", "kobo", "odk", "qualtrics", "google"):
        raise UsageError(f"bad rows can only be planted in a CSV export, not {platform}")
    delimiter = ";" if platform == "kobo" else ","
    quoting = csv.QUOTE_ALL if platform == "kobo" else csv.QUOTE_MINIMAL
    text = target.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header, skip = rows[0], 3 if platform == "qualtrics" else 1
    for cell in bad:
        position = _column(header, cell.column, target)
        row = skip + cell.row
        while cell.only_answered and row < len(rows) and rows[row][position] == "":
            row += 1
        if row >= len(rows):
            raise DataError(
                f"cannot plant a bad cell in data row {cell.row}: the file has fewer rows",
                Location(file=str(target)),
                "generate more rows or plant it in an earlier row",
            )
        source = rows[skip + cell.copy_from][position] if cell.copy_from is not None else None
        rows[row][position] = source if source is not None else cell.value
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
    writer.writerows(rows)
    return write_text_atomic(target, buffer.getvalue())


def _column(header: list[str], name: str, path: Path) -> int:
    for position, title in enumerate(header):
        if title == name or title.rsplit("/", 1)[-1] == name or title.rsplit("-", 1)[-1] == name:
            return position
    raise DataError(
        f"no column {name!r} to plant a bad cell in",
        Location(file=str(path)),
        "name an item id or a system column of the export",
    )
