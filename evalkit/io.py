"""Output helpers every writer uses: atomic writes, spreadsheet-formula neutralising and
terminal-safe text."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# C0 controls but newline and tab, DEL, C1 controls (U+009B is a one-byte CSI), and the
# Unicode bidirectional overrides and isolates that reorder what a terminal shows
_TERMINAL_UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds.

    A failure (an exception, a crash) leaves no partial file and any earlier file untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        if tmp.exists():  # mkstemp made it 0600: give it the mode any new file gets
            tmp.chmod(0o666 & ~_umask())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text_atomic(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write text to ``path`` atomically (temp file in the same folder, then rename)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding, newline="")
    return Path(path)


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write bytes to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def neutralise_formula(value: Any) -> Any:
    """Make a text cell safe for spreadsheets: prefix ``'`` to text starting with = + - @.

    Spreadsheet programs run such cells as formulas (CSV/formula injection, OWASP). Numbers
    are left alone, so ``-3`` as a number stays a number.

    Examples
    --------
    >>> neutralise_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_formula(-3), neutralise_formula("Virtual")
    (-3, 'Virtual')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv_atomic(frame: Any, path: str | Path, **to_csv: Any) -> Path:
    """Write a DataFrame as UTF-8 CSV atomically, with every text cell formula-neutralised.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = write_csv_atomic(pd.DataFrame({"a": ["=1+1", "ok"], "n": [-1, 2]}), path)
    >>> path.read_text().splitlines()
    ['a,n', "'=1+1,-1", 'ok,2']
    """
    import pandas as pd

    safe = {}
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object:  # mixed cells: only str values are touched, numbers stay
            values = values.map(neutralise_formula, na_action="ignore")
        elif pd.api.types.is_string_dtype(values) or isinstance(values.dtype, pd.CategoricalDtype):
            text = values.astype("string")  # vectorised: one prefix test per column
            risky = text.str.startswith(_FORMULA_PREFIXES).fillna(False).astype(bool)
            values = text.where(~risky, "'" + text)
        safe[column] = values
    table = pd.DataFrame(safe, index=frame.index)
    return write_text_atomic(path, table.to_csv(index=False, **to_csv))


def terminal_safe(text: str) -> str:
    r"""``text`` without the control characters a terminal would act on.

    Answers, file names and instrument texts are user text: an ESC in them starts an escape
    sequence (OSC 52 writes the clipboard, OSC 8 hides a link, CSI moves the cursor or
    clears the screen), a carriage return overwrites what was printed. Every control
    character but newline and tab is removed; every line the CLI prints passes here.

    Examples
    --------
    >>> terminal_safe("Durban\x1b]52;c;ZWNobyBoaQ==\x07 ok\r\n")
    'Durban]52;c;ZWNobyBoaQ== ok\n'
    """
    return _TERMINAL_UNSAFE.sub("", text)
