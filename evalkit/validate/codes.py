"""The catalogue of validation error codes: stable names, titles and message templates.

Codes never change meaning once released (reports and scripts filter on them). A message is
built from its template with ``{item}``, ``{value}`` and ``{detail}``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    """One kind of validation failure."""

    code: str
    title: str
    template: str
    row_level: bool = True


CATALOGUE: dict[str, Code] = {
    c.code: c
    for c in (
        Code(
            "unknown-choice", "Unknown choice", "{item}: {value} is not one of its choices{detail}"
        ),
        Code("out-of-range", "Out of range", "{item}: {value} is outside {detail}"),
        Code("wrong-type", "Wrong type", "{item}: {value} is {detail}"),
        Code(
            "number-too-large",
            "Number too large",
            "{item}: {value} is too large a number to read; allowed {detail}",
        ),
        Code(
            "unparseable-date",
            "Unparseable date",
            "{item}: {value} is not a date; write it as YYYY-MM-DD",
        ),
        Code("date-out-of-range", "Date out of range", "{item}: {value} is outside {detail}"),
        Code(
            "missing-required",
            "Missing required answer",
            "{item} is required and was shown but not answered",
        ),
        Code(
            "skip-logic",
            "Answer to a question that was not shown",
            "{item} was answered but should not have been shown ({detail})",
        ),
        Code(
            "duplicate-response",
            "Duplicate response id",
            "response id {value} appears earlier in the file; only the first is kept",
        ),
        Code(
            "multi-mismatch",
            "Joined answer disagrees with its option columns",
            "{item}: the joined cell {value} names other choices than its option columns "
            "({detail}); the row is kept in the quarantine: correct the cell or the columns",
        ),
        Code("missing-id", "Missing response id", "the row has no response id{detail}"),
        Code(
            "short-row",
            "Row cut short",
            "the row has only {detail}: the file may have been cut off; export it again, or "
            "complete the row",
        ),
        Code(
            "unknown-column",
            "Unknown column",
            "column {value} matches no item and was not used; map it with --map or mark it "
            "'ignore'",
            row_level=False,
        ),
    )
}


def message(code: str, item: str, value: str, detail: str = "") -> str:
    """The message for one failure.

    Examples
    --------
    >>> message("out-of-range", "worth_time", "7", "1 to 5")
    'worth_time: 7 is outside 1 to 5'
    """
    return CATALOGUE[code].template.format(item=item, value=value, detail=detail)
