"""The generator: valid answers, skip logic, scales, planted effects, reproducibility."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import ndtri
from scipy.stats import norm

from evalkit.errors import UsageError
from evalkit.instrument import load_instrument, load_library
from evalkit.instrument.relevant import evaluate
from evalkit.sample import generate_responses, likert_thresholds, parse_effects, simulate
from evalkit.sample.generate import (
    MISSING_CHOICE_RATE,
    MODE_MIX,
    SCALE_LOADING,
    SOURCE,
    parse_period,
)

LIBRARY = {inst.id: inst for inst in load_library()}


@pytest.fixture(scope="module", params=sorted(LIBRARY))
def sample(request):
    inst = LIBRARY[request.param]
    return inst, generate_responses(inst, 1500, 11, period="2025-Q3")


def _columns(inst, item):
    if item.type == "select_multiple":
        return [f"{item.id}__{c.name}" for c in inst.choices_for(item)]
    return [item.id]


def test_columns_and_dtypes_follow_the_canonical_frame(sample):
    inst, frame = sample
    expected = ["response_id", "submitted_at", "source"]
    for item in inst.items:
        expected += _columns(inst, item)
    assert list(frame.columns) == expected
    dtypes = {
        "likert": "Int64",
        "integer": "Int64",
        "nps": "Int64",
        "decimal": "Float64",
        "select_one": "string",
        "text": "string",
        "date": "datetime64[ns]",
    }
    for item in inst.items:
        for column in _columns(inst, item):
            want = "boolean" if item.type == "select_multiple" else dtypes[item.type]
            assert str(frame[column].dtype) == want, column
    assert str(frame["submitted_at"].dtype) == "datetime64[ns, UTC]"
    assert frame["response_id"].is_unique
    assert (frame["source"] == SOURCE).all()
    start, end = pd.Timestamp("2025-07-01", tz="UTC"), pd.Timestamp("2025-10-01", tz="UTC")
    assert frame["submitted_at"].between(start, end, inclusive="left").all()


def test_answers_are_valid_choices_and_in_range(sample):
    inst, frame = sample
    for item in inst.items:
        column = frame[item.id] if item.type != "select_multiple" else None
        if item.type == "likert":
            allowed = {int(c.value) for c in inst.choices_for(item).substantive}
            assert set(column.dropna().astype(int)) <= allowed, item.id
        elif item.type == "select_one":
            allowed = {c.name for c in inst.choices_for(item)}
            assert set(column.dropna()) <= allowed, item.id
        elif item.type == "nps":
            assert column.dropna().between(0, 10).all()
        elif item.type in ("integer", "decimal"):
            values = column.dropna()
            if item.min is not None:
                assert (values >= item.min).all(), item.id
            if item.max is not None:
                assert (values <= item.max).all(), item.id
        elif item.type == "date":
            assert (
                column.dropna()
                .between(pd.Timestamp("2025-07-01"), pd.Timestamp("2025-09-30"))
                .all()
            )


def test_required_items_are_always_answered_when_shown(sample):
    inst, frame = sample
    for item in inst.items:
        if item.required and item.relevant is None and item.type != "select_multiple":
            if item.type == "likert":  # only a missing choice (N/A) leaves the Int64 cell NA
                assert frame[item.id].isna().mean() < 0.04, item.id
            else:
                assert frame[item.id].notna().all(), item.id


def _shown(inst, frame, item):
    expr = inst.relevance(item)
    return evaluate(expr, lambda i: frame[i], lambda i, c: frame[f"{i}__{c}"]).to_numpy(dtype=bool)


def test_skip_logic_no_answer_where_not_shown(sample):
    inst, frame = sample
    checked = 0
    for item in inst.items:
        if item.relevant is None:
            continue
        hidden = ~_shown(inst, frame, item)
        for column in _columns(inst, item):
            assert frame.loc[hidden, column].isna().all(), f"{column} answered where not shown"
        if hidden.any() and (~hidden).any():
            checked += 1
            # shown rows are answered (mostly): skip logic did not blank everything
            assert frame.loc[~hidden, _columns(inst, item)[0]].notna().mean() > 0.3
    if any(item.relevant for item in inst.items):
        assert checked > 0


def test_select_multiple_na_never_false_and_answered_rows_tick_something(sample):
    inst, frame = sample
    for item in inst.items:
        if item.type != "select_multiple":
            continue
        block = frame[_columns(inst, item)]
        na = block.isna()
        assert (na.all(axis=1) | ~na.any(axis=1)).all(), "a row is partly NA"
        answered = ~na.all(axis=1)
        assert answered.any()
        assert block[answered].astype(bool).any(axis=1).all(), "answered with nothing ticked"
        if "none" in {c.name for c in inst.choices_for(item)}:
            ticked = block[answered].astype(bool)
            none = ticked[f"{item.id}__none"]
            assert not (none & (ticked.sum(axis=1) > 1)).any(), "'none' ticked with others"


def test_item_missingness_is_a_few_percent(null_sample):
    frame = null_sample.frame
    for item_id in ("achieved_goals", "new_contacts", "recommend", "voice"):
        rate = frame[item_id].isna().mean()
        assert 0.02 < rate < 0.08, (item_id, rate)
    assert frame["worth_time"].notna().mean() > 0.95  # required: only N/A answers are NA


def test_missing_choices_are_picked_at_a_small_rate_and_recorded(null_sample):
    frame, misses = null_sample.frame, null_sample.missing_choices
    assert list(misses.columns) == ["response_id", "item", "value"]
    worth = misses[misses["item"] == "worth_time"]
    assert set(worth["value"]) == {"na"}
    assert abs(len(worth) / len(frame) - MISSING_CHOICE_RATE) < 0.005
    rows = frame["response_id"].isin(worth["response_id"])
    assert frame.loc[rows, "worth_time"].isna().all()
    # refusals of a select_one stay in the column as the choice value
    community = generate_responses("community_programme", 4000, 3)
    share = (community["age_band"] == "prefer_not").mean()
    assert 0.005 < share < 0.04


def test_mode_mix(null_sample):
    shares = null_sample.frame["mode"].value_counts(normalize=True)
    for mode, share in MODE_MIX.items():
        assert abs(shares[mode] - share) < 0.015, mode


def test_pii_text_is_obviously_fake():
    frame = generate_responses("post_engagement", 300, 4)
    codes = frame["participant_code"].dropna()
    assert codes.str.fullmatch(r"participant-\d{6}@example\.org").all()
    assert codes.is_unique
    comments = frame["most_valuable"].dropna()
    assert comments.str.startswith("synthetic-most-valuable-").all()


def _cronbach_alpha(block: np.ndarray) -> float:
    block = block[~np.isnan(block).any(axis=1)]
    k = block.shape[1]
    return k / (k - 1) * (1 - block.var(axis=0, ddof=1).sum() / block.sum(axis=1).var(ddof=1))


@pytest.mark.parametrize(
    "instrument_id", ["post_engagement", "partner_relationship", "community_programme"]
)
def test_scale_items_correlate(instrument_id):
    inst = LIBRARY[instrument_id]
    frame = generate_responses(inst, 3000, 5)
    for scale in inst.scales:
        block = frame[list(scale.items)].to_numpy(dtype=float, na_value=np.nan)
        levels = len(inst.choices_for(scale.items[0]).substantive)
        for j, item_id in enumerate(scale.items):
            if item_id in scale.reverse:
                block[:, j] = levels + 1 - block[:, j]
        assert _cronbach_alpha(block) > 0.7, scale.id


def test_reverse_scored_items_run_the_other_way():
    frame = generate_responses("partner_relationship", 3000, 5)
    corr = frame[["cm_attentive", "cm_listens", "cm_weight"]].astype(float).corr()
    assert corr.loc["cm_attentive", "cm_listens"] > 0.3
    assert corr.loc["cm_weight", "cm_attentive"] < -0.3


def _probit_shift(frame, column, rows, reference, levels=5):
    """Ordered-probit moment estimate of the latent mean of ``rows`` minus ``reference``."""
    x = frame.loc[rows, column].dropna().astype(int)
    y = frame.loc[reference, column].dropna().astype(int)
    return np.mean([ndtri((y <= k).mean()) - ndtri((x <= k).mean()) for k in range(1, levels)])


def test_likert_levels_follow_the_documented_thresholds(null_sample):
    """Without plants, P(level <= k) = Phi(t_k): the thresholds are fixed and documented."""
    frame = null_sample.frame
    observed = [(frame["worth_time"].dropna() <= k).mean() for k in range(1, 5)]
    np.testing.assert_allclose(observed, norm.cdf(likert_thresholds(5)), atol=0.01)
    # documented values: likert_thresholds(5) = Phi^-1(0.2, 0.4, 0.6, 0.8) - 0.5
    np.testing.assert_allclose(
        likert_thresholds(5), [-1.3416212, -0.7533471, -0.2466529, 0.3416212], atol=1e-6
    )


def test_planted_latent_shift_is_recovered(planted):
    frame = planted.frame
    virtual = (frame["mode"] == "virtual").to_numpy()
    shifts = [
        _probit_shift(frame, item, virtual, ~virtual) / SCALE_LOADING
        for item in ("worth_time", "achieved_goals", "learned_useful")
    ]
    assert np.mean(shifts) == pytest.approx(-0.3, abs=0.05)
    # the latent truth carries the plant exactly
    latent = planted.latent["value_index"]
    diff = latent[virtual].mean() - latent[~virtual].mean()
    assert diff == pytest.approx(-0.3, abs=0.05)
    # a scale without a plant does not move
    others = [
        _probit_shift(frame, item, virtual, ~virtual) for item in ("co_presence", "attention")
    ]
    assert np.abs(others).max() < 0.05


def test_planted_item_shift_is_recovered(planted):
    frame = planted.frame
    remote = (frame["mode"] == "hybrid_remote").to_numpy()
    assert _probit_shift(frame, "voice", remote, ~remote) == pytest.approx(0.4, abs=0.06)


def test_planted_rate_ratio_is_recovered(planted):
    frame = planted.frame
    in_person = frame["mode"] == "in_person"
    ratio = (
        frame.loc[in_person, "new_contacts"].mean() / frame.loc[~in_person, "new_contacts"].mean()
    )
    assert ratio == pytest.approx(1.5, abs=0.1)


def test_planted_log_odds_shift_is_recovered(planted):
    frame = planted.frame
    virtual = frame["mode"] == "virtual"

    def log_odds(rows):
        answers = frame.loc[rows, "next_step"].dropna()
        p = (answers == "yes").mean()
        return np.log(p / (1 - p))

    assert log_odds(virtual) - log_odds(~virtual) == pytest.approx(-0.5, abs=0.1)


def test_without_plants_the_groups_match(null_sample):
    frame = null_sample.frame
    for mode in MODE_MIX:
        rows = (frame["mode"] == mode).to_numpy()
        for item in ("worth_time", "voice", "co_presence"):
            assert abs(_probit_shift(frame, item, rows, ~rows)) < 0.07, (mode, item)
        ratio = frame.loc[rows, "new_contacts"].mean() / frame.loc[~rows, "new_contacts"].mean()
        assert ratio == pytest.approx(1.0, abs=0.1)
        yes = (frame.loc[rows, "next_step"].dropna() == "yes").mean()
        assert yes == pytest.approx((frame["next_step"].dropna() == "yes").mean(), abs=0.03)


def test_select_multiple_choice_shift():
    effects = parse_effects(
        {
            "effects": [
                {
                    "group": "in_person",
                    "item": "actions",
                    "choice": "joint_proposal",
                    "shift_logit": 1.0,
                }
            ]
        }
    )
    frame = generate_responses("follow_up", 20_000, 2, effects=effects)
    answered = frame["actions__joint_proposal"].notna() & ~frame["actions__none"].astype(bool)
    ticked = frame["actions__joint_proposal"].astype("boolean")
    in_person = frame["mode"] == "in_person"

    def log_odds(rows):
        p = ticked[rows & answered].mean()
        return np.log(p / (1 - p))

    assert log_odds(in_person) - log_odds(~in_person) == pytest.approx(1.0, abs=0.15)


def test_when_selector_and_a_selector_after_its_target():
    effects = parse_effects(
        {
            "effects": [
                {"group": "mostly_virtual", "latent": "commitment", "shift_sd": -1.0},
            ]
        }
    )
    sim = simulate("partner_relationship", 6000, 4, effects=effects)
    virtual = (sim.frame["mode"] == "mostly_virtual").to_numpy()
    latent = sim.latent["commitment"]
    assert latent[virtual].mean() - latent[~virtual].mean() == pytest.approx(-1.0, abs=0.08)
    assert _probit_shift(sim.frame, "commit_bond", virtual, ~virtual, levels=7) < -0.6


def test_same_seed_same_frame_and_different_seeds_differ():
    a = generate_responses("community_programme", 400, 21)
    b = generate_responses("community_programme", 400, 21)
    pd.testing.assert_frame_equal(a, b)
    c = generate_responses("community_programme", 400, 22)
    assert not a.drop(columns="response_id").equals(c.drop(columns="response_id"))
    assert not a["intercultural_confidence"].equals(c["intercultural_confidence"])


def test_zero_rows_and_bad_arguments():
    empty = generate_responses("post_engagement", 0, 1)
    assert len(empty) == 0 and "worth_time" in empty
    with pytest.raises(UsageError, match="n must be"):
        generate_responses("post_engagement", -1, 1)
    with pytest.raises(UsageError, match="given has 2 rows"):
        simulate("post_engagement", 3, 1, given=pd.DataFrame({"mode": ["virtual"] * 2}))


def test_given_columns_are_used_and_still_obey_skip_logic():
    given = pd.DataFrame({"mode": ["virtual", "in_person"] * 50, "travel_mode": ["car"] * 100})
    frame = simulate("post_engagement", 100, 1, given=given).frame
    assert frame["mode"].tolist() == given["mode"].tolist()
    assert frame.loc[frame["mode"] == "in_person", "travel_mode"].eq("car").all()
    assert frame.loc[frame["mode"] == "virtual", "travel_mode"].isna().all()


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("2026", "2026-01-01", "2027-01-01"),
        ("2025-Q4", "2025-10-01", "2026-01-01"),
        ("2026-02", "2026-02-01", "2026-03-01"),
        ("2026-01-15..2026-03-31", "2026-01-15", "2026-04-01"),
    ],
)
def test_periods(period, start, end):
    got = parse_period(period)
    assert got[:2] == (pd.Timestamp(start, tz="UTC"), pd.Timestamp(end, tz="UTC"))


@pytest.mark.parametrize("period", ["26", "2026-Q5", "2026-13", "2026-03-01..2026-01-01", "soon"])
def test_bad_periods(period):
    with pytest.raises(UsageError, match="cannot read the period"):
        parse_period(period)


def test_instrument_by_path(tmp_path, minimal_text):
    path = tmp_path / "mini.yaml"
    path.write_text(minimal_text, encoding="utf-8")
    frame = generate_responses(str(path), 200, 1)
    assert frame.loc[frame["mode"] == "in_person", "tech_ok"].isna().all()
    assert frame.loc[frame["mode"] == "virtual", "tech_ok"].notna().any()
    assert load_instrument(str(path)).id == "mini"


def test_exclusive_none_choice_can_be_shifted():
    effects = parse_effects(
        {"effects": [{"group": "virtual", "item": "actions", "choice": "none", "shift_logit": 1.0}]}
    )
    frame = generate_responses("follow_up", 20_000, 6, effects=effects)
    none = frame["actions__none"].dropna().astype(bool)
    virtual = frame.loc[none.index, "mode"] == "virtual"
    assert none[virtual].mean() > none[~virtual].mean() + 0.1


CUSTOM = """\
id: custom
version: 1.0.0
title: Custom
languages: [en]
choice_lists:
  agree5:
    - {value: 1, label: Never}
    - {value: 2, label: Rather no}
    - {value: 3, label: Neutral}
    - {value: 4, label: Rather yes}
    - {value: 5, label: Always}
items:
  - {id: a, type: likert, choices: agree5, text: A}
  - {id: b, type: likert, choices: agree5, text: B}
  - {id: events, type: integer, min: 0, text: Events attended}
  - {id: rating, type: integer, min: 1, max: 10, text: Rating}
  - {id: share, type: decimal, min: 0, max: 1, text: Share}
scales:
  - {id: engagement, items: [a, b, events]}
"""


def test_numeric_items_of_other_shapes(tmp_path):
    path = tmp_path / "custom.yaml"
    path.write_text(CUSTOM, encoding="utf-8")
    frame = generate_responses(str(path), 5000, 3)
    both = frame[["a", "events"]].dropna().astype(float)
    assert both.corr().loc["a", "events"] > 0.2  # a count in a scale follows its latent
    rating = frame["rating"].dropna()
    assert rating.between(1, 10).all() and rating.nunique() == 10
    share = frame["share"].dropna()
    assert share.between(0, 1).all() and 0.4 < share.mean() < 0.6 and share.nunique() > 5


def test_bad_seed_given_and_latent():
    with pytest.raises(UsageError, match="the seed must be"):
        generate_responses("post_engagement", 5, -1)
    with pytest.raises(UsageError, match="not items of post_engagement: moed"):
        simulate("post_engagement", 2, 1, given={"moed": ["virtual", "virtual"]})
    with pytest.raises(UsageError, match="neither 'general' nor scales: trust"):
        simulate("post_engagement", 2, 1, latent=pd.DataFrame({"trust": [0.0, 1.0]}))


def _table(rows: pd.Series, columns: pd.Series) -> np.ndarray:
    keep = (rows.notna() & columns.notna()).to_numpy()
    r, r_levels = pd.factorize(rows[keep])
    c, c_levels = pd.factorize(columns[keep])
    counts = np.bincount(r * len(c_levels) + c, minlength=len(r_levels) * len(c_levels))
    return counts.reshape(len(r_levels), len(c_levels))


def test_without_plants_independence_tests_reject_at_the_nominal_rate():
    """Over 80 seeds x 4 outcomes, chi-square tests of mode x answer reject about 5%."""
    from scipy.stats import chi2_contingency

    inst = LIBRARY["post_engagement"]
    rejections = []
    for seed in range(80):
        frame = generate_responses(inst, 400, 1000 + seed)
        nps = pd.cut(frame["recommend"].astype(float), [-1, 6, 8, 10], labels=False)
        for answers in (frame["worth_time"], frame["voice"], frame["next_step"], nps):
            table = _table(frame["mode"], pd.Series(answers))
            rejections.append(chi2_contingency(table)[1] < 0.05)
    rate = np.mean(rejections)
    assert 0.02 <= rate <= 0.09, rate


def test_level_probabilities_are_the_population_truth(planted, null_sample):
    """The observed level shares match the exact shares of the documented model."""
    from evalkit.sample import level_probabilities

    frame = planted.frame
    virtual = frame.loc[frame["mode"] == "virtual", "worth_time"].dropna().astype(int)
    observed = np.bincount(virtual, minlength=6)[1:] / len(virtual)
    np.testing.assert_allclose(observed, level_probabilities(5, SCALE_LOADING * -0.3), atol=0.015)
    everyone = null_sample.frame["drained"].dropna().astype(int)
    observed = np.bincount(everyone, minlength=6)[1:] / len(everyone)
    np.testing.assert_allclose(observed, level_probabilities(5, skew=-0.4), atol=0.01)
    assert level_probabilities(7).sum() == pytest.approx(1.0)
