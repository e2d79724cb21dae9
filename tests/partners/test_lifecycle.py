"""Lifecycle statuses and portfolio KPIs on hand-made histories, counted by hand."""

from __future__ import annotations

from datetime import date

import pytest

from evalkit.partners.lifecycle import (
    Engagement,
    Period,
    lifecycle,
    months_before,
    partner_status,
    year_index,
)
from evalkit.partners.portfolio import engagements_from_register_rows, portfolio
from evalkit.partners.register import register_from_data

Y2026 = Period(date(2026, 1, 1), date(2026, 12, 31))


def E(partner, day, mode="in_person"):
    return Engagement(partner, date.fromisoformat(day), mode)


REGISTER = register_from_data(
    {
        "partners": [
            {"id": "a", "name": "City of A", "type": "city_government", "country": "France"},
            {"id": "b", "name": "B Corp", "type": "company", "country": "Japan"},
            {"id": "d", "name": "City of D", "type": "city_government", "country": "Peru"},
            {"id": "e", "name": "City of E", "type": "city_government", "country": "Colombia"},
            {"id": "f", "name": "City of F", "type": "city_government", "ended": 2025},
            {
                "id": "g",
                "name": "City of G",
                "type": "city_government",
                "country": "Mexico",
                "legacy": {"tie": "sister_city", "since": 1998},
            },
            {
                "id": "h",
                "name": "City of H",
                "type": "city_government",
                "country": "Ghana",
                "legacy": {"tie": "sister_city", "since": 1987},
            },
            {
                "id": "medellin",
                "name": "City of Medellín",
                "aliases": ["Alcaldía de Medellín"],
                "type": "city_government",
                "country": "Colombia",
            },
            {"id": "z", "name": "City of Z", "type": "city_government"},  # never engaged
        ]
    }
)

# activity-register rows (date, partners, mode): Medellín under two names in two years
ROWS = [
    ("2026-03-01", "City of A", "virtual"),  # A: first ever this year -> new
    ("2025-05-01", "B Corp", "in_person"),  # B: 2025 and 2026 -> sustained
    ("2026-04-01", "B Corp", "virtual"),
    ("2025-03-01", "City of D", "in_person"),  # D: nothing for 21 months -> dormant
    ("2024-05-01", "City of E", "in_person"),  # E: 2024, then 2026 -> revived
    ("2026-06-01", "City of E", "in_person"),
    ("2025-02-01", "City of F", "in_person"),  # F: declared ended 2025 -> ended
    ("2026-01-10", "City of F", "virtual"),
    ("2026-09-01", "City of G", "hybrid"),  # G: sister city since 1998, first use -> revived
    # H: sister city since 1987, never engaged -> dormant
    ("2025-06-01", "Alcaldía de Medellín", "in_person"),  # renamed: one partner, sustained
    ("2026-02-01", "City of Medellín", "virtual"),
    ("2026-05-01", "city of medellin", "in_person"),
]


@pytest.fixture
def engagements():
    found, _, unregistered = engagements_from_register_rows(ROWS, REGISTER)
    assert unregistered == []
    return found


def test_every_status_on_a_hand_made_history(engagements):
    status = {s.partner: s.status for s in lifecycle(engagements, Y2026, REGISTER)}
    assert status == {
        "a": "new",
        "b": "sustained",
        "d": "dormant",
        "e": "revived",
        "f": "ended",
        "g": "revived",
        "h": "dormant",
        "medellin": "sustained",
    }  # fmt: skip  (z, registered but never engaged and with no tie, is not in the portfolio)


def test_a_renamed_partner_is_one_partner_through_the_register(engagements):
    medellin = next(s for s in lifecycle(engagements, Y2026, REGISTER) if s.partner == "medellin")
    assert (medellin.first, medellin.last) == (date(2025, 6, 1), date(2026, 5, 1))
    assert medellin.engagements == 3 and medellin.in_period == 2
    assert medellin.years_running == 2
    assert medellin.by_year == {2025: {"in_person": 1}, 2026: {"virtual": 1, "in_person": 1}}
    # without the register the two names are two partners: one gone quiet, one new
    alone, _, unregistered = engagements_from_register_rows(ROWS, None)
    status = {s.partner: s.status for s in lifecycle(alone, Y2026)}
    assert status["alcaldia de medellin"] == "dormant"
    assert status["city of medellin"] == "new"
    assert "city of medellin" in unregistered


def test_active_and_a_configurable_dormancy():
    history = [E("c", "2024-12-01"), E("c", "2026-03-01")]  # a 15-month gap
    assert partner_status("c", history, Y2026).status == "revived"
    assert partner_status("c", history, Y2026, dormant_months=18).status == "active"
    # not engaged in the quarter, but within the last 12 months: active
    q2 = Period(date(2026, 4, 1), date(2026, 6, 30))
    quiet = [E("c", "2025-10-01"), E("c", "2026-01-15")]
    assert partner_status("c", quiet, q2).status == "active"
    # 12 months to the day without engagement is dormant
    assert partner_status("c", [E("c", "2025-12-31")], Y2026).status == "dormant"
    assert partner_status("c", [E("c", "2026-01-01")], Y2026).status == "new"
    with pytest.raises(ValueError, match="at least 1"):
        partner_status("c", quiet, q2, dormant_months=0)


def test_engagements_after_the_period_are_ignored():
    history = [E("x", "2025-03-01"), E("x", "2027-02-01")]
    s = partner_status("x", history, Y2026)
    assert (s.status, s.engagements, s.last) == ("dormant", 1, date(2025, 3, 1))


def test_an_ended_partner_stays_ended_and_is_not_ended_before_its_year():
    history = [E("f", "2024-02-01"), E("f", "2025-02-01")]
    assert partner_status("f", history, Y2026, ended=2025).status == "ended"
    y2024 = Period(date(2024, 1, 1), date(2024, 12, 31))
    assert partner_status("f", history, y2024, ended=2025).status == "new"


def test_a_legacy_tie_signed_this_year_is_new_not_revived():
    history = [E("n", "2026-05-01")]
    assert partner_status("n", history, Y2026, legacy_since=2026).status == "new"
    assert partner_status("n", history, Y2026, legacy_since=2025).status == "revived"


def test_portfolio_kpis_against_hand_counts(engagements):
    result = portfolio(engagements, Y2026, REGISTER)
    assert result.counts() == {
        "new": 1,
        "active": 0,
        "sustained": 2,
        "dormant": 2,
        "revived": 2,
        "ended": 1,
    }
    kpis = result.kpis
    # engaged in 2025: b, d, f, medellin; still kept up in 2026: b, medellin (d dormant,
    # f ended)
    assert kpis["retention"] == {"value": 0.5, "numerator": 2, "denominator": 4}
    # dormant as of 2025-12-31: e (last 2024-05), g and h (unused sister-city ties);
    # engaged in 2026: e, g
    assert kpis["revival_rate"] == {"value": 2 / 3, "numerator": 2, "denominator": 3}
    assert kpis["legacy_revival_rate"] == {"value": 0.5, "numerator": 1, "denominator": 2}
    # engaged in 2026, f (ended) left out: a, b, e, g, medellin
    assert kpis["reach"] == {
        "partners": 5,
        "countries": 4,
        "types": 2,
        "unregistered_partners": 0,
        "type_list": ["city_government", "company"],
    }
    # only virtual: a, b; engagements in 2026: a1 b1 e1 g1 medellin2 = 6, virtual a b m = 3
    assert kpis["virtual_only_share"] == {"value": 0.4, "numerator": 2, "denominator": 5}
    assert kpis["virtual_engagement_share"] == {"value": 0.5, "numerator": 3, "denominator": 6}


def test_rates_without_a_denominator_are_none():
    result = portfolio([E("a", "2026-03-01")], Y2026)
    assert result.kpis["retention"] == {"value": None, "numerator": 0, "denominator": 0}
    assert result.kpis["reach"]["unregistered_partners"] == 1


def test_calendar_helpers():
    assert months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)
    end = date(2026, 12, 31)
    assert [
        year_index(date.fromisoformat(d), end)
        for d in ("2026-01-01", "2025-12-31", "2025-01-01", "2024-12-31")
    ] == [0, 1, 1, 2]
