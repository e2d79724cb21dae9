"""Gould–Fernandez brokerage roles of a node in a directed graph with a group partition.

A node ``k`` brokers the two-path ``i -> k -> j`` (``i != j``, neither is ``k``) when the
graph has no edge ``i -> j``. The role depends on the groups of the three (Gould and
Fernandez 1989; the notation and counting of R's ``sna::brokerage``, whose ``raw.nli``
table the tests reproduce):

=================  ==========  ===========================================
role               sna         groups of ``i -> k -> j``
=================  ==========  ===========================================
coordinator        ``w_I``     A -> A -> A (all in the broker's group)
itinerant          ``w_O``     A -> B -> A (a consultant to another group)
gatekeeper         ``b_IO``    A -> B -> B (lets an outsider in)
representative     ``b_OI``    A -> A -> B (speaks for its group outside)
liaison            ``b_O``     A -> B -> C (three different groups)
=================  ==========  ===========================================

For the office, the groups are "local units", "the office" and "international
counterparts": the office's liaison count is the number of local-unit -> counterpart
connections that pass only through it. Plain Python: the graphs of an office are small.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping

ROLES = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")
SNA_NAMES = dict(zip(ROLES, ("w_I", "w_O", "b_IO", "b_OI", "b_O"), strict=True))


def role_of(group_i: Hashable, group_k: Hashable, group_j: Hashable) -> str:
    """The role of ``k`` in ``i -> k -> j`` from the three groups.

    Examples
    --------
    >>> role_of("local", "office", "abroad"), role_of("abroad", "office", "office")
    ('liaison', 'gatekeeper')
    """
    if group_i == group_k == group_j:
        return "coordinator"
    if group_i == group_j:
        return "itinerant"
    if group_k == group_j:
        return "gatekeeper"
    if group_i == group_k:
        return "representative"
    return "liaison"


def _adjacency(edges: Iterable[tuple[Hashable, Hashable]]) -> dict[Hashable, set[Hashable]]:
    out: dict[Hashable, set[Hashable]] = defaultdict(set)
    for a, b in edges:
        if a != b:  # a loop brokers nothing
            out[a].add(b)
    return out


def brokerage_roles(
    edges: Iterable[tuple[Hashable, Hashable]],
    groups: Mapping[Hashable, Hashable],
    nodes: Iterable[Hashable] | None = None,
) -> dict[Hashable, dict[str, int]]:
    """Counts of each role (and ``total``) for every node (or only ``nodes``).

    Parameters
    ----------
    edges
        Directed edges ``(from, to)``; give both directions for a tie that goes both ways.
        Repeated edges count once, loops are ignored.
    groups
        The group of every node that appears in ``edges``.
    nodes
        The brokers to count (default: every node in ``groups`` or ``edges``).

    Raises
    ------
    ValueError
        When a node of ``edges`` has no group.

    Examples
    --------
    >>> edges = [("unit", "office"), ("office", "lyon")]
    >>> groups = {"unit": "local", "office": "office", "lyon": "abroad"}
    >>> brokerage_roles(edges, groups)["office"]["liaison"]
    1
    """
    out_edges = _adjacency(edges)
    in_edges: dict[Hashable, set[Hashable]] = defaultdict(set)
    for a, targets in out_edges.items():
        for b in targets:
            in_edges[b].add(a)
    everyone = set(groups) | set(out_edges) | set(in_edges)
    missing = sorted(str(n) for n in everyone if n not in groups)
    if missing:
        raise ValueError(f"no group for {len(missing)} node(s): {', '.join(missing[:5])}")
    wanted = list(nodes) if nodes is not None else sorted(everyone, key=str)
    result = {}
    for k in wanted:
        counts = dict.fromkeys(ROLES, 0)
        for i in in_edges.get(k, ()):
            for j in out_edges.get(k, ()):
                if i != j and j not in out_edges.get(i, ()):
                    counts[role_of(groups[i], groups[k], groups[j])] += 1
        counts["total"] = sum(counts[r] for r in ROLES)
        result[k] = counts
    return result


OFFICE = "the office"


def office_roles(
    connections: Iterable[tuple[str, str, bool]],
    office_group: str = "office",
) -> dict[str, int]:
    """The office's brokerage roles in the connector network.

    ``connections`` are (local unit, international counterpart, made through the office)
    rows, e.g. the connector attribution survey's ``unit_name``, ``counterpart_name`` and a
    ``connection_origin`` of ``introduced_by_office`` or ``office_network``. A connection
    through the office gives the arcs unit -> office -> counterpart; one made without the
    office the arc unit -> counterpart, which closes the office's two-path between them.
    The office then brokers every open path from a unit it works with to a counterpart it
    works with (its position, as Gould and Fernandez count it, not only the introductions it
    made). Groups: units ``local``, counterparts ``international``, the office
    ``office_group``: ``"office"`` (its own group) counts these paths as ``liaison``,
    ``"local"`` (the office as part of the city) as ``representative``.

    Examples
    --------
    >>> rows = [("Port", "Lyon", True), ("Uni", "Busan", True), ("Uni", "Lyon", False)]
    >>> office_roles(rows)["liaison"], office_roles(rows, "local")["representative"]
    (3, 3)
    """
    if office_group not in ("office", "local"):
        raise ValueError("office_group is 'office' or 'local'")
    edges: list[tuple[str, str]] = []
    groups: dict[str, str] = {OFFICE: office_group}
    for unit, counterpart, via_office in connections:
        u, c = ("local", str(unit).strip()), ("international", str(counterpart).strip())
        groups[_node(u)], groups[_node(c)] = u[0], c[0]
        if via_office:
            edges += [(_node(u), OFFICE), (OFFICE, _node(c))]
        else:
            edges.append((_node(u), _node(c)))
    return brokerage_roles(edges, groups, nodes=[OFFICE])[OFFICE]


def _node(kind_name: tuple[str, str]) -> str:
    """A node name that keeps a unit and a counterpart of the same name apart."""
    return f"{kind_name[0]}:{kind_name[1]}"
