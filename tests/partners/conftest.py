"""A small workspace whose partners are named differently across years and instruments."""

from __future__ import annotations

import pytest

from evalkit.instrument import load_instrument
from evalkit.store import ingest_file

PARTNER_CHECK = {
    "2025": [
        ("City of Medellín", "foreign_city", "mixed"),
        ("Consulate of Mexico in Riverton", "consulate", "mostly_in_person"),
        ("City of Lyon", "foreign_city", "mostly_virtual"),
    ],
    "2026": [
        ("Medellin", "foreign_city", "mostly_virtual"),
        ("Consulate of Chile in Riverton", "consulate", "mostly_in_person"),
        ("City of Lyons", "foreign_city", "mixed"),
    ],
}
ACTIVITIES = {
    "2025": [
        ("2025-03-02", "Alcaldía de Medellín; City of Lyon", "in_person"),
        ("2025-06-10", "City of Busan", "virtual"),
    ],
    "2026": [
        ("2026-02-05", "Alcaldia de Medellin;Port of Rotterdam", "virtual"),
        ("2026-04-01", "Port of Rotterdam Authority", "hybrid"),
    ],
}


def _write_partner_check(folder, period):
    lines = ["response_id,submitted_at,partner_name,partner_type,mode"]
    for i, (name, kind, mode) in enumerate(PARTNER_CHECK[period]):
        lines.append(f'pr{period}-{i},{period}-05-0{i + 1}T10:00:00Z,"{name}",{kind},{mode}')
    path = folder / f"pr_{period}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _write_activities(folder, period):
    lines = [
        "response_id,submitted_at,engagement_id,activity_type,activity_date,activity_title,"
        "partners,network,sector,mode"
    ]
    for i, (day, names, mode) in enumerate(ACTIVITIES[period]):
        lines.append(
            f"ar{period}-{i},{day}T12:00:00Z,E{period}-{i},conference,{day},Forum {i},"
            f'"{names}",none,protocol,{mode}'
        )
    path = folder / f"ar_{period}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def partner_workspace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("partners_ws")
    workspace = folder / "ws.duckdb"
    for period in ("2025", "2026"):
        for write, instrument in (
            (_write_partner_check, "partner_relationship"),
            (_write_activities, "activity_register"),
        ):
            summary = ingest_file(
                write(folder, period),
                load_instrument(instrument),
                workspace=workspace,
                period=period,
            )
            assert summary.rows_quarantined == 0
    return workspace
