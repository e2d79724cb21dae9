"""Loading instruments: the library is valid, and every kind of bad file gets one clear line."""

from __future__ import annotations

import dataclasses

import pytest

from evalkit.errors import InstrumentError
from evalkit.instrument import (
    Instrument,
    check_instrument_file,
    library_files,
    load_instrument,
    load_instrument_file,
)
from evalkit.instrument.library import LIBRARY_IDS, library_dir


def test_library_has_the_seven_instruments():
    assert sorted(p.stem for p in library_files()) == sorted(LIBRARY_IDS)


@pytest.mark.parametrize("instrument_id", LIBRARY_IDS)
def test_every_library_instrument_is_valid(instrument_id):
    path = library_dir() / f"{instrument_id}.yaml"
    assert check_instrument_file(path) == []
    inst = load_instrument(instrument_id)
    assert inst.id == instrument_id
    assert inst.version.count(".") == 2
    assert inst.group_item is not None and inst.group_item.id == "mode"
    if inst.kind == "survey":
        assert inst.outcomes, "a survey compares at least one outcome"
    for item in inst.items:
        if item.source:
            assert item.source in {s.id for s in inst.sources}


@pytest.mark.parametrize("instrument_id", ["post_engagement", "community_programme"])
def test_spanish_wording_everywhere(instrument_id):
    inst = load_instrument(instrument_id)
    assert inst.languages == ("en", "es")
    texts = [inst.title] + [i.text for i in inst.items]
    texts += [c.label for cl in inst.choice_lists for c in cl]
    assert all(set(t.languages) == {"en", "es"} for t in texts)


def test_model_is_frozen():
    inst = load_instrument("post_engagement")
    assert isinstance(inst, Instrument)
    with pytest.raises(dataclasses.FrozenInstanceError):
        inst.id = "other"  # type: ignore[misc]


def test_minimal_instrument_loads(write_yaml, minimal_text):
    inst = load_instrument_file(write_yaml(minimal_text))
    assert [i.id for i in inst.items] == ["mode", "worth_time", "tech_ok"]
    assert inst.item("tech_ok").relevant == "mode = 'virtual'"
    assert inst.choice_list("agree5").values == (1, 2, 3)


def _problems(write_yaml, text):
    return [str(p) for p in check_instrument_file(write_yaml(text))]


def test_unknown_choice_list_names_file_line_and_key(write_yaml, minimal_text):
    text = minimal_text.replace(
        "choices: agree5\n    role: outcome", "choices: agree7\n    role: outcome"
    )
    (problem,) = _problems(write_yaml, text)
    assert "instrument.yaml:22: items[1].choices: unknown choice list 'agree7'" in problem
    assert "define it under choice_lists" in problem


def test_duplicate_item_id(write_yaml, minimal_text):
    text = minimal_text.replace("- id: tech_ok", "- id: worth_time")
    (problem,) = _problems(write_yaml, text)
    assert ":25: items[2].id: duplicate item id 'worth_time'" in problem


def test_relevant_naming_a_later_item(write_yaml, minimal_text):
    text = minimal_text.replace(
        "    role: outcome\n", "    role: outcome\n    relevant: tech_ok = 1\n"
    )
    (problem,) = _problems(write_yaml, text)
    assert (
        ":24: items[1].relevant: refers to 'tech_ok', which is not before 'worth_time'" in problem
    )


def test_missing_spanish_label(write_yaml, minimal_text):
    text = minimal_text.replace("label: {en: Neutral, es: Neutral}", "label: {en: Neutral}")
    (problem,) = _problems(write_yaml, text)
    assert ":11: choice_lists.agree5[1].label: no 'es' text" in problem


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("version: 1.0.0", "version: one"),
            "version: 'one' has the wrong form; use a semantic version",
        ),
        (("id: mini", "id: Mini Survey"), "id: 'Mini Survey' has the wrong form"),
        (("    text: {en: Worth", "    colour: red\n    text: {en: Worth"), "unknown key 'colour'"),
        (
            ("relevant: mode = 'virtual'", "relevant: mode = 'online'"),
            "'online' is not a choice of 'mode'",
        ),
        (("relevant: mode = 'virtual'", "relevant: __import__('os')"), "cannot parse"),
        (("relevant: mode = 'virtual'", "relevant: ghost = 1"), "refers to unknown item 'ghost'"),
        (
            (
                "type: likert\n    choices: agree5\n    role: outcome",
                "type: integer\n    choices: agree5\n    role: outcome",
            ),
            "a integer item has no choices",
        ),
        (("{value: 2, label", "{value: 1, label"), "choice value '1' appears twice"),
        (("{value: virtual,", "{value: no,"), "YAML reads the unquoted value 'no' as a boolean"),
        (
            ("title: {en: Mini survey, es: Encuesta mínima}", "title: Mini survey"),
            "a plain string, but the instrument has 2 languages",
        ),
    ],
)
def test_semantic_and_schema_problems(write_yaml, minimal_text, change, expected):
    old, new = change
    assert old in minimal_text
    problems = _problems(write_yaml, minimal_text.replace(old, new, 1))
    assert any(expected in p for p in problems), problems


def test_scale_checks(write_yaml, minimal_text):
    text = minimal_text + (
        "scales:\n  - {id: s, items: [worth_time, tech_ok, ghost], reverse: [mode], min_items: 5}\n"
    )
    problems = "\n".join(_problems(write_yaml, text))
    assert "scales[0].items[2]: unknown item 'ghost'" in problems
    assert "scales[0].reverse[0]: reverse item 'mode' is not one of the scale's items" in problems
    assert "scales[0].min_items: min_items 5 exceeds the 3 items" in problems


def test_ratio_checks(write_yaml, minimal_text):
    text = minimal_text + (
        "  - {id: hours, type: decimal, text: {en: Hours, es: Horas}}\n"
        "  - {id: contact_phone, type: integer, pii: true, text: {en: Phone, es: Teléfono}}\n"
        "ratios:\n"
        "  - id: worth_time\n"
        "    label: {en: Hours per answer}\n"
        "    numerator: [{item: hours, times: [ghost]}]\n"
        "    denominator: [{item: worth_time}, {item: contact_phone}]\n"
    )
    problems = "\n".join(_problems(write_yaml, text))
    assert "ratios[0].id: ratio id 'worth_time' is already used" in problems
    assert "ratios[0].label: no 'es' text" in problems
    assert "ratios[0].numerator[0].times[0]: unknown item 'ghost'" in problems
    assert "ratios[0].denominator[0].item: 'worth_time' is likert, not a number" in problems
    assert "ratios[0].denominator[1].item: 'contact_phone' is personal data" in problems


def test_ratio_loads_into_the_model(write_yaml, minimal_text):
    text = minimal_text + (
        "  - {id: hours, type: decimal, text: {en: Hours, es: Horas}}\n"
        "  - {id: people, type: integer, text: {en: People, es: Personas}}\n"
        "ratios:\n"
        "  - {id: hours_per_person, unit: hours, numerator: [{item: hours, factor: 2}],\n"
        "     denominator: [{item: people, times: [hours]}]}\n"
    )
    (ratio,) = load_instrument_file(write_yaml(text)).ratios
    assert ratio.id == "hours_per_person" and ratio.unit == "hours" and ratio.label is None
    assert ratio.numerator[0].factor == 2.0 and ratio.denominator[0].times == ("hours",)
    assert ratio.items == ("hours", "people")


def test_pii_must_be_declared_for_text_and_contact_items(write_yaml, minimal_text):
    text = minimal_text + (
        "  - {id: comments, type: text, text: {en: Comments, es: Comentarios}}\n"
        "  - {id: email, type: text, pii: false, text: {en: E-mail, es: Correo}}\n"
        "  - {id: contact_name, type: integer, text: {en: Name, es: Nombre}}\n"
    )
    problems = "\n".join(_problems(write_yaml, text))
    assert "text item 'comments' does not say whether it holds personal data" in problems
    assert "items[4].pii: 'email' looks like personal contact data; mark it 'pii: true'" in problems
    assert (
        "items[5]: 'contact_name' may hold a person's name; add 'pii: true' for a person"
        in problems
    )


def test_load_raises_first_problem_and_counts_the_rest(write_yaml, minimal_text):
    text = minimal_text.replace("choices: agree5", "choices: nope")
    with pytest.raises(InstrumentError) as info:
        load_instrument_file(write_yaml(text))
    message = str(info.value)
    assert "unknown choice list 'nope'" in message
    assert "and 1 more problems" in message


BAD_FILES = {
    "empty": ("", "the file is empty"),
    "blank": ("   \n\n", "the file is empty"),
    "not_yaml": ("id: [unclosed\nversion: 1\n", "not valid YAML"),
    "prose": ("This is a letter, not an instrument.\n", "expected a mapping of keys"),
    "list": ("- a\n- b\n", "expected a mapping of keys"),
    "python_tag": (
        "id: !!python/object/apply:os.system ['echo hi']\n",
        "could not determine a constructor",
    ),
    "bomb": (
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
        "anchors and aliases",
    ),
    "duplicate_key": ("id: a\nid: b\n", "duplicate key 'id' (first at line 1)"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_give_one_clear_problem(write_yaml, case):
    text, expected = BAD_FILES[case]
    problems = check_instrument_file(write_yaml(text))
    assert problems, case
    line = str(problems[0])
    assert expected in line
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith(str(write_yaml(text)))


def test_binary_non_utf8_directory_and_missing(tmp_path):
    binary = tmp_path / "x.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: Café\n".encode("latin-1"))
    cases = {
        binary: "is a binary file",
        latin: "is not UTF-8 text",
        tmp_path: "is a directory",
        tmp_path / "missing.yaml": "no such file",
    }
    for path, expected in cases.items():
        (problem,) = check_instrument_file(path)
        assert expected in str(problem)


@pytest.fixture(params=["libyaml", "python"])
def either_loader(request, monkeypatch):
    """Run a test with libyaml's parser and with the pure-Python one (PyYAML built without
    libyaml): both must accept and refuse the same files with the same messages."""
    from evalkit.instrument import yamlio

    if request.param == "python":
        monkeypatch.setattr(yamlio, "_C_LOADER", None)
    elif yamlio._C_LOADER is None:
        pytest.skip("PyYAML without libyaml")
    return request.param


@pytest.mark.usefixtures("either_loader")
@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_both_yaml_parsers_refuse_bad_files_alike(write_yaml, case):
    text, expected = BAD_FILES[case]
    (first, *_) = check_instrument_file(write_yaml(text))
    assert expected in str(first)


@pytest.mark.usefixtures("either_loader")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: no\n", "'no' as a boolean"),
        ("a: 15_17\n", "'15_17' as a number"),
        ("a: .nan\n", "not a finite number"),
        ("a: &x 1\nb: *x\n", "anchors and aliases"),  # refused at the anchor
    ],
)
def test_both_yaml_parsers_refuse_surprises_alike(tmp_path, text, expected):
    from evalkit.instrument.yamlio import read_yaml

    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InstrumentError, match=expected) as info:
        read_yaml(path)
    assert info.value.location.line == 1


def test_both_yaml_parsers_read_the_library_alike(monkeypatch):
    from evalkit.instrument import yamlio

    paths = sorted(library_dir().glob("*.yaml"))
    fast = [yamlio.read_yaml(path) for path in paths]
    monkeypatch.setattr(yamlio, "_C_LOADER", None)
    for path, (data, lines) in zip(paths, fast, strict=True):
        slow_data, slow_lines = yamlio.read_yaml(path)
        assert (data, lines.lines) == (slow_data, slow_lines.lines), path.name
