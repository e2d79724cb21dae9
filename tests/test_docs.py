"""The docs describe what the code does: every schema key is documented."""

from __future__ import annotations

from pathlib import Path

from evalkit.instrument.load import instrument_schema

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _keys(schema: dict) -> set[str]:
    keys = set(schema.get("properties", {}))
    for definition in schema.get("$defs", {}).values():
        keys |= set(definition.get("properties", {}))
    for value in schema.get("properties", {}).values():
        items = value.get("items", {})
        keys |= set(items.get("properties", {}))
        extra = value.get("additionalProperties")
        if isinstance(extra, dict):
            keys |= set(extra.get("items", {}).get("properties", {}))
    return keys


def test_every_instrument_key_is_documented():
    text = (DOCS / "instrument-format.md").read_text("utf-8")
    missing = sorted(k for k in _keys(instrument_schema()) if f"`{k}`" not in text)
    assert not missing, f"document these keys in docs/instrument-format.md: {missing}"


def test_documented_example_is_a_valid_instrument(tmp_path):
    from evalkit.instrument import check_instrument_file

    text = (DOCS / "instrument-format.md").read_text("utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "webinar_pulse.yaml"
    path.write_text(example, encoding="utf-8")
    assert check_instrument_file(path) == []
