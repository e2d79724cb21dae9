"""Reading a response file into a grid of text cells: encoding, delimiter, platform.

Everything here works on bytes and strings only; the platform modules give the cells their
meaning. Cells are never split by hand: the CSV parser handles quoting, and XLSX files are
read with openpyxl through pandas.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit import limits
from evalkit.errors import Location
from evalkit.ingest._base import InputError

if TYPE_CHECKING:
    import pandas as pd

_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Grid:
    """A response file as read: every cell as text, headers not yet interpreted.

    ``cells`` has positional columns ``0..n-1`` and one row per record of the file (header
    rows included); ``source_row`` of ``cells.iloc[i]`` is ``i + 1``, the row number a
    spreadsheet shows. ``encoding`` and ``delimiter`` are None for XLSX files.
    """

    cells: pd.DataFrame
    path: str
    encoding: str | None
    delimiter: str | None
    kind: str  # "csv" or "xlsx"
    empty_rows: int = 0
    # rows of a CSV with fewer cells than the header (row label in ``cells`` -> cells it has):
    # the parser pads them with empty cells, which must not pass for blank answers
    short_rows: dict[int, int] = field(default_factory=dict)


def decode(data: bytes, path: str = "") -> tuple[str, str]:
    """Decode file bytes: UTF-8 with or without BOM, UTF-16 (BOM or NUL pattern), cp1252.

    Returns ``(text, encoding)``. Raises :class:`DataError` for binary files and for files
    that mix UTF-8 and cp1252 bytes.

    Examples
    --------
    >>> decode("café".encode("utf-8-sig"))
    ('café', 'utf-8-sig')
    >>> decode("café".encode("cp1252"))
    ('café', 'cp1252')
    >>> decode("ab".encode("utf-16"))
    ('ab', 'utf-16')
    """
    where = Location(file=path or None)
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig", where), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", where), "utf-16"
    sample = data[:4096]
    if sample and sample.count(b"\x00") * 4 >= len(sample):
        # UTF-16 without a BOM: every other byte of ASCII text is NUL.
        even_nuls = sample[0::2].count(b"\x00")
        encoding = "utf-16-be" if even_nuls > len(sample) // 4 else "utf-16-le"
        return _strict(data, encoding, where), encoding
    if b"\x00" in sample:
        raise InputError(
            "binary-file",
            "this is a binary file, not a CSV or XLSX export",
            where,
            "export the responses again as CSV or XLSX",
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if _UTF8_MULTIBYTE.search(data):
        line = data[: utf8_error.start].count(b"\n") + 1
        raise InputError(
            "mixed-encoding",
            f"the file mixes encodings (UTF-8 and another, first non-UTF-8 byte on line {line})",
            Location(file=path or None, line=line),
            "open it in a text editor and save it as UTF-8, or export it again",
        )
    return _strict(data, "cp1252", where), "cp1252"


def _strict(data: bytes, encoding: str, where: Location) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            "bad-encoding",
            f"the file is not valid {encoding} (byte {exc.start})",
            where,
            "export it again as UTF-8 CSV",
        ) from None


def sniff_delimiter(text: str) -> str:
    """The delimiter of CSV ``text``: ``,``, ``;`` or tab.

    Uses :class:`csv.Sniffer` on the first lines; when it cannot decide, the candidate that
    occurs most often in the header line wins.

    Examples
    --------
    >>> sniff_delimiter('"a";"b"\\r\\n"1";"2"\\r\\n')
    ';'
    >>> sniff_delimiter("a\\tb\\n1\\t2\\n")
    '\\t'
    """
    sample = "\n".join(text[:65536].splitlines()[:20])
    try:
        found = csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        found = ""
    header = text.split("\n", 1)[0]
    counts = {d: _count_outside_quotes(header, d) for d in _DELIMITERS}
    if found in _DELIMITERS and counts[found] > 0:
        return found
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


_SAMPLE = 1 << 16  # bytes read first: BOM, binary and delimiter checks, the header record


# Files read ahead by prefetch_grid, by (path, size, modification time): the reading thread
# and where its grid (or the error it raised) is put.
_PREFETCHED: dict[tuple[str, int, int], tuple[threading.Thread, list]] = {}
PREFETCH_MIN_BYTES = 4 << 20  # smaller files are read in less time than it takes to start


def prefetch_grid(path: str | Path) -> None:
    """Start reading ``path`` with :func:`read_grid` in a background thread; the next
    ``read_grid`` of the same unchanged file waits for that result instead of reading again.

    For commands that read one large file and import the analysis libraries meanwhile:
    pyarrow parses without holding the GIL, so the imports (Python) and the parsing (C++)
    overlap. The thread is a daemon: a command that fails before reading does not wait for
    it. Does nothing for a missing or small file.
    """
    key = _file_key(path)
    if key is None or key[1] < PREFETCH_MIN_BYTES or key in _PREFETCHED:
        return
    outcome: list = []

    def read() -> None:
        try:
            outcome.append(_read_grid(path))
        except Exception as exc:  # handed to the reader, which raises it
            outcome.append(exc)

    thread = threading.Thread(target=read, name="evalkit-prefetch", daemon=True)
    _PREFETCHED[key] = (thread, outcome)
    thread.start()


def _file_key(path: str | Path) -> tuple[str, int, int] | None:
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns


def wait_for_prefetch(path: str | Path) -> None:
    """Return once a read ahead of ``path`` (if one was started) has finished parsing.

    For work that would compete with the parse for the CPU, such as hashing the same file:
    started after the parse, it runs on the core the parse no longer needs.
    """
    entry = _PREFETCHED.get(_file_key(path)) if _PREFETCHED else None  # type: ignore[arg-type]
    if entry is not None:
        entry[0].join()


def _prefetched(path: str | Path) -> Grid | None:
    """The grid read ahead for ``path`` (once; the entry is dropped), or None."""
    if not _PREFETCHED:
        return None
    key = _file_key(path)
    entry = _PREFETCHED.get(key)  # type: ignore[arg-type]
    if entry is None:
        return None
    thread, outcome = entry
    thread.join()
    del _PREFETCHED[key]  # type: ignore[arg-type]  # after the join: see wait_for_prefetch
    if isinstance(outcome[0], Exception):
        raise outcome[0]
    return outcome[0]


def read_grid(path: str | Path) -> Grid:
    """Read a CSV/TSV/TXT or XLSX file into a :class:`Grid` of text cells.

    A UTF-8 CSV goes straight to pyarrow's multi-threaded reader, every column as text (no
    type inference: ``007`` stays ``007``). Anything it declines (another encoding, blank
    lines, rows of uneven length, a broken quote) is read by pandas' C parser, which pads
    short rows and explains what is wrong, so both paths give the same grid.

    Raises :class:`DataError` (exit code 2) when the file is missing, empty, binary, badly
    encoded or not parseable as CSV.
    """
    ahead = _prefetched(path)
    return ahead if ahead is not None else _read_grid(path)


def _read_grid(path: str | Path) -> Grid:
    path = Path(path)
    where = Location(file=str(path))
    if not path.is_file():
        raise InputError("no-such-file", "no such file", where, "check the path")
    with path.open("rb") as handle:
        sample = handle.read(_SAMPLE)
    if sample[:4] == b"PK\x03\x04":
        return _read_xlsx(path, where)
    grid = _read_csv_arrow(path, sample)
    return grid if grid is not None else _read_csv_text(path, where)


def _read_csv_arrow(path: Path, sample: bytes) -> Grid | None:
    """The fast path: a UTF-8 CSV read by pyarrow; None when the file needs the careful one."""
    from concurrent.futures import ThreadPoolExecutor

    if not sample.strip() or b"\x00" in sample or sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # empty, binary or UTF-16: the text path says which
    bom = sample.startswith(b"\xef\xbb\xbf")
    head = sample[3 * bom :]
    if head.startswith(b"\xef\xbb\xbf"):
        return None  # a doubled BOM (seen in re-saved exports)
    # the sample may end inside a character: decode leniently, only the header is parsed
    text = head.decode("utf-8", errors="ignore")
    delimiter = sniff_delimiter(text)
    width = _header_width(text, delimiter, complete=len(sample) < _SAMPLE)
    if width is None:
        return None
    names = [str(i) for i in range(width)]
    coded = _dictionary_columns(text, delimiter, width, path.stat().st_size)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # counted while pyarrow parses (both release the GIL for the heavy part)
        odd_quotes = pool.submit(_odd_quotes, path)
        table = _parse_arrow(path, names, delimiter, coded)
        if odd_quotes.result():
            return None  # an unclosed quote: pyarrow reads it to the end of the file
    if table is None:
        return None
    # Text columns become pandas columns without a copy (the same buffers); dictionary columns
    # get one byte codes beside the table's four-byte indices until ``del table``. Not
    # self_destruct: it converted column by column on one thread, 0.3 s instead of 0.1 s at a
    # million rows, to free memory at a moment (reading) that is far below the later peak of
    # validation, which holds the typed frame
    cells = table.to_pandas(types_mapper=_text_mapper(), split_blocks=True)
    del table
    cells.columns = range(width)
    cells, empty = _drop_empty_rows(cells)
    return Grid(cells, str(path), "utf-8-sig" if bom else "utf-8", delimiter, "csv", empty)


# A file this large has its few-valued columns read as dictionaries (codes + distinct texts):
# a million-row file then needs no text per cell for its choice columns, and ingest uses
# the codes as they are instead of hashing every cell again. Smaller files read every
# column as plain text; both give the same cells (tests/ingest/test_dictionary_read.py).
DICTIONARY_MIN_BYTES = 4 << 20
_DICTIONARY_MAX_VALUES = 64  # distinct cells in the sample rows, at most
_DICTIONARY_MIN_ROWS = 50  # sample rows needed to judge a column


def _dictionary_columns(text: str, delimiter: str, width: int, size: int) -> set[int]:
    """Positions of the columns to read as dictionaries: in a large file, those with few
    distinct cells in the sample's rows (response ids, timestamps and free text have many).

    A column judged wrongly costs time, never a cell: a dictionary holds every text as is.

    Examples
    --------
    >>> lines = [f"r{i},{'virtual' if i % 2 else 'hybrid'}" for i in range(60)]
    >>> rows = "\\n".join(["id,mode", *lines, ""])
    >>> sorted(_dictionary_columns(rows, ",", 2, size=DICTIONARY_MIN_BYTES))
    [1]
    >>> _dictionary_columns(rows, ",", 2, size=1000)
    set()
    """
    if size < DICTIONARY_MIN_BYTES:
        return set()
    lines = text.splitlines(keepends=True)[:-1]  # the last line may be cut off
    try:
        rows = list(csv.reader(io.StringIO("".join(lines), newline=""), delimiter=delimiter))
    except csv.Error:
        return set()
    rows = [r for r in rows[1:] if len(r) == width]
    if len(rows) < _DICTIONARY_MIN_ROWS:
        return set()
    limit = min(_DICTIONARY_MAX_VALUES, len(rows) // 4)
    return {pos for pos, cells in enumerate(zip(*rows, strict=True)) if len(set(cells)) <= limit}


def _parse_arrow(path: Path, names: list[str], delimiter: str, coded: set[int] | None = None):
    """The file as a pyarrow table of text columns (``coded`` positions as dictionaries of
    text), or None when pyarrow cannot parse it."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    coded = coded or set()
    dictionary = pa.dictionary(pa.int32(), pa.large_string())

    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names),  # the header row is data too
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=True,  # free text with line breaks, quoted
                ignore_empty_lines=False,  # a blank line is a row of empty cells: numbers kept
            ),
            convert_options=pacsv.ConvertOptions(
                # large_string is what pandas' pyarrow-backed text dtype holds: the frame
                # then wraps the parsed buffers without a copy
                column_types={
                    name: dictionary if pos in coded else pa.large_string()
                    for pos, name in enumerate(names)
                },
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeError):
        return None
    return table


def _odd_quotes(path: Path) -> bool:
    """Whether the file holds an odd number of ``"``: a quote is left open somewhere (quoted
    fields and doubled quotes inside them come in pairs).

    Counted by numpy over the memory-mapped file in blocks that stay in the CPU cache: about
    5x faster than ``bytes.count`` over 16 MiB reads, and this runs while pyarrow parses, so
    every CPU second it takes is taken from the parse.
    """
    import mmap

    import numpy as np

    block = 1 << 20
    with path.open("rb") as handle:
        if path.stat().st_size == 0:
            return False
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            data = np.frombuffer(mapped, dtype=np.uint8)
            count = sum(
                int(np.count_nonzero(data[start : start + block] == 34))  # 34: ord('"')
                for start in range(0, len(data), block)
            )
            del data  # the mapping cannot close while an array views it
    return count % 2 == 1


def _header_width(text: str, delimiter: str, complete: bool) -> int | None:
    """Number of fields in the first record, or None when the sample cuts it off."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        first = next(reader)
        if not complete:
            next(reader)  # a second record starts within the sample: the first is whole
    except (StopIteration, csv.Error):
        return None
    return len(first)


def _text_dtype():
    """pandas' text dtype, backed by pyarrow: vectorised comparisons and string methods."""
    import pandas as pd

    return pd.StringDtype("pyarrow", na_value=float("nan"))


def _text_mapper():
    import pyarrow as pa

    dtype = _text_dtype()
    return {pa.string(): dtype, pa.large_string(): dtype}.get


def as_text_frame(cells: pd.DataFrame) -> pd.DataFrame:
    """``cells`` (object columns of str) as the grid's pyarrow-backed text dtype."""
    return cells.astype(_text_dtype())


def _read_csv_text(path: Path, where: Location) -> Grid:
    """The careful path: decode in Python (UTF-8 ± BOM, UTF-16, cp1252), pandas' C parser."""
    import pandas as pd

    data = path.read_bytes()
    if not data or data.isspace():  # not data.strip(): stops at the first visible byte
        raise InputError("empty-file", "the file is empty", where, "export the responses again")
    decoded, encoding = decode(data, str(path))
    text = decoded.lstrip("\ufeff")
    if not text or text.isspace():
        raise InputError("empty-file", "the file is empty", where, "export the responses again")
    delimiter = sniff_delimiter(text)
    # UTF-8 (checked by decode) goes to the parser as the bytes read, without its byte order
    # marks (3 bytes each): a StringIO of the text would be encoded back to UTF-8 by the parser
    source: io.BytesIO | io.StringIO = io.StringIO(text)
    if encoding in ("utf-8", "utf-8-sig"):
        boms = len(decoded) - len(text) + (encoding == "utf-8-sig")
        source = io.BytesIO(data[3 * boms :] if boms else data)
    try:
        cells = pd.read_csv(
            source,
            sep=delimiter,
            header=None,
            dtype=object,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,  # blank lines are dropped below, keeping row numbers
            engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(
            "malformed-csv",
            f"the file is not valid CSV ({str(exc).strip().splitlines()[-1]})",
            where,
            "check for an unclosed quote or a row with extra cells, or export the file again",
        ) from None
    short = _short_rows(text, delimiter, cells.shape)
    cells, empty = _drop_empty_rows(as_text_frame(cells))  # short rows hold "", not NaN
    return Grid(cells, str(path), encoding, delimiter, "csv", empty, short)


def _short_rows(text: str, delimiter: str, shape: tuple[int, int]) -> dict[int, int]:
    """Records with fewer cells than the header: ``{record index: cells}``.

    pandas pads a short record with empty cells and does not say which; Python's csv module,
    which splits records as the C parser does, counts them (the careful path only: the fast
    one refuses a short row). A blank line is no short row. When the two disagree on the
    number of records, nothing is claimed.

    Examples
    --------
    >>> _short_rows('id,q,z\\nr1,a,1\\nr2\\n\\n"r\\n3",b\\n', ",", (5, 3))
    {2: 1, 4: 2}
    """
    try:
        counts = [
            len(record) for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error:  # a field over the csv module's limit (the C parser took it)
        return {}
    if len(counts) != shape[0]:
        return {}
    return {i: n for i, n in enumerate(counts) if 0 < n < shape[1]}


def _drop_empty_rows(cells: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Drop rows whose every cell is empty (Excel leaves ``,,,,`` lines); keep the row
    numbers of the others, so reports still point at the right spreadsheet row."""
    candidates = (cells[0] == "").to_numpy().copy()
    candidates[0] = False  # the header row stays, whatever it holds
    if not candidates.any():
        return cells, 0
    empty = candidates.copy()
    empty[candidates] = (cells[candidates] == "").all(axis=1).to_numpy()
    return cells[~empty], int(empty.sum())


def _read_xlsx(path: Path, where: Location) -> Grid:
    import pandas as pd

    too_large = limits.xlsx_too_large(path)
    if too_large:
        raise InputError("too-large", too_large[0], where, too_large[1])
    max_rows = limits.XLSX_ROWS.value()
    try:
        cells = pd.read_excel(
            path, header=None, dtype=str, engine="openpyxl", sheet_name=0, nrows=max_rows + 1
        )
    except Exception as exc:  # openpyxl raises many types for broken files
        raise InputError(
            "unreadable-xlsx",
            f"the XLSX file cannot be read ({type(exc).__name__})",
            where,
            "open it in a spreadsheet program and save it again, or export CSV",
        ) from None
    if len(cells) > max_rows:
        raise InputError(
            "too-large",
            f"the XLSX sheet has more than {max_rows:,} rows",
            where,
            limits.xlsx_rows_hint(),
        )
    cells = as_text_frame(cells.fillna("").astype(str))
    cells.columns = range(cells.shape[1])
    if cells.empty:
        raise InputError("empty-file", "the file is empty", where, "export the responses again")
    cells, empty = _drop_empty_rows(cells.reset_index(drop=True))
    return Grid(cells, str(path), None, None, "xlsx", empty)
