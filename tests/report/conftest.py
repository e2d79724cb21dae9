"""Fixtures: the demo report rendered once per session, and a hostile variant of it."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from evalkit.report import render_report
from tests.report.demo_data import demo_data

HOSTILE = '<script>alert("pwned")</script>'
FORMULA = '=HYPERLINK("http://evil.example","click")'
EMAIL = "jane.doe.secret@example.org"


@pytest.fixture(scope="session")
def demo():
    return demo_data()


@pytest.fixture(scope="session")
def rendered(tmp_path_factory, demo):
    """The demo report rendered once: {relative name: path}."""
    return render_report(demo, tmp_path_factory.mktemp("report"))


def hostile_data():
    """Demo data where free text carries markup, formulas, and a pii column slipped in."""
    data = demo_data()
    tables = dict(data.tables)
    outcomes = tables["outcomes"].copy()
    outcomes.loc[0, "outcome"] = f"{HOSTILE} & {FORMULA}"
    outcomes["email"] = EMAIL  # a pii column the renderer must never show
    tables["outcomes"] = outcomes
    stories = tables["stories"].copy()
    stories.loc[0, "story"] = f"{FORMULA} {HOSTILE}"
    stories["respondent_email"] = EMAIL
    tables["stories"] = stories
    network = tables["network"].copy()
    network.loc[0, "counterpart"] = HOSTILE
    network.loc[1, "local_unit"] = FORMULA
    tables["network"] = network
    findings = pd.concat(
        [tables["findings"], pd.DataFrame({"outcome": ["x"], "sentence": [HOSTILE]})]
    )
    tables["findings"] = findings
    relationships = tables["relationships"].copy()
    relationships.loc[0, "partner"] = HOSTILE
    tables["relationships"] = relationships
    labels = {**data.labels, "worth_time": f"Worth it? {HOSTILE}"}
    return replace(data, title=f"Report {HOSTILE}", tables=tables, labels=labels)


@pytest.fixture(scope="session")
def hostile_rendered(tmp_path_factory):
    return render_report(hostile_data(), tmp_path_factory.mktemp("hostile"))
