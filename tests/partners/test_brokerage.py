"""Gould–Fernandez brokerage roles against R sna::brokerage on the Strike network.

Reference: the strike network of Michael (1997) as distributed with the statnet lab
"Centrality and Brokerage in statnet" (github.com/cllghn/r4sna, data/Strike.net and
data/Strikegroups.csv); the expected table is that lab's printed output of
``brokerage(strike_net, strike_attrs$Group)$raw.nli`` from R's sna package, not evalkit's.
"""

from __future__ import annotations

import pytest

from evalkit.partners.brokerage import ROLES, SNA_NAMES, brokerage_roles, role_of

NAMES = [
    "Xavier", "Utrecht", "Frank", "Domingo", "Norm", "Hal", "Russ", "Karl", "Bob", "Quint",
    "Wendle", "Ozzie", "Ike", "Ted", "Sam", "Vern", "Gill", "Lanny", "Mike", "Carlos",
    "Alejandro", "Paul", "Eduardo", "John",
]  # fmt: skip
GROUPS = [3, 3, 2, 1, 3, 2, 3, 2, 2, 3, 3, 3, 2, 3, 3, 3, 2, 2, 2, 1, 1, 3, 1, 2]
# *Arcs of Strike.net (1-based vertex numbers), each tie listed in both directions
ARCS = """
1 11, 1 15, 2 5, 2 7, 2 10, 2 15, 3 17, 4 20, 4 21, 4 23, 5 2, 5 9, 5 12, 5 15, 5 16, 5 22,
6 9, 6 17, 6 24, 7 2, 7 10, 7 14, 8 12, 8 18, 8 24, 9 5, 9 6, 9 13, 9 18, 9 19, 9 21, 9 24,
10 2, 10 7, 10 22, 11 1, 11 15, 12 5, 12 8, 13 9, 13 17, 13 19, 14 7, 14 16, 15 1, 15 2,
15 5, 15 11, 16 5, 16 14, 17 3, 17 6, 17 13, 17 24, 18 8, 18 9, 18 24, 19 9, 19 13, 20 4,
20 21, 20 23, 21 4, 21 9, 21 20, 21 23, 22 5, 22 10, 23 4, 23 20, 23 21, 24 6, 24 8, 24 9,
24 17, 24 18
"""
# raw.nli as printed by R: w_I w_O b_IO b_OI b_O t
SNA_RAW_NLI = """
Xavier 0 0 0 0 0 0 | Utrecht 8 0 0 0 0 8 | Frank 0 0 0 0 0 0 | Domingo 0 0 0 0 0 0
Norm 18 0 5 5 0 28 | Hal 2 0 0 0 0 2 | Russ 4 0 0 0 0 4 | Karl 0 0 2 2 0 4
Bob 14 0 10 10 2 36 | Quint 4 0 0 0 0 4 | Wendle 0 0 0 0 0 0 | Ozzie 0 0 1 1 0 2
Ike 4 0 0 0 0 4 | Ted 2 0 0 0 0 2 | Sam 8 0 0 0 0 8 | Vern 2 0 0 0 0 2
Gill 10 0 0 0 0 10 | Lanny 2 0 0 0 0 2 | Mike 0 0 0 0 0 0 | Carlos 0 0 0 0 0 0
Alejandro 0 0 3 3 0 6 | Paul 2 0 0 0 0 2 | Eduardo 0 0 0 0 0 0 | John 12 0 0 0 0 12
"""


def _strike():
    edges = []
    for pair in ARCS.replace("\n", " ").split(","):
        a, b = (int(x) for x in pair.split())
        edges.append((NAMES[a - 1], NAMES[b - 1]))
    return edges, dict(zip(NAMES, GROUPS, strict=True))


def _expected():
    rows = {}
    for cell in SNA_RAW_NLI.replace("\n", " | ").split("|"):
        if cell.strip():
            name, *numbers = cell.split()
            rows[name] = [int(n) for n in numbers]
    return rows


def test_strike_network_matches_sna_raw_nli():
    edges, groups = _strike()
    assert len(edges) == 76
    result = brokerage_roles(edges, groups)
    expected = _expected()
    assert set(result) == set(expected) == set(NAMES)
    for name, numbers in expected.items():
        got = [result[name][role] for role in ROLES] + [result[name]["total"]]
        assert got == numbers, (name, dict(zip([*SNA_NAMES.values(), "t"], got, strict=True)))


def test_one_node_only():
    edges, groups = _strike()
    assert brokerage_roles(edges, groups, nodes=["Bob"]) == {
        "Bob": {"coordinator": 14, "itinerant": 0, "gatekeeper": 10, "representative": 10,
                "liaison": 2, "total": 36}
    }  # fmt: skip


def test_directed_roles_on_the_five_two_path_structures():
    # each broker k sits on one open two-path i -> k -> j, with the groups of the role
    cases = {
        "coordinator": ("A", "A", "A"),
        "itinerant": ("A", "B", "A"),
        "gatekeeper": ("A", "B", "B"),
        "representative": ("A", "A", "B"),
        "liaison": ("A", "B", "C"),
    }
    for role, (gi, gk, gj) in cases.items():
        assert role_of(gi, gk, gj) == role
        counts = brokerage_roles([("i", "k"), ("k", "j")], {"i": gi, "k": gk, "j": gj})
        assert counts["k"][role] == 1 and counts["k"]["total"] == 1
        # closed by a direct tie i -> j: no brokerage; j -> i does not close it
        closed = brokerage_roles([("i", "k"), ("k", "j"), ("i", "j")], {"i": gi, "k": gk, "j": gj})
        assert closed["k"]["total"] == 0
        opposite = brokerage_roles(
            [("i", "k"), ("k", "j"), ("j", "i")], {"i": gi, "k": gk, "j": gj}
        )
        assert opposite["k"][role] == 1


def test_a_node_without_a_group_is_refused():
    with pytest.raises(ValueError, match="no group for 1 node"):
        brokerage_roles([("a", "b")], {"a": 1})


def test_office_roles_counted_by_hand():
    from evalkit.partners.brokerage import office_roles

    rows = [
        ("Port of Riverton", "City of Lyon", True),
        ("Port of Riverton", "City of Busan", True),
        ("Riverton University", "City of Lyon", True),
        ("Riverton University", "City of Busan", False),  # made directly: closes that path
        ("Chamber", "City of Lyon", False),  # never through the office: not its broker
        (" Port of Riverton ", "City of Lyon", True),  # the same connection, spaced
    ]
    # units through the office: Port, University; counterparts: Lyon, Busan;
    # open paths: Port->Lyon, Port->Busan, University->Lyon (University->Busan is direct)
    assert office_roles(rows) == {"coordinator": 0, "itinerant": 0, "gatekeeper": 0,
                                  "representative": 0, "liaison": 3, "total": 3}  # fmt: skip
    assert office_roles(rows, "local")["representative"] == 3
    # a counterpart and a local unit of the same name stay two nodes
    assert office_roles([("Lyon", "Lyon", True)])["liaison"] == 1
    with pytest.raises(ValueError, match="office_group"):
        office_roles(rows, "city")
