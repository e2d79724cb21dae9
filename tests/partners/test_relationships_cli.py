"""``evalkit relationships`` on the small two-year workspace."""

from __future__ import annotations

import json

from evalkit.cli.main import cli
from evalkit.partners import load_register
from evalkit.partners.portfolio import portfolio_from_workspace

REGISTER = """\
partners:
  - id: medellin
    name: City of Medellín
    aliases: [Alcaldía de Medellín]
    type: city_government
    country: Colombia
  - id: rotterdam_port
    name: Port of Rotterdam Authority
    aliases: [Port of Rotterdam]
    type: other
    country: Netherlands
  - id: lyon
    name: City of Lyon
    type: city_government
    country: France
    ended: 2026
  - id: busan
    name: City of Busan
    type: city_government
    country: South Korea
    legacy: {tie: sister_city, since: 1990}
"""


def test_statuses_from_the_workspace(partner_workspace, write_yaml):
    register = load_register(write_yaml(REGISTER, "partners.yaml"))
    result = portfolio_from_workspace(partner_workspace, "2026", register)
    status = {p.partner: p.status for p in result.partners}
    # activity register: Medellín 2025-03 and (as 'Alcaldia de Medellin') 2026-02; Rotterdam
    # under two names in 2026; Lyon declared ended; Busan 2025-06 only
    assert status == {
        "medellin": "sustained",
        "rotterdam_port": "new",
        "lyon": "ended",
        "busan": "dormant",
    }
    rotterdam = next(p for p in result.partners if p.partner == "rotterdam_port")
    assert rotterdam.in_period == 2 and rotterdam.modes_in_period == {"virtual": 1, "hybrid": 1}
    # engaged in 2025: medellin, lyon, busan; kept up in 2026: medellin
    assert result.kpis["retention"] == {"value": 1 / 3, "numerator": 1, "denominator": 3}
    assert result.unregistered == []


def test_cli_table_and_json(runner, partner_workspace, write_yaml, tmp_path):
    path = write_yaml(REGISTER, "partners.yaml")
    out = tmp_path / "rel.json"
    args = [
        "relationships",
        "--workspace",
        str(partner_workspace),
        "--period",
        "2026",
        "--register",
        str(path),
        "--json",
        str(out),
    ]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["partner", "status", "first"]
    assert any(line.startswith("City of Medellín ") and " sustained " in line for line in lines)
    assert "4 partners: new 1, active 0, sustained 1, dormant 1, revived 0, ended 1" in (
        result.output
    )
    assert "retention 33% (1 of 3)" in result.output
    data = json.loads(out.read_text("utf-8"))
    assert data["counts"]["ended"] == 1 and data["dormant_months"] == 12
    assert {p["name"] for p in data["partners"]} >= {"City of Medellín", "City of Lyon"}


def test_cli_dormant_months_and_unregistered_names(runner, partner_workspace):
    args = [
        "relationships",
        "--workspace",
        str(partner_workspace),
        "--period",
        "2026",
        "--dormant-months",
        "24",
        "--json",
        "-",
    ]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    by_name = {p["name"]: p for p in data["partners"]}
    assert by_name["City of Busan"]["status"] == "active"  # 18 months quiet < 24
    assert by_name["City of Busan"]["registered"] is False


def test_cli_bad_period_is_one_line(runner, partner_workspace):
    args = ["relationships", "--workspace", str(partner_workspace), "--period", "FY26"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "'FY26'" in result.output
