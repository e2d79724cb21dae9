"""The KPI catalogue: the library's is valid and complete; bad catalogues are explained."""

from __future__ import annotations

import pytest

from evalkit.cli.main import cli
from evalkit.errors import InstrumentError
from evalkit.kpi.catalogue import Side, check_definition_file, load_catalogue

REQUIRED_CODES = {"K1", "K2", "K3", "K4", "K5", "K6", "K7", "K9", "K13", "K14", "K15"}


def test_library_catalogue_is_valid_and_covers_the_required_kpis():
    catalogue = load_catalogue()
    codes = {k.code for k in catalogue.kpis}
    assert codes >= REQUIRED_CODES
    assert len(catalogue.kpis) >= 12
    for kpi in catalogue.kpis:
        assert kpi.concern and kpi.direction in {"higher", "lower", "toward_target"}
        assert kpi.sources, kpi.id


def test_kpi_definitions_are_parsed_into_data():
    catalogue = load_catalogue()
    k1 = catalogue.kpi("connector_contribution_rate")
    assert k1.kind == "proportion" and k1.source == "connector_attribution"
    assert [(c.item, c.op, c.operand) for c in k1.numerator] == [
        ("connection_origin", "in", ("introduced_by_office", "office_network")),
        ("counterfactual", "in", ("not_at_all", "later_smaller")),
    ]
    retention = catalogue.kpi("connection_retention")
    assert isinstance(retention.numerator, Side)
    assert retention.sources == ("follow_up", "post_engagement")
    assert retention.link == "participant_code"


BASE = """\
version: 1.0.0
kpis:
  - id: share_virtual_yes
    code: K99
    title: A test KPI
    concern: testing
    kind: proportion
    source: post_engagement
    filter:
      - {item: mode, in: [virtual]}
    numerator:
      - {item: next_step, in: ["yes"]}
    direction: higher
"""


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "source: post_engagement",
            "source: nonexistent",
            "unknown source instrument 'nonexistent'",
        ),
        (
            "{item: mode, in: [virtual]}",
            "{item: moda, in: [virtual]}",
            "post_engagement has no item or scale 'moda'",
        ),
        (
            "{item: mode, in: [virtual]}",
            "{item: mode, in: [online]}",
            "'online' is not a choice of post_engagement.mode",
        ),
        (
            "{item: mode, in: [virtual]}",
            "{item: mode, selected_any: [virtual]}",
            "selected_any applies to select_multiple items",
        ),
        (
            "{item: mode, in: [virtual]}",
            "{item: participant_code, answered: true}",
            "is personal data (pii)",
        ),
        (
            '    numerator:\n      - {item: next_step, in: ["yes"]}\n',
            "",
            "a proportion KPI needs 'numerator'",
        ),
        ("{item: mode, in: [virtual]}", "{item: mode, like: virtual}", "unknown key 'like'"),
        ("kind: proportion", "kind: magic", "'magic' is not allowed"),
        ("code: K99", "code: KPI-9", "'KPI-9' has the wrong form"),
    ],
)
def test_bad_catalogues_name_line_and_fix(write_yaml, old, new, expected):
    assert old in BASE
    path = write_yaml(BASE.replace(old, new), "kpis.yaml")
    problems = [str(p) for p in check_definition_file(path)]
    assert any(expected in p for p in problems), problems
    assert all(p.startswith(f"{path}:") for p in problems)


def test_duplicate_kpi_ids(write_yaml):
    body = BASE.split("kpis:\n", 1)[1]
    path = write_yaml(BASE + body, "kpis.yaml")
    problems = [str(p) for p in check_definition_file(path)]
    assert any("duplicate KPI id 'share_virtual_yes'" in p for p in problems)


def test_office_file_overrides_targets_and_adds_kpis(write_yaml):
    office = (
        "version: 1.0.0\nextends: library\nkpis:\n"
        "  - {id: connector_contribution_rate, target: 0.55}\n" + BASE.split("kpis:\n", 1)[1]
    )
    catalogue = load_catalogue(write_yaml(office, "office_kpis.yaml"))
    assert catalogue.kpi("connector_contribution_rate").target == 0.55
    assert catalogue.kpi("connector_contribution_rate").kind == "proportion"
    assert catalogue.kpi("share_virtual_yes").code == "K99"
    assert len(catalogue.kpis) == len(load_catalogue().kpis) + 1


def test_loading_a_bad_catalogue_raises_one_line(write_yaml):
    path = write_yaml(BASE.replace("source: post_engagement", "source: nope"), "kpis.yaml")
    with pytest.raises(InstrumentError, match="unknown source instrument 'nope'"):
        load_catalogue(path)


def test_instrument_check_recognises_catalogues(runner, write_yaml):
    good = runner.invoke(cli, ["instrument", "check", "instruments/kpis.yaml"])
    assert good.exit_code == 0, good.output
    bad = write_yaml(BASE.replace("in: [virtual]", "in: [online]"), "kpis.yaml")
    result = runner.invoke(cli, ["instrument", "check", str(bad)])
    assert result.exit_code == 1
    assert "'online' is not a choice of post_engagement.mode" in result.output


def test_surprising_yaml_numbers_are_refused(write_yaml):
    path = write_yaml(BASE.replace('in: ["yes"]', "in: [15_17]"), "kpis.yaml")
    (problem,) = check_definition_file(path)
    assert "YAML reads the unquoted value '15_17' as a number; quote it ('15_17')" in str(problem)
