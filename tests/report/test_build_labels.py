"""Labels come from the instrument of the item they label (issue 18, point 2).

One label lookup shared by every questionnaire listed the post-engagement survey's "Something
else" and "Walked or cycled / did not travel" as city networks in the K8 by-network table.
The expected labels are read from instruments/partner_relationship.yaml by hand.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from evalkit.instrument.library import load_instrument
from evalkit.kpi.catalogue import load_catalogue
from evalkit.report.build import labels_for
from evalkit.report.document import build_document
from tests.report.demo_data import demo_data

IDS = (
    "post_engagement",
    "follow_up",
    "connector_attribution",
    "partner_relationship",
    "community_programme",
    "delegation_host",
    "activity_register",
)


def _labels(lang: str = "en") -> dict[str, str]:
    return labels_for([load_instrument(i) for i in IDS], lang, load_catalogue())


def test_network_groups_are_labelled_from_the_partner_relationship_check():
    labels = _labels()
    assert labels["network_value:other"] == "Another city network"
    assert labels["network_value:none"] == "Not through a city network"


def test_other_breakdowns_use_their_own_instrument_too():
    labels = _labels()
    # K7 by interaction mix (partner_relationship), K13 by mode (activity_register)
    assert labels["relationship_quality_index:mixed"] != labels.get("mixed")
    assert labels["cost_per_participant:hybrid"].startswith("Hybrid")
    # the comparison tables' groups keep the compared survey's labels
    assert labels["in_person"] == "In person"


def test_the_k8_table_shows_the_networks_own_labels():
    data = demo_data()
    breakdown = pd.DataFrame(
        {
            "kpi_id": "network_value",
            "group_var": "network",
            "group": ["c40", "other", "none"],
            "value": [4.0, 4.1, 4.2],
            "ci_low": 3.0,
            "ci_high": 5.0,
            "n": [12, 13, 14],
            "suppressed": False,
        }
    )
    tables = {**data.tables, "kpi_breakdown": breakdown}
    data = replace(data, tables=tables, labels={**data.labels, **_labels()})
    section = next(s for s in build_document(data).sections if s.id == "relationships")
    table = [b for b in section.blocks if b.kind == "table"][-1]
    assert [row[0] for row in table.rows] == [
        "C40 Cities",
        "Another city network",
        "Not through a city network",
    ]
