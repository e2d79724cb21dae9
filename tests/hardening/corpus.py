"""The hostile-input corpus (issue 17, point 6): at least 60 files that must each end in a
one-line error or a quarantine, quickly and in little memory, never in a traceback.

Files are generated into a folder when the test runs (a zip bomb or a billion-laughs file
is a few lines here and a hazard in the repository). Each case is a CLI command run on one
file; ``rows`` is the number of data rows when the file must be read (rows in = valid +
quarantined is then checked against it). Kinds: the bad-input corpus of tests/ingest
(encodings, NUL bytes, ragged rows, formulas, huge fields...), and those of issue 17: YAML
bombs and deep nesting in every YAML evalkit reads, XLSX zip bombs, hostile skip logic and
``--where``, control characters, gigantic numbers.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .hostile import write_xlsx

INSTRUMENT = "post_engagement"
HEADER = ["response_id", "engagement_id", "mode", "worth_time", "new_contacts", "travel_from"]
GOOD = ["r{n}", "RIV-2026-001", "in_person", "4", "2", "Durban"]

BOMB_YAML = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{x}: &{x} [{','.join([f'*{p}'] * 9)}]\n" for p, x in zip("abcdefgh", "bcdefghi", strict=True)
)
DEEP_FLOW = "columns: " + "[" * 100_000 + "]" * 100_000 + "\n"
DEEP_BLOCK = "columns:\n" + "".join(" " * (2 + i) + "-\n" for i in range(300))
DEEP_PARENS = "(" * 300 + "mode = 'virtual'" + ")" * 300
LONG_RULE = " or ".join(["mode = 'virtual'"] * 20_000)


@dataclass(frozen=True)
class Case:
    """One hostile input: how to write it, and the command to run on it (``{path}``)."""

    name: str
    write: Callable[[Path], None]
    command: tuple[str, ...] = ("validate", "{path}", "--instrument", INSTRUMENT)
    suffix: str = ".csv"
    rows: int | None = None  # data rows, when the file must be read rather than refused
    env: dict[str, str] = field(default_factory=dict)


def _rows(n: int, cells: Callable[[int], list[str]] | None = None) -> list[list[str]]:
    return [cells(i) if cells else [c.format(n=i) for c in GOOD] for i in range(n)]


def _csv(rows: list[list[str]], header: list[str] = HEADER, sep: str = ",") -> str:
    def quote(value: str) -> str:
        return (
            '"' + value.replace('"', '""') + '"'
            if any(c in value for c in f'"{sep}\n\r')
            else value
        )

    return "\n".join(sep.join(quote(v) for v in row) for row in [header, *rows]) + "\n"


def text(content: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content.encode(encoding))


def raw(content: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content)


def with_cell(column: str, values: list[str]) -> Callable[[Path], None]:
    """A valid file whose ``column`` holds ``values``, one row each."""
    index = HEADER.index(column)

    def cells(i: int) -> list[str]:
        row = [c.format(n=i) for c in GOOD]
        row[index] = values[i]
        return row

    return text(_csv(_rows(len(values), cells)))


def _instrument(body: str) -> Callable[[Path], None]:
    return text(body)


MINIMAL = """\
id: mini
version: 1.0.0
title: {en: Mini}
languages: [en]
choice_lists:
  mode:
    - {value: in_person, label: {en: In person}}
    - {value: virtual, label: {en: Virtual}}
items:
  - {id: mode, type: select_one, choices: mode, role: group, text: {en: How?}}
  - {id: note, type: text, pii: false, relevant: RULE, text: {en: TEXT}}
"""


def _mini(rule: str = "mode = 'virtual'", item_text: str = "Why?") -> str:
    return MINIMAL.replace("RULE", f'"{rule}"').replace("TEXT", f'"{item_text}"')


def _zip_with(members: dict[str, bytes]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                archive.writestr(name, data)

    return write


def _truncated_xlsx(path: Path) -> None:
    write_xlsx(path, HEADER, _rows(50))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _formula_xlsx(path: Path) -> None:
    write_xlsx(path, HEADER, _rows(3))
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace(
        "</sheetData>",
        '<row r="5"><c r="A5"><f>HYPERLINK("http://x")</f></c>'
        "<c r=\"B5\"><f>CMD|' /C calc'!A0</f><v>1</v></c></row></sheetData>",
    )
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    _zip_with(members)(path)


def _garbage(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


BIG = "9" * 26
CASES: list[Case] = [
    # files that cannot be read
    Case("empty_file", raw(b"")),
    Case("whitespace_only", text(" \n\t\n  \n")),
    Case("bom_only", raw(b"\xef\xbb\xbf")),
    Case("header_only", text(",".join(HEADER) + "\n")),
    Case("binary_garbage", raw(_garbage(1, 200_000))),
    Case("binary_with_csv_suffix_png", raw(b"\x89PNG\r\n\x1a\n" + _garbage(2, 5000))),
    Case("nul_bytes", text(_csv(_rows(3)).replace("Durban", "Dur\x00ban"))),
    Case("utf16_no_bom", text(_csv(_rows(5)), "utf-16-le")),
    Case("utf16_with_bom", text(_csv(_rows(5)), "utf-16"), rows=5),
    Case("invalid_utf8", raw(_csv(_rows(4)).encode().replace(b"Durban", b"Dur\xff\xfeban"))),
    Case(
        "mixed_encodings",
        raw(_csv(_rows(2)).encode() + "r9,RIV,in_person,4,2,Zürich\n".encode("latin-1")),
    ),
    Case("unclosed_quote", text(_csv(_rows(3)) + 'r9,RIV,"in_person,4,2,Durban\n')),
    Case("json_not_csv", text('{"response_id": "r1", "mode": "in_person"}\n')),
    Case("only_delimiters", text(",,,,,\n" * 1000)),
    Case("one_column", text("just one column\n" + "value\n" * 10)),
    Case("wrong_delimiter_pipe", text(_csv(_rows(5), sep="|"))),
    Case("directory_instead_of_file", lambda p: p.mkdir()),
    Case("duplicate_headers", text(_csv(_rows(3), header=[*HEADER[:-1], "mode"]))),
    Case(
        "duplicate_response_id_column",
        text(_csv([[*r, r[0]] for r in _rows(3)], [*HEADER, "response_id"])),
    ),
    Case("no_item_matches", text(_csv(_rows(3), header=[f"q{i}" for i in range(6)]))),
    # files read in full: every row valid or quarantined
    Case("huge_field_5mb", with_cell("travel_from", ["x" * 5_000_000, "Durban"]), rows=2),
    Case("long_header_100k", text(_csv(_rows(2), header=[*HEADER, "h" * 100_000])), rows=2),
    Case(
        "five_thousand_columns",
        text(
            _csv([[*r, *[""] * 5000] for r in _rows(3)], [*HEADER, *[f"x{i}" for i in range(5000)]])
        ),
        rows=3,
    ),
    Case(
        "ragged_long_rows",
        text(_csv(_rows(4)) + "r8,RIV,in_person,4,2,Durban,extra,extra\n"),
        rows=5,
    ),
    Case("ragged_short_rows", text(_csv(_rows(4)) + "r8,RIV\n"), rows=5),
    Case(
        "formula_cells",
        with_cell("travel_from", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1"]),
        rows=5,
    ),
    Case(
        "osc_escape_in_answers",
        with_cell(
            "travel_from",
            ["\x1b]52;c;ZWNobyBoaQ==\x07", "\x1b]8;;http://x\x1b\\a\x1b]8;;\x1b\\", "\x9b2J"],
        ),
        rows=3,
    ),
    Case(
        "control_chars_everywhere",
        with_cell("mode", ["in_\x01person", "virtual\r", "\x7f"]),
        rows=3,
    ),
    Case("bidi_override", with_cell("travel_from", ["\u202eevil\u202c", "\u2066x\u2069"]), rows=2),
    Case(
        "html_script_in_text",
        with_cell("travel_from", ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>"]),
        rows=2,
    ),
    Case(
        "gigantic_numbers",
        with_cell(
            "new_contacts", ["1e308", "1e309", BIG, "-" + BIG, "-9223372036854775809", "0x1F"]
        ),
        rows=6,
    ),
    Case(
        "nan_inf_numbers", with_cell("worth_time", ["nan", "inf", "-inf", "NaN", "1e-400"]), rows=5
    ),
    Case("likert_out_of_range", with_cell("worth_time", ["99", "-1", "4.5", "four"]), rows=4),
    Case("unknown_choice", with_cell("mode", ["teleport", "IN_PERSON", " in_person "]), rows=3),
    Case("duplicate_ids", text(_csv([["r1", *GOOD[1:]]] * 5)), rows=5),
    Case("missing_ids", with_cell("response_id", ["", "", "r3"]), rows=3),
    Case(
        "unknown_column",
        text(_csv([[*r, "x"] for r in _rows(3)], [*HEADER, "not_an_item"])),
        rows=3,
    ),
    Case("crlf_and_lone_cr", text(_csv(_rows(4)).replace("\n", "\r")), rows=4),
    Case("blank_lines_100k", text(_csv(_rows(3)) + "\n" * 100_000), rows=3),
    Case("quote_storm", with_cell("travel_from", ['"' * 10_001, '""""']), rows=2),
    Case("ten_thousand_rows", text(_csv(_rows(10_000))), rows=10_000),
    # XLSX
    Case(
        "xlsx_zip_bomb_300mb", lambda p: write_xlsx(p, HEADER, _rows(2), pad_mb=300), suffix=".xlsx"
    ),
    Case(
        "xlsx_over_row_limit",
        lambda p: write_xlsx(p, HEADER, _rows(60)),
        suffix=".xlsx",
        env={"EVALKIT_MAX_XLSX_ROWS": "50"},
    ),
    Case("xlsx_truncated", _truncated_xlsx, suffix=".xlsx"),
    Case("xlsx_text_file", text(_csv(_rows(3))), suffix=".xlsx"),
    Case("xlsx_zip_without_workbook", _zip_with({"hello.txt": b"hi"}), suffix=".xlsx"),
    Case(
        "xlsx_path_traversal_member",
        _zip_with({"../../evil.xml": b"<x/>", "/etc/passwd": b"x"}),
        suffix=".xlsx",
    ),
    Case("xlsx_formula_cells", _formula_xlsx, suffix=".xlsx", rows=4),
    Case("xlsx_header_only", lambda p: write_xlsx(p, HEADER, []), suffix=".xlsx"),
    Case("xlsx_valid_small", lambda p: write_xlsx(p, HEADER, _rows(20)), suffix=".xlsx", rows=20),
    # --map files
    *[
        Case(
            f"map_{name}",
            text(body),
            (
                "validate",
                "sample_data/2026/post_engagement.kobo.csv",
                "--instrument",
                INSTRUMENT,
                "--map",
                "{path}",
            ),
            suffix=".yaml",
        )
        for name, body in {
            "billion_laughs": BOMB_YAML,
            "deep_flow_list": DEEP_FLOW,
            "deep_block_list": DEEP_BLOCK,
            "python_tag": "columns: !!python/object/apply:os.system ['echo pwned']\n",
            "three_mb": "columns:\n" + "".join(f"  h{i}: ignore\n" for i in range(200_000)),
            "not_a_mapping": "- a\n- b\n",
            "binary": "\x00\x01\x02",
            "unknown_items": "columns: {about/mode: no_such_item}\n",
        }.items()
    ],
    # instruments (instrument check)
    *[
        Case(f"instrument_{name}", text(body), ("instrument", "check", "{path}"), suffix=".yaml")
        for name, body in {
            "billion_laughs": BOMB_YAML,
            "deep_flow": "id: x\nitems: " + "[" * 100_000 + "]" * 100_000 + "\n",
            "deep_block": "id: x\nitems:\n" + "".join(" " * (2 + i) + "-\n" for i in range(300)),
            "python_tag": "id: !!python/object/apply:os.system ['echo pwned']\n",
            "relevant_300_parens": _mini(DEEP_PARENS),
            "relevant_20000_terms": _mini(LONG_RULE),
            "three_mb": "id: x\nnotes: '" + "x" * 3_000_000 + "'\n",
            "two_hundred_thousand_nodes": "id: x\nitems: [" + ",".join(["1"] * 200_000) + "]\n",
            "duplicate_keys": "id: a\nid: b\n",
            "control_chars_in_text": _mini(item_text="Why\\e]52;c;eA==\\a?"),
            "binary": "\x00PK\x03\x04",
        }.items()
    ],
    Case(
        "instrument_latin1",
        text(_mini(item_text="Café?"), "latin-1"),
        ("instrument", "check", "{path}"),
        suffix=".yaml",
    ),
    Case(
        "instrument_show_osc",
        text(_mini(item_text="Why\\e]52;c;eA==\\a?")),
        ("instrument", "show", "{path}"),
        suffix=".yaml",
    ),
    # analyze
    Case(
        "analyze_where_300_parens",
        text(_csv(_rows(20))),
        ("analyze", "{path}", "--instrument", INSTRUMENT, "--where", DEEP_PARENS),
    ),
    Case(
        "analyze_where_20000_terms",
        text(_csv(_rows(20))),
        ("analyze", "{path}", "--instrument", INSTRUMENT, "--where", LONG_RULE),
    ),
    Case(
        "analyze_where_python",
        text(_csv(_rows(20))),
        (
            "analyze",
            "{path}",
            "--instrument",
            INSTRUMENT,
            "--where",
            "__import__('os').system('echo')",
        ),
    ),
    Case(
        "analyze_margins_bomb",
        text(BOMB_YAML),
        (
            "analyze",
            "sample_data/2026/post_engagement.kobo.csv",
            "--instrument",
            INSTRUMENT,
            "--margins",
            "{path}",
        ),
        suffix=".yaml",
    ),
    Case(
        "analyze_gigantic_numbers",
        with_cell("new_contacts", ["1e308", BIG, "3", "4", "5"]),
        ("analyze", "{path}", "--instrument", INSTRUMENT),
    ),
    Case(
        "analyze_binary",
        raw(_garbage(3, 10_000)),
        ("analyze", "{path}", "--instrument", INSTRUMENT),
    ),
]
_BY_NAME = {case.name: case for case in CASES}
for _name in (
    "gigantic_numbers",
    "formula_cells",
    "ragged_long_rows",
    "osc_escape_in_answers",
    "duplicate_ids",
    "binary_garbage",
    "xlsx_zip_bomb_300mb",
    "nul_bytes",
):
    _source = _BY_NAME[_name]
    CASES.append(
        Case(
            f"ingest_{_name}",
            _source.write,
            (
                "ingest",
                "{path}",
                "--instrument",
                INSTRUMENT,
                "--workspace",
                "{workspace}",
                "--period",
                "2026",
            ),
            _source.suffix,
            _source.rows,
        )
    )
