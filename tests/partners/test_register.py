"""The partner register: reading partners.yaml, resolving names, one-line errors."""

from __future__ import annotations

import pytest

from evalkit.partners import PartnerRegisterError, fold, load_register

GOOD = """\
partners:
  - id: medellin
    name: City of Medellín
    aliases: [Medellin, Alcaldía de Medellín]
    type: city_government
    country: Colombia
    legacy: {tie: sister_city, since: 1998}
  - id: mexico_consulate
    name: Consulate of Mexico in Riverton
    type: consulate
    country: Mexico
  - id: lyon
    name: City of Lyon
    type: city_government
    ended: 2025
"""


def test_reads_every_field(write_yaml):
    register = load_register(write_yaml(GOOD, "partners.yaml"))
    assert [p.id for p in register] == ["medellin", "mexico_consulate", "lyon"]
    medellin = register.get("medellin")
    assert medellin.aliases == ("Medellin", "Alcaldía de Medellín")
    assert (medellin.type, medellin.country) == ("city_government", "Colombia")
    assert (medellin.legacy.tie, medellin.legacy.since) == ("sister_city", 1998)
    assert medellin.line == 2
    assert register.get("lyon").ended == 2025


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("City of Medellín", "medellin"),
        ("city of medellin", "medellin"),
        ("ALCALDIA DE MEDELLIN", "medellin"),
        ("  Alcaldía  de Medellín ", "medellin"),
        ("medellin", "medellin"),  # the id is a name too
        ("Medellín City", None),  # not an alias: an exact match only
        ("Medelin", None),
        ("consulate of méxico in riverton", "mexico_consulate"),
    ],
)
def test_resolve_ignores_accents_case_and_spacing_only(write_yaml, name, expected):
    register = load_register(write_yaml(GOOD, "partners.yaml"))
    assert register.resolve(name) == expected


def test_fold():
    assert fold("Alcaldía de MEDELLÍN") == "alcaldia de medellin"
    assert fold("Łódź") != fold("Lodz")  # Ł is a letter of its own, not L with an accent
    assert fold("São  Paulo") == "sao paulo"


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        ("partners:\n  - id: Medellín\n    name: x\n", 2, "partners[0].id", "lower case"),
        ("partners:\n  - name: x\n", 2, "partners[0]", "no 'id'"),
        ("partners:\n  - id: a\n", 2, "partners[0].name", "'name' is missing"),
        (
            "partners:\n  - id: a\n    name: x\n    type: city\n",
            4,
            "partners[0].type",
            "city_government",
        ),
        (
            "partners:\n  - id: a\n    name: x\n    colour: red\n",
            4,
            "partners[0].colour",
            "unknown key",
        ),
        (
            "partners:\n  - id: a\n    name: x\n    ended: '2025'\n",
            4,
            "partners[0].ended",
            "must be a year",
        ),
        (
            "partners:\n  - id: a\n    name: x\n    legacy: {tie: sister, since: 1990}\n",
            4,
            "partners[0].legacy.tie",
            "sister_city",
        ),
        (
            "partners:\n  - id: a\n    name: x\n    legacy: {tie: sister_city, since: 19}\n",
            4,
            "partners[0].legacy.since",
            "plausible year",
        ),
        (
            "partners:\n  - id: a\n    name: x\n  - id: a\n    name: y\n",
            4,
            "partners[1].id",
            "used twice",
        ),
        (
            "partners:\n  - id: a\n    name: Lyon\n  - id: b\n    name: x\n    aliases: [LYON]\n",
            4,
            "partners[1]",
            "also a name of partner 'a'",
        ),
        ("partner:\n  - id: a\n", 1, None, "'partners:'"),
        (
            "partners:\n  - id: a\n    name: x\n    aliases: Lyon\n",
            4,
            "partners[0].aliases",
            "list of names",
        ),
        (
            "partners:\n  - id: a\n    name: x\n  - id: b\n    name: x\n    aliases: &x [y]\n",
            6,
            None,
            "anchors",
        ),
    ],
)
def test_a_bad_register_is_one_line_with_file_line_key_and_fix(write_yaml, text, line, key, words):
    path = write_yaml(text, "partners.yaml")
    with pytest.raises(PartnerRegisterError) as info:
        load_register(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:{line}:"), message
    assert words in message
    assert "; " in message  # the fix follows
    if key:
        assert f": {key}: " in message, message


def test_a_missing_register_names_the_file(tmp_path):
    with pytest.raises(PartnerRegisterError, match="no such file"):
        load_register(tmp_path / "partners.yaml")
