"""Every YAML evalkit reads goes through the one guarded loader (issue 17, point 6): a
501-byte ``--map`` bomb, a deep list, an alias in margins end in one line, not 5 GB."""

from __future__ import annotations

import pytest

from evalkit.cli.main import cli
from evalkit.errors import DataError, EvalkitError
from evalkit.ingest import load_mapping
from evalkit.ingest._base import InputError

SAMPLE = "sample_data/2026/post_engagement.kobo.csv"

# nine levels of nine aliases: 9**9 = 387 million strings once expanded (about 500 bytes)
BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{x}: &{x} [{','.join([f'*{p}'] * 9)}]\n" for p, x in zip("abcdefgh", "bcdefghi", strict=True)
)
DEEP_FLOW = "columns: " + "[" * 100_000 + "]" * 100_000 + "\n"
DEEP_BLOCK = "columns:\n" + "".join(" " * (2 + i) + "-\n" for i in range(200))


@pytest.fixture(params=["libyaml", "python"])
def either_loader(request, monkeypatch):
    from evalkit.instrument import yamlio

    if request.param == "python":
        monkeypatch.setattr(yamlio, "_C_LOADER", None)
    elif yamlio._C_LOADER is None:
        pytest.skip("PyYAML without libyaml")


@pytest.mark.usefixtures("either_loader")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BOMB, "anchors and aliases"),
        (DEEP_FLOW, "nest"),
        (DEEP_BLOCK, "nests more than 64 levels"),
        ("columns: {Q1: !!python/object/apply:os.system [echo]}\n", "not valid YAML"),
        ("columns: {Q1: mode, Q1: worth_time}\n", "duplicate key 'Q1'"),
        ("columns: {Yes: mode}\n", "'Yes' as a boolean"),
        ("", "the file is empty"),
    ],
    ids=["bomb", "deep_flow", "deep_block", "python_tag", "duplicate", "bool_key", "empty"],
)
def test_map_file_goes_through_the_guarded_loader(tmp_path, text, expected):
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=expected) as info:
        load_mapping(path)
    assert info.value.code == "bad-map"
    assert "\n" not in info.value.one_line() and str(path) in info.value.one_line()


@pytest.mark.parametrize("text", [BOMB, DEEP_BLOCK], ids=["bomb", "deep"])
def test_validate_with_a_hostile_map_is_one_line(tmp_path, runner, text):
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(
        cli, ["validate", SAMPLE, "--instrument", "post_engagement", "--map", str(path)]
    )
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_margins_go_through_the_guarded_loader(tmp_path):
    from evalkit.analyze.weights import load_margins

    path = tmp_path / "margins.yaml"
    path.write_text(BOMB, encoding="utf-8")
    with pytest.raises(DataError, match="anchors and aliases"):
        load_margins(path)
    path.write_text("mode: {in_person: 0.5, virtual: 0.5}\n", encoding="utf-8")
    assert load_margins(path) == {"mode": {"in_person": 0.5, "virtual": 0.5}}


def test_depth_limit_is_raised_by_its_environment_variable(tmp_path, monkeypatch):
    from evalkit.instrument.yamlio import read_yaml

    path = tmp_path / "deep.yaml"
    path.write_text(DEEP_BLOCK, encoding="utf-8")
    with pytest.raises(EvalkitError, match="EVALKIT_MAX_YAML_DEPTH=128"):
        read_yaml(path)
    monkeypatch.setenv("EVALKIT_MAX_YAML_DEPTH", "300")
    data, _ = read_yaml(path)
    assert isinstance(data["columns"], list)


def test_node_and_size_limits_name_their_variables(tmp_path, monkeypatch):
    from evalkit.instrument.yamlio import read_yaml

    path = tmp_path / "big.yaml"
    path.write_text("a: [" + ", ".join(["1"] * 2000) + "]\n", encoding="utf-8")
    monkeypatch.setenv("EVALKIT_MAX_YAML_NODES", "1000")
    with pytest.raises(EvalkitError, match=r"more than 1000 YAML nodes.*EVALKIT_MAX_YAML_NODES"):
        read_yaml(path)
    monkeypatch.setenv("EVALKIT_MAX_YAML_BYTES", "100")
    with pytest.raises(EvalkitError, match=r"larger than 100 bytes.*EVALKIT_MAX_YAML_BYTES"):
        read_yaml(path)
    monkeypatch.setenv("EVALKIT_MAX_YAML_BYTES", "lots")
    with pytest.raises(EvalkitError, match="EVALKIT_MAX_YAML_BYTES='lots' is not a positive"):
        read_yaml(path)
