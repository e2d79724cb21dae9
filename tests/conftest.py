"""Shared fixtures: a small valid instrument to break on purpose, and a CLI runner."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

MINIMAL = """\
id: mini
version: 1.0.0
title: {en: Mini survey, es: Encuesta mínima}
languages: [en, es]
choice_lists:
  mode:
    - {value: in_person, label: {en: In person, es: En persona}}
    - {value: virtual, label: {en: Virtual, es: Virtual}}
  agree5:
    - {value: 1, label: {en: Disagree, es: En desacuerdo}}
    - {value: 2, label: {en: Neutral, es: Neutral}}
    - {value: 3, label: {en: Agree, es: De acuerdo}}
items:
  - id: mode
    type: select_one
    choices: mode
    role: group
    required: true
    text: {en: "How did you take part?", es: "¿Cómo participó?"}
  - id: worth_time
    type: likert
    choices: agree5
    role: outcome
    text: {en: Worth my time., es: Valió mi tiempo.}
  - id: tech_ok
    type: likert
    choices: agree5
    relevant: mode = 'virtual'
    text: {en: The technology worked., es: La tecnología funcionó.}
"""


@pytest.fixture
def write_yaml(tmp_path: Path):
    """Write YAML text (dedented) to a file and return its path."""

    def write(text: str, name: str = "instrument.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def minimal_text() -> str:
    return MINIMAL


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
