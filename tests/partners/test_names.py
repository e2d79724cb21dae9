"""Partner names in the workspace: check against the register, suggest merges."""

from __future__ import annotations

import pytest

from evalkit.cli.main import cli
from evalkit.partners import load_register
from evalkit.partners.names import (
    merge_snippet,
    similarity,
    split_names,
    suggest_merges,
    unknown_names,
    workspace_names,
)

REGISTER = """\
partners:
  - id: medellin_co
    name: City of Medellín
    aliases: [Alcaldía de Medellín]
    type: city_government
    country: Colombia
    legacy: {tie: sister_city, since: 1998}
  - id: mexico_consulate
    name: Consulate of Mexico in Riverton
    type: consulate
    country: Mexico
"""


def test_names_come_from_the_partner_check_and_the_activity_register(partner_workspace):
    seen = {s.name: s for s in workspace_names(partner_workspace)}
    assert set(seen) == {
        "City of Medellín",
        "Consulate of Mexico in Riverton",
        "City of Lyon",
        "Medellin",
        "Consulate of Chile in Riverton",
        "City of Lyons",
        "Alcaldía de Medellín",
        "City of Busan",
        "Alcaldia de Medellin",
        "Port of Rotterdam",
        "Port of Rotterdam Authority",
    }
    lyon = seen["City of Lyon"]
    assert lyon.count == 2
    assert lyon.sources == ("activity_register.partners", "partner_relationship.partner_name")
    assert seen["Medellin"].periods == ("2026",)
    assert {s.name for s in workspace_names(partner_workspace, "2026")} >= {"Medellin"}
    assert "City of Busan" not in {s.name for s in workspace_names(partner_workspace, "2026")}


def test_unknown_names_skip_every_alias_accent_and_case(partner_workspace, write_yaml):
    register = load_register(write_yaml(REGISTER, "partners.yaml"))
    missing = {s.name for s in unknown_names(workspace_names(partner_workspace), register)}
    assert missing == {
        "City of Lyon",
        "Medellin",
        "Consulate of Chile in Riverton",
        "City of Lyons",
        "City of Busan",
        "Port of Rotterdam",
        "Port of Rotterdam Authority",
    }


@pytest.mark.parametrize(
    ("a", "b", "alike"),
    [
        ("City of Medellín", "Medellin", True),
        ("City of Medellín", "Alcaldía de Medellin", True),
        ("City of Lyon", "City of Lyons", True),
        ("City of Tampere", "City of Tamepre", True),
        ("Port of Rotterdam", "Port of Rotterdam Authority", True),
        ("City of Busan", "City of Lyon", False),
        ("City of Porto", "City of Oslo", False),
        ("Consulate of Mexico in Riverton", "Consulate of Chile in Riverton", False),
        ("Mexico City", "Consulate of Mexico", False),
    ],
)
def test_similarity(a, b, alike):
    assert (similarity(a, b) >= 85) is alike, similarity(a, b)


def test_split_names():
    assert split_names("A; B ;;  C  d", ";") == ["A", "B", "C d"]
    assert split_names(None, ";") == []
    assert split_names("A; B", None) == ["A; B"]


def test_suggest_without_a_register_groups_look_alikes(partner_workspace):
    groups = suggest_merges(workspace_names(partner_workspace))
    as_sets = sorted(sorted(g.names) for g in groups)
    assert as_sets == [
        ["Alcaldia de Medellin", "Alcaldía de Medellín", "City of Medellín", "Medellin"],
        ["City of Lyon", "City of Lyons"],
        ["Port of Rotterdam", "Port of Rotterdam Authority"],
    ]
    assert all(g.partner_id is None for g in groups)


def test_suggest_with_a_register_proposes_aliases_of_the_registered_partner(
    partner_workspace, write_yaml
):
    register = load_register(write_yaml(REGISTER, "partners.yaml"))
    groups = suggest_merges(workspace_names(partner_workspace), register)
    medellin = next(g for g in groups if g.partner_id == "medellin_co")
    assert medellin.names == ["Medellin"]  # the others resolve already
    assert not any("Chile" in n for g in groups for n in g.names)


def test_the_snippet_is_a_valid_register(partner_workspace, write_yaml):
    register = load_register(write_yaml(REGISTER, "partners.yaml"))
    groups = suggest_merges(workspace_names(partner_workspace), register)
    snippet = merge_snippet(groups, register)
    assert "# replaces the entry of 'medellin_co' (line 2)" in snippet
    pasted = load_register(write_yaml(snippet, "snippet.yaml"))
    medellin = pasted.get("medellin_co")
    assert medellin.aliases == ("Alcaldía de Medellín", "Medellin")
    assert medellin.legacy.since == 1998 and medellin.country == "Colombia"
    lyon = pasted.get(pasted.resolve("City of Lyons"))
    assert lyon.type == "other" and pasted.resolve("City of Lyon") == lyon.id


def test_cli_check_lists_unknown_names_and_exits_1(runner, partner_workspace, write_yaml):
    path = write_yaml(REGISTER, "partners.yaml")
    args = ["partners", "check", "--workspace", str(partner_workspace), "--register", str(path)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("11 partner names in ")
    assert "4 in the register, 7 not" in result.output
    assert "  City of Lyon  (2x; activity_register.partners, partner_relationship" in (
        result.output
    )
    assert "Alcaldía de Medellín" not in result.output


def test_cli_check_passes_when_every_name_is_known(runner, partner_workspace, tmp_path):
    from evalkit.partners.names import merge_snippet, suggest_merges

    names = workspace_names(partner_workspace)
    full = merge_snippet(suggest_merges(names, threshold=0))  # everything in one group
    path = tmp_path / "all.yaml"
    path.write_text(full, encoding="utf-8")
    args = ["partners", "check", "--workspace", str(partner_workspace), "--register", str(path)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "11 in the register, 0 not" in result.output


def test_cli_suggest_prints_yaml(runner, partner_workspace):
    result = runner.invoke(cli, ["partners", "suggest", "--workspace", str(partner_workspace)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# proposed by 'evalkit partners suggest'")
    assert "  - id: medellin\n    name: Alcaldía de Medellín\n" in result.output


def test_cli_bad_register_is_one_line(runner, partner_workspace, write_yaml):
    path = write_yaml("partners:\n  - id: a\n    name: x\n    type: town\n", "partners.yaml")
    args = ["partners", "check", "--workspace", str(partner_workspace), "--register", str(path)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert f"{path}:4: partners[0].type:" in result.output
    assert "Traceback" not in result.output


def test_cli_check_without_a_register_says_how_to_start(
    runner, partner_workspace, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["partners", "check", "--workspace", str(partner_workspace)])
    assert result.exit_code == 2
    assert "partners.yaml is not in this folder" in result.output
