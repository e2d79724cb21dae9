# ruff: noqa: E501  (fixture rows are kept on one line each, as they appear in the files)
"""Regenerate the bad-input corpus: ``python tests/ingest/bad_inputs/make_corpus.py``.

The files are committed; this script documents how each was made (byte-exact where it
matters: encodings, BOMs, NUL bytes, truncation). Expected outcomes are in expected.yaml.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
H = "response_id,engagement_id,mode,worth_time,tech_worked,new_contacts,next_step,next_step_types,recommend,travel_from,most_valuable"
OK = "ok1,E1,virtual,5,4,3,yes,meeting visit,9,,Great"


def csv(*rows: str, head: str = H) -> bytes:
    return ("\r\n".join([head, *rows]) + "\r\n").encode("utf-8")


FILES: dict[str, bytes] = {
    "empty.csv": b"",
    "whitespace_only.csv": b"  \r\n\r\n \t\r\n",
    "header_only.csv": csv(),
    "binary.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)),
    "truncated_quote.csv": csv(OK, 'r2,E1,virtual,4,3,2,no,,8,,"This answer never ends'),
    "ragged_row.csv": csv(OK, "r2,E1,virtual,4,3,2,no,,8,,fine,extra,cells"),
    "wrong_delimiter.csv": csv(OK.replace(",", "|"), head=H.replace(",", "|")),
    "mixed_encodings.csv": csv(OK, "r2,E1,virtual,4,3,2,no,,8,,Caf\u00e9 ok")
    + "r3,E1,virtual,4,3,2,no,,8,,Caf\u00e9 bad\r\n".encode("cp1252"),
    "duplicate_headers.csv": csv(OK + ",5", head=H + ",worth_time"),
    "duplicate_item_columns.csv": csv(
        "r1,virtual,in_person,E1,5",
        head="response_id,mode,How did you take part in this engagement?,engagement_id,worth_time",
    ),
    "duplicate_ids.csv": csv(OK, OK.replace("Great", "Second copy"), "ok2,E1,virtual,4,,,,,,,"),
    "likert_out_of_range.csv": csv(
        OK, "r2,E1,virtual,7,4,3,no,,8,,", "r3,E1,virtual,0,4,3,no,,8,,"
    ),
    "labels_spanish.csv": csv(
        "r1,E1,Virtual,Muy de acuerdo,De acuerdo,3,Sí,Una visita,9,,",
        "r2,E1,En persona,No aplica,,1,No,,7,Lyon,",
    ),
    "labels_french.csv": csv(OK, "r2,E1,En ligne,Tout à fait d'accord,,1,non,,7,,"),
    "unknown_choices.csv": csv(
        OK, "r2,E1,carrier pigeon,5,,1,no,,7,,", "r3,E1,virtual,5,4,1,perhaps,,7,,"
    ),
    "multi_unknown_option.csv": csv(OK, "r2,E1,virtual,5,4,1,yes,meeting teleport,7,,"),
    "dates_three_formats.csv": (
        b"response_id,engagement_id,activity_type,activity_date,activity_title,network,sector,mode\r\n"
        b"a1,E1,webinar,2026-03-04,Ports,c40,trade_investment,virtual\r\n"
        b"a2,E2,webinar,03/04/2026,Ports,c40,trade_investment,virtual\r\n"
        b"a3,E3,webinar,4 March 2026,Ports,c40,trade_investment,virtual\r\n"
    ),
    "huge_field.csv": csv(OK, "r2,E1,virtual,5,4,3,no,,9,," + ("long answer " * 200_000).strip()),
    "other_instrument.csv": (
        b"response_id,engagement_id,wave,contacts_since,actions,outcome_statement,counterfactual,attribution_pct,confidence_pct\r\n"
        b"f1,E1,followup_90d,3,meeting,We signed,later_smaller,40,70\r\n"
    ),
    "formula_strings.csv": csv(
        OK,
        'r2,E1,in_person,5,,1,no,,7,=HYPERLINK("http://x"),@SUM(A1)',
        "r3,E1,in_person,9,,1,no,,7,+cmd|' /C calc'!A0,-2+3",
    ),
    "html_in_text.csv": csv(
        "r1,E1,in_person,5,,1,no,,7,<script>alert('x')</script>,<b>bold</b> &amp;"
    ),
    "missing_required.csv": csv(OK, "r2,,virtual,,4,3,no,,9,,", "r3,E1,,5,,3,no,,9,,"),
    "skip_logic_violation.csv": csv(
        OK, "r2,E1,in_person,5,4,3,no,,9,Lyon,", "r3,E1,virtual,5,4,3,no,visit,9,,"
    ),
    "non_numeric_count.csv": csv(OK, "r2,E1,virtual,5,4,three,no,,9,,"),
    "decimal_count.csv": csv(OK, "r2,E1,virtual,5,4,2.5,no,,9,,"),
    "nps_out_of_range.csv": csv(
        OK, "r2,E1,virtual,5,4,2,no,,11,,", "r3,E1,virtual,5,4,501,no,,-1,,"
    ),
    "missing_ids.csv": csv(OK, ",E1,virtual,5,4,2,no,,9,,"),
    "future_timestamp.csv": (
        b"response_id,submitted_at,engagement_id,mode,worth_time\r\n"
        b"r1,2026-03-01T10:00:00Z,E1,virtual,5\r\nr2,2099-01-01T00:00:00Z,E1,virtual,5\r\n"
    ),
    "bad_timestamp_kobo.csv": (
        b'"engagement_id";"mode";"worth_time";"_uuid";"_submission_time"\r\n'
        b'"E1";"virtual";"5";"u1";"yesterday"\r\n'
    ),
    "repeat_child.csv": (
        b"travel_from,new_contacts,PARENT_KEY,KEY\r\n"
        b"Lyon,2,uuid:a1,uuid:a1/visits[1]\r\nNice,1,uuid:a1,uuid:a1/visits[2]\r\n"
    ),
    "broken.xlsx": b"PK\x03\x04" + b"\x00" * 40 + b"not really a workbook",
    "utf16_tab.txt": (
        "response_id\tengagement_id\tmode\tworth_time\tmost_valuable\r\n"
        "r1\tE1\tvirtual\t5\tÉxito\r\n"
    ).encode("utf-16"),
    "cp1252_semicolon.csv": (
        "response_id;engagement_id;mode;worth_time;travel_from\r\n"
        "r1;E1;En persona;5;Málaga – Centro\r\n"
    ).encode("cp1252"),
    "bom_utf8.csv": b"\xef\xbb\xbf" + csv("r1,E1,virtual,5,4,3,no,,9,,Ça va"),
    "blank_lines.csv": csv(OK, "", "r2,E1,virtual,4,,,,,,,", ""),
    "kobo_unanswered_multi.csv": (
        b'"engagement_id";"mode";"worth_time";"next_step";"next_step_types";"next_step_types/meeting";'
        b'"next_step_types/visit";"_uuid";"_submission_time"\r\n'
        b'"E1";"virtual";"5";"yes";"meeting";"1";"0";"u1";"2026-03-01T10:00:00"\r\n'
        b'"E1";"virtual";"4";"no";"";"";"";"u2";"2026-03-01T11:00:00"\r\n'
        b'"E1";"virtual";"4";"no";"";"0";"1";"u3";"2026-03-01T12:00:00"\r\n'
    ),
    "qualtrics_minus99.csv": (
        b"ResponseId,RecordedDate,engagement_id,mode,worth_time,achieved_goals\r\n"
        b"Response ID,Recorded Date,Engagement code,How did you take part?,Worth,Achieved\r\n"
        b'"{""ImportId"":""_recordId""}","{""ImportId"":""recordedDate"",""timeZone"":""America/New_York""}",'
        b'"{""ImportId"":""QID1_TEXT""}","{""ImportId"":""QID2""}","{""ImportId"":""QID3""}","{""ImportId"":""QID4""}"\r\n'
        b"R_1,2026-03-01 10:00:00,E1,2,5,-99\r\n"
        b"R_2,2026-03-01 11:00:00,E1,1,-99,4\r\n"
    ),
}


def main() -> None:
    for name, data in FILES.items():
        (HERE / name).write_bytes(data)
    with zipfile.ZipFile(HERE / "wrong_sheet_layout.xlsx", "w") as archive:
        archive.writestr("hello.txt", "a zip file, but not a workbook")


if __name__ == "__main__":
    main()
