# ruff: noqa: E501  (hand-made data tables read best one row per line)
"""A realistic, hand-made :class:`ReportData` so the renderers can be tried and tested alone.

The numbers are invented but consistent (shares add up, intervals contain their estimates),
and they include the awkward cases on purpose: a suppressed group in every table that has
one, a KPI that could not be computed, free text with ``&`` and ``<`` in it. (The tests add
hostile text: markup, spreadsheet formulas and a personal-data column.)
"""

from __future__ import annotations

import pandas as pd

from evalkit._version import __version__
from evalkit.report.model import Methods, ReportData

_NAN = float("nan")


def _kpis() -> pd.DataFrame:
    rows = [
        # kpi_id, code, title, kind, unit, direction, output, value, lo, hi, n, target, status,
        # compare_value, change, change_lo, change_hi, trend, reason, concern, source
        ("connector_contribution_rate", "K1", "Connector contribution rate", "proportion", "share", "higher", False, 0.46, 0.33, 0.59, 54, 0.4, "too close to call", 0.38, 0.08, -0.10, 0.26, "flat", None, "S3", "connector_attribution"),
        ("adjusted_connector_value", "K2", "Adjusted connector value (USD)", "total", "currency", "higher", False, 1_284_000, 702_000, 1_960_000, 31, None, "no target", 910_000, 374_000, -310_000, 1_050_000, "flat", None, "S3", "connector_attribution"),
        ("brokerage_reach", "K3", "Brokerage reach (local organisations linked)", "count", "count", "higher", False, 27, 17.8, 39.3, 27, 25, "too close to call", 21, 6, -7.6, 19.6, "flat", None, "S3", "connector_attribution"),
        ("follow_through_rate", "K4", "Follow-through rate at 90 days", "proportion", "share", "higher", False, 0.44, 0.38, 0.50, 268, 0.5, "too close to call", 0.41, 0.03, -0.05, 0.11, "flat", None, "S1", "follow_up"),
        ("connection_yield", "K5", "Connection yield (new contacts per participant)", "mean", "count", "higher", False, 3.1, 2.8, 3.4, 412, None, "no target", 2.9, 0.2, -0.2, 0.6, "flat", None, "S2", "post_engagement"),
        ("connection_retention", "K5b", "Connection retention at 6 months", "ratio_of_totals", "ratio", "higher", False, 0.47, 0.41, 0.53, 268, 0.5, "too close to call", 0.52, -0.05, -0.13, 0.03, "flat", None, "S4", "follow_up, post_engagement"),
        ("voice_parity_gap", "K6", "Hybrid voice-parity gap", "difference", "points", "toward_target", False, 0.42, 0.18, 0.66, 96, 0.0, "too close to call", 0.55, -0.13, -0.45, 0.19, "flat", None, "S1", "post_engagement"),
        ("relationship_quality_index", "K7", "Relationship Quality Index (1–7)", "index", "score", "higher", False, 5.4, 5.1, 5.7, 38, 5.0, "met", 5.2, 0.2, 0.05, 0.35, "up", None, "S4", "partner_relationship"),
        ("network_value", "K8", "Value of partner relationships, by network", "mean", "score", "higher", False, 4.3, 4.1, 4.5, 38, None, "no target", 4.1, 0.2, -0.1, 0.5, "flat", None, "S5", "partner_relationship"),
        ("inclusive_reach_youth", "K9", "Inclusive reach ratio, youth 15–24", "reach_ratio", "ratio", "toward_target", False, 1.32, 1.10, 1.55, 190, 1.0, "met", 1.18, 0.14, -0.12, 0.40, "flat", None, "S6", "community_programme"),
        ("inclusive_reach_bipoc_women", "K9c", "Inclusive reach ratio, BIPOC women", "reach_ratio", "ratio", "toward_target", False, None, None, None, None, 1.0, "not computed", None, None, None, None, None, "population shares file is missing for this group", "S6", "community_programme"),
        ("cost_per_participant", "K13", "Cost per participant, by mode (USD)", "ratio_of_totals", "currency", "lower", False, 148, 121, 180, 1_140, None, "no target", 171, -23, -41, -5, "down", None, "S9", "activity_register"),
        ("travel_emissions_per_participant", "K14", "Travel emissions per in-person participant (kg CO2e)", "ratio_of_totals", "kg_co2e", "lower", False, 412, 350, 480, 240, None, "no target", 455, -43, -120, 30, "flat", None, "S1", "activity_register"),
        ("incremental_reach_virtual", "K15", "Incremental reach of virtual participation", "proportion", "share", "higher", False, 0.36, 0.30, 0.42, 231, None, "no target", 0.33, 0.03, -0.05, 0.11, "flat", None, "S2", "post_engagement"),
        ("engagements_held", "K16", "Engagements held (output)", "count", "count", "higher", True, 64, 49.3, 81.7, 64, None, "no target", 58, 6, -15.6, 27.6, "flat", None, "S9", "activity_register"),
        ("mous_signed", "K17", "MOUs signed (output)", "total", "count", "higher", True, 5, 1.6, 11.7, 5, None, "no target", 3, 2, -3.5, 7.5, "flat", None, "S9", "activity_register"),
    ]  # fmt: skip
    columns = [
        "kpi_id", "code", "title", "kind", "unit", "direction", "output", "value", "ci_low",
        "ci_high", "n", "target", "status", "compare_value", "change", "change_ci_low",
        "change_ci_high", "trend", "reason", "concern", "source",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    frame.insert(7, "period", "2026")
    return frame


def _breakdown() -> pd.DataFrame:
    rows = [
        ("follow_through_rate", "in_person", 0.52, 0.43, 0.61, 118, False),
        ("follow_through_rate", "virtual", 0.37, 0.29, 0.46, 112, False),
        ("follow_through_rate", "hybrid_onsite", 0.45, 0.30, 0.61, 38, False),
        ("follow_through_rate", "hybrid_remote", None, None, None, None, True),
        ("connection_yield", "in_person", 3.8, 3.3, 4.3, 171, False),
        ("connection_yield", "virtual", 2.4, 2.0, 2.8, 160, False),
        ("connection_yield", "hybrid_onsite", 3.3, 2.6, 4.0, 47, False),
        ("connection_yield", "hybrid_remote", 2.1, 1.4, 2.8, 34, False),
        ("cost_per_participant", "in_person", 231, 190, 280, 430, False),
        ("cost_per_participant", "virtual", 64, 52, 79, 560, False),
        ("cost_per_participant", "hybrid_onsite", 188, 140, 240, 150, False),
    ]
    columns = ["kpi_id", "group", "value", "ci_low", "ci_high", "n", "suppressed"]
    by_mode = pd.DataFrame(rows, columns=columns).assign(group_var="mode")
    networks = [
        ("network_value", "C40", 4.2, 3.9, 4.5, 14, False),
        ("network_value", "Sister Cities International", 4.4, 4.1, 4.7, 16, False),
        ("network_value", "Strong Cities Network", None, None, None, None, True),
    ]
    by_network = pd.DataFrame(networks, columns=columns).assign(group_var="network")
    return pd.concat([by_mode, by_network], ignore_index=True)


def _comparisons() -> pd.DataFrame:
    rows = [
        (
            "worth_time",
            "ordinal",
            "mode",
            "Kruskal–Wallis",
            9.8,
            3,
            0.020,
            0.020,
            0.046,
            "epsilon-squared",
            0.025,
            0.006,
            0.058,
            398,
            False,
            "",
        ),
        (
            "achieved_goal",
            "ordinal",
            "mode",
            "Kruskal–Wallis",
            4.1,
            3,
            0.25,
            0.25,
            0.31,
            "epsilon-squared",
            0.010,
            0.000,
            0.032,
            395,
            False,
            "",
        ),
        (
            "co_presence",
            "ordinal",
            "mode",
            "Kruskal–Wallis",
            41.2,
            3,
            0.0001,
            0.0001,
            0.0008,
            "epsilon-squared",
            0.103,
            0.058,
            0.155,
            401,
            False,
            "",
        ),
        (
            "fair_chance",
            "ordinal",
            "mode",
            "Kruskal–Wallis",
            12.5,
            3,
            0.006,
            0.006,
            0.019,
            "epsilon-squared",
            0.031,
            0.009,
            0.066,
            399,
            False,
            "",
        ),
        (
            "presence",
            "scale",
            "mode",
            "Welch ANOVA",
            14.3,
            3,
            0.00002,
            0.00002,
            0.0003,
            "omega-squared (Welch, approximate)",
            0.090,
            0.045,
            0.140,
            390,
            False,
            "adjusted for engagement type",
        ),
        (
            "next_step",
            "binary",
            "mode",
            "χ²",
            8.9,
            3,
            0.031,
            0.031,
            0.052,
            "Cramér's V",
            0.148,
            0.040,
            0.230,
            404,
            False,
            "",
        ),
    ]
    columns = [
        "outcome", "outcome_type", "group_var", "test", "statistic", "df", "p_value", "p_holm",
        "p_fdr", "effect_name", "effect", "effect_ci_low", "effect_ci_high", "n", "suppressed",
        "note",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _pairwise() -> pd.DataFrame:
    rows = [
        (
            "worth_time",
            "in_person",
            "virtual",
            171,
            160,
            "P(A>B)+0.5P(A=B)",
            0.60,
            0.54,
            0.66,
            0.008,
            0.030,
            False,
        ),
        (
            "worth_time",
            "hybrid_onsite",
            "hybrid_remote",
            47,
            34,
            "P(A>B)+0.5P(A=B)",
            0.63,
            0.51,
            0.74,
            0.09,
            0.14,
            False,
        ),
        (
            "co_presence",
            "in_person",
            "virtual",
            171,
            160,
            "P(A>B)+0.5P(A=B)",
            0.72,
            0.67,
            0.77,
            0.0001,
            0.0008,
            False,
        ),
        (
            "co_presence",
            "hybrid_onsite",
            "hybrid_remote",
            47,
            None,
            "P(A>B)+0.5P(A=B)",
            None,
            None,
            None,
            None,
            None,
            True,
        ),
        (
            "fair_chance",
            "in_person",
            "virtual",
            171,
            160,
            "P(A>B)+0.5P(A=B)",
            0.59,
            0.53,
            0.65,
            0.011,
            0.031,
            False,
        ),
        (
            "fair_chance",
            "hybrid_onsite",
            "hybrid_remote",
            47,
            34,
            "P(A>B)+0.5P(A=B)",
            0.68,
            0.56,
            0.79,
            0.006,
            0.021,
            False,
        ),
        (
            "presence",
            "in_person",
            "virtual",
            168,
            155,
            "Hedges' g",
            0.52,
            0.31,
            0.73,
            0.00002,
            0.0003,
            False,
        ),
        (
            "presence",
            "hybrid_onsite",
            "hybrid_remote",
            46,
            33,
            "Hedges' g",
            0.47,
            0.02,
            0.92,
            0.041,
            0.068,
            False,
        ),
        (
            "next_step",
            "in_person",
            "virtual",
            171,
            162,
            "Cohen's h",
            0.27,
            0.06,
            0.48,
            0.012,
            0.031,
            False,
        ),
    ]
    columns = [
        "outcome", "group_a", "group_b", "n_a", "n_b", "effect_name", "effect", "effect_ci_low",
        "effect_ci_high", "p_holm", "p_fdr", "suppressed",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns).assign(group_var="mode")


_AGREE = ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"]


def _likert() -> pd.DataFrame:
    counts = {
        ("worth_time", "in_person"): [3, 8, 19, 78, 63],
        ("worth_time", "virtual"): [6, 15, 31, 71, 37],
        ("worth_time", "hybrid_onsite"): [1, 3, 8, 20, 15],
        ("worth_time", "hybrid_remote"): [2, 4, 9, 13, 6],
        ("fair_chance", "in_person"): [2, 6, 17, 80, 66],
        ("fair_chance", "virtual"): [5, 14, 30, 72, 39],
        ("fair_chance", "hybrid_onsite"): [1, 2, 9, 21, 14],
        ("fair_chance", "hybrid_remote"): [4, 7, 10, 9, 4],
    }
    rows = []
    for (item, group), values in counts.items():
        total = sum(values)
        for level, (label, count) in enumerate(zip(_AGREE, values, strict=True), start=1):
            rows.append((item, group, level, label, count, count / total, False))
    rows += [
        ("co_presence", "hybrid_remote", lv, lab, None, None, True)
        for lv, lab in enumerate(_AGREE, 1)
    ]
    return pd.DataFrame(rows, columns=["item", "group", "level", "label", "count", "share", "suppressed"])  # fmt: skip


def _network() -> pd.DataFrame:
    rows = [
        ("Port Authority", "Port of Rotterdam", "formal_agreement", True),
        ("Port Authority", "Busan Port Authority", "joint_activity", True),
        ("Economic Development", "Invest Lyon", "joint_activity", True),
        ("Economic Development", "Mexico City SEDECO", "exchanging_info", True),
        ("Economic Development", "Toronto Global", "exchanging_info", False),
        ("Public Health", "Medellín Health Secretariat", "joint_activity", True),
        ("City University", "Universidad de Guadalajara", "formal_agreement", True),
        ("City University", "KU Leuven", "dormant", False),
        ("Chamber of Commerce", "Kenya Private Sector Alliance", "exchanging_info", True),
        ("Airport", "Frankfurt Airport", "dormant", True),
        ("Youth Services", "Strong Cities Network", "joint_activity", True),
    ]
    return pd.DataFrame(rows, columns=["local_unit", "counterpart", "status", "via_office"])


def _relationships() -> pd.DataFrame:
    # 38 answers: three partners below 10 answers are suppressed (report.partners)
    scores = {
        "Sister city: Guadalajara": (12, [(6.1, 5.8), (5.7, 5.6), (6.2, 6.0), (6.0, 5.9)]),
        "Sister city: Lyon": (10, [(5.4, 5.5), (5.0, 5.2), (5.6, 5.7), (5.2, 5.5)]),
        "C40 secretariat": (5, [(None, None)] * 4),
        "Consulate of Kenya": (5, [(None, None)] * 4),
        "Strong Cities Network": (6, [(None, None)] * 4),
    }
    dims = ["trust", "control_mutuality", "commitment", "satisfaction"]
    rows = [
        (partner, dim, score, previous, None if n < 10 else n, n < 10)
        for partner, (n, values) in scores.items()
        for dim, (score, previous) in zip(dims, values, strict=True)
    ]
    columns = ["partner", "dimension", "score", "previous_score", "n", "suppressed"]
    return pd.DataFrame(rows, columns=columns)


def _reach() -> pd.DataFrame:
    rows = [
        ("youth_15_24", 0.238, 0.18, 1.32, 1.10, 1.55, 190, False),
        ("foreign_born", 0.21, 0.27, 0.78, 0.61, 0.97, 190, False),
        ("bipoc_women", 0.31, 0.29, 1.07, 0.88, 1.27, 190, False),
        ("age_65_plus", None, 0.15, None, None, None, None, True),
    ]
    return pd.DataFrame(
        rows,
        columns=["group", "share", "population_share", "ratio", "ci_low", "ci_high", "n", "suppressed"],
    )  # fmt: skip


def _outcomes() -> pd.DataFrame:
    rows = [
        ("Port Authority", "Port of Rotterdam", "Port adopted a shore-power tariff modelled on Rotterdam's, approved in May.", "Not at all without the Office", "yes"),
        ("City University", "Universidad de Guadalajara", "Joint water-research grant of $420,000 awarded to both universities.", "Later/smaller", "yes"),
        ("Economic Development", "Invest Lyon", "French battery supplier announced a 60-job site after a hosted visit.", "Later/smaller", "no"),
        ("Public Health", "Medellín Health Secretariat", "Health department piloted Medellín's community health-worker model in two districts.", "Later/smaller", "yes"),
        ("Chamber of Commerce", "Kenya Private Sector Alliance", "Two export leads & a trade mission to Nairobi (<10 firms) for the food-processing cluster.", "Anyway", "no"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["unit", "counterpart", "outcome", "contribution", "substantiated"])  # fmt: skip


def _stories() -> pd.DataFrame:
    rows = [
        ("From a webinar to a water grant", "A researcher met her Guadalajara counterpart in a virtual session the Office hosted. Six months later they won a joint grant and now co-supervise two students.", "Outcome panel, March 2027"),
        ("A tariff borrowed from Rotterdam", "The port's environmental team visited Rotterdam with the Office's delegation and came back with a shore-power tariff design the board adopted.", "Outcome panel, March 2027"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["title", "story", "selected_by"])


def _quotes() -> pd.DataFrame:
    rows = [
        ("outcome_statement", "contacts", "New contacts", "in_person", "I met the harbour master of Busan; we now talk every month."),
        ("outcome_statement", "contacts", "New contacts", "virtual", "Two contacts in Lyon answered my follow-up e-mail within a week."),
        ("outcome_statement", "funding", "Funding", "in_person", "Our joint grant with Guadalajara was funded in June."),
        ("outcome_statement", "funding", "Funding", "virtual", "Write to [e-mail] for the grant budget."),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["outcome", "theme", "label", "group", "quote"])


def _response_rates() -> pd.DataFrame:
    rows = [
        ("post_engagement", 1_140, 412, 412 / 1_140),
        ("follow_up", 412, 268, 268 / 412),
        ("connector_attribution", 34, 27, 27 / 34),
        ("partner_relationship", 52, 38, 38 / 52),
        ("community_programme", 260, 190, 190 / 260),
    ]
    return pd.DataFrame(rows, columns=["instrument", "invited", "responded", "rate"])


def _findings() -> pd.DataFrame:
    rows = [
        ("co_presence", "difference", 0.0008, "In-person participants agreed more often that they felt in the same place as the others than virtual participants: 84% vs 55% (difference +29 points, 95% CI 20 to 38)."),
        ("worth_time", "difference", 0.046, "In-person participants rated the engagement as worth their time more often than virtual participants: 79% vs 69% (difference +10 points, 95% CI 1 to 19)."),
        ("achieved_goal", "not_detectable", 0.31, "No difference between modes was detectable in whether participants achieved what they hoped (the data allow differences up to 12 points)."),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["outcome", "kind", "p_fdr", "sentence"])


LABELS = {
    "in_person": "In person",
    "virtual": "Virtual",
    "hybrid_onsite": "Hybrid – on site",
    "hybrid_remote": "Hybrid – remote",
    "worth_time": "The engagement was worth the time I invested.",
    "achieved_goal": "I achieved what I hoped to achieve.",
    "co_presence": "I felt the other participants and I were in the same place.",
    "fair_chance": "I had a fair chance to speak and be heard.",
    "presence": "Social presence (scale)",
    "next_step": "Agreed a specific next step",
    "trust": "Trust",
    "control_mutuality": "Control mutuality",
    "commitment": "Commitment",
    "satisfaction": "Satisfaction",
    "youth_15_24": "Youth 15–24",
    "foreign_born": "Foreign-born residents",
    "bipoc_women": "BIPOC women",
    "age_65_plus": "Residents 65 and over",
    "post_engagement": "Post-engagement survey",
    "follow_up": "Follow-up survey (90 days)",
    "connector_attribution": "Partner-office connector survey",
    "partner_relationship": "Partner relationship check",
    "community_programme": "Community programme survey",
    "activity_register": "Activity register",
    "outcome_statement": "The most important result so far: who changed what, and when.",
}


def demo_data(language: str = "en") -> ReportData:
    """A complete :class:`ReportData` for 2026 compared with 2025, built from hand-made tables.

    Examples
    --------
    >>> data = demo_data()
    >>> data.period, data.compare_period, len(data.table("kpis"))
    ('2026', '2025', 16)
    """
    return ReportData(
        title="International Affairs Office — Annual Report 2026",
        period="2026",
        compare_period="2025",
        language=language,
        tables={
            "kpis": _kpis(),
            "kpi_breakdown": _breakdown(),
            "comparisons": _comparisons(),
            "pairwise": _pairwise(),
            "likert": _likert(),
            "network": _network(),
            "relationships": _relationships(),
            "inclusive_reach": _reach(),
            "outcomes": _outcomes(),
            "stories": _stories(),
            "quotes": _quotes(),
            "response_rates": _response_rates(),
            "findings": _findings(),
        },
        methods=Methods(
            tests_used=(
                "Kruskal–Wallis from the mode × level count table (Likert items)",
                "Welch ANOVA with Games–Howell contrasts (scale scores)",
                "χ² without continuity correction, Fisher's exact test when expected counts < 5",
                "Wilson intervals for proportions; seeded BCa bootstrap for ratios of totals",
                "Holm within each outcome; Benjamini–Hochberg across the report",
            ),
            min_cell=10,
            attribution="Contribution, not proof: partner offices' own estimates of the "
            "Office's contribution and their confidence, plus a named substantiator.",
            limitations=(
                "Self-report: outcomes are described by participants and partner offices.",
                "Self-selection into mode: people chose how to take part.",
                "Attrition at follow-up: 65% of post-engagement respondents answered at 90 days.",
            ),
        ),
        metadata={
            "evalkit_version": __version__,
            "seed": 20260101,
            "min_cell": 10,
            "source": "evalkit.report.demo_data (invented numbers)",
        },
        labels=dict(LABELS),
    )
