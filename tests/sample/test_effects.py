"""Effects files: the format is checked, and a bad file gets one line naming file and key."""

from __future__ import annotations

import pytest

from evalkit.instrument import load_instrument
from evalkit.sample import load_effects
from evalkit.sample.effects import EffectsError, resolve_effects
from evalkit.sample.linked import RIVERTON_EFFECTS, assign_effects

GOOD = """\
effects:
  - {group: virtual, latent: value_index, shift_sd: -0.3}   # scale latent 0.3 SD lower
  - {group: in_person, item: new_contacts, rate_ratio: 1.5}
  - {group: virtual, item: next_step, shift_logit: -0.5, note: fewer next steps}
  - {when: {mode: hybrid_remote}, item: next_step_types, choice: visit, shift_logit: 0.2}
"""


def test_a_good_file_loads_and_resolves(write_yaml):
    effects = load_effects(write_yaml(GOOD, "effects.yaml"))
    assert [e.size for e in effects] == ["shift_sd", "rate_ratio", "shift_logit", "shift_logit"]
    assert effects[0].line == 2 and effects[3].line == 5
    resolved = resolve_effects(effects, load_instrument("post_engagement"))
    assert resolved[0].when == (("mode", "virtual"),)
    assert resolved[3].choice == "visit"
    assert resolved[2].describe() == "mode = virtual: item next_step shift_logit -0.5"


def test_empty_effects_list_is_fine(write_yaml):
    assert load_effects(write_yaml("effects: []\n", "e.yaml")) == ()
    assert load_effects(write_yaml("effects:\n", "e.yaml")) == ()


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("- {group: virtual}\n", "e.yaml", "no top-level 'effects:' list"),
        ("effects: {group: virtual}\n", "e.yaml:1: effects", "must be a list"),
        ("effects: [3]\n", "e.yaml:1: effects[0]", "must be a mapping"),
        ("effect: []\n", "e.yaml", "no top-level 'effects:'"),
        ("effects: []\nextra: 1\n", "e.yaml:2: extra", "unknown top-level key 'extra'"),
        (
            "effects:\n  - {group: virtual, item: x, shift: 1}\n",
            "e.yaml:2: effects[0].shift",
            "unknown key 'shift'",
        ),
        (
            "effects:\n  - {group: virtual, item: x, latent: y, shift_sd: 1}\n",
            "e.yaml:2: effects[0]",
            "exactly one of 'latent'",
        ),
        ("effects:\n  - {group: virtual, item: x}\n", "e.yaml:2: effects[0]", "exactly one size"),
        (
            "effects:\n  - {item: x, shift_sd: 1}\n",
            "e.yaml:2: effects[0]",
            "exactly one of 'group'",
        ),
        (
            "effects:\n  - {group: virtual, item: x, shift_sd: big}\n",
            "e.yaml:2: effects[0].shift_sd",
            "must be a number",
        ),
        (
            "effects:\n  - {group: virtual, item: x, shift_sd: .nan}\n",
            "e.yaml:2: effects[0].shift_sd",
            "'.nan' is not a finite number",
        ),
        (
            "effects:\n  - {group: virtual, item: x, shift_sd: 9}\n",
            "e.yaml:2: effects[0].shift_sd",
            "between -5 and 5",
        ),
        (
            "effects:\n  - {group: virtual, item: x, rate_ratio: 0}\n",
            "e.yaml:2: effects[0].rate_ratio",
            "above 0",
        ),
        (
            "effects:\n  - {group: virtual, latent: x, rate_ratio: 2}\n",
            "e.yaml:2: effects[0].rate_ratio",
            "a 'latent' target takes 'shift_sd'",
        ),
        (
            "effects:\n  - {when: virtual, item: x, shift_sd: 1}\n",
            "e.yaml:2: effects[0].when",
            "mapping",
        ),
        (
            "effects:\n  - {group: virtual, item: x, shift_sd: 1, choice: a}\n",
            "e.yaml:2: effects[0].choice",
            "'choice' goes with 'shift_logit'",
        ),
        (
            "effects:\n  - &a {group: virtual, item: x, shift_sd: 1}\n",
            "e.yaml:2",
            "anchors and aliases",
        ),
        ("effects:\n  - {group: virtual, item: x, shift_sd: 1\n", "e.yaml:3", "not valid YAML"),
        ("effects:\n  - !!python/object:os.system {}\n", "e.yaml:2", "not valid YAML"),
    ],
)
def test_bad_files_give_one_line(write_yaml, text, where, what):
    path = write_yaml(text, "e.yaml")
    with pytest.raises(EffectsError) as info:
        load_effects(path)
    line = info.value.one_line()
    assert "\n" not in line
    assert line.startswith(str(path.parent / where)), line
    assert what in line
    assert info.value.hint


@pytest.mark.parametrize(
    ("effect", "key", "what"),
    [
        (
            "{group: remote, item: voice, shift_sd: 1}",
            "effects[0].group",
            "'remote' is not a choice of 'mode'",
        ),
        (
            "{when: {engagement_id: x}, item: voice, shift_sd: 1}",
            "effects[0].when.engagement_id",
            "not a select_one item",
        ),
        ("{group: virtual, latent: trust, shift_sd: 1}", "effects[0].latent", "no scale 'trust'"),
        ("{group: virtual, item: votes, shift_sd: 1}", "effects[0].item", "no item 'votes'"),
        (
            "{group: virtual, item: voice, rate_ratio: 2}",
            "effects[0].rate_ratio",
            "does not fit the likert item 'voice'",
        ),
        (
            "{group: virtual, item: travel_from, shift_sd: 1}",
            "effects[0].shift_sd",
            "does not fit the text item",
        ),
        (
            "{group: virtual, item: next_step, choice: maybe, shift_logit: 1}",
            "effects[0].choice",
            "'maybe' is not a choice",
        ),
        ("{group: virtual, item: mode, shift_logit: 1}", "effects[0].item", "its own target"),
    ],
)
def test_effects_that_do_not_fit_the_instrument(write_yaml, effect, key, what):
    path = write_yaml(f"effects:\n  - {effect}\n", "e.yaml")
    with pytest.raises(EffectsError) as info:
        resolve_effects(load_effects(path), load_instrument("post_engagement"))
    line = info.value.one_line()
    assert line.startswith(f"{path}:2: {key}"), line
    assert what in line and "(instrument post_engagement)" in line


def test_effects_for_other_instruments_are_skipped(write_yaml):
    path = write_yaml(
        "effects:\n  - {instrument: follow_up, group: virtual, item: votes, shift_sd: 1}\n"
    )
    assert resolve_effects(load_effects(path), load_instrument("post_engagement")) == ()


def test_city_effects_are_assigned_to_every_instrument_they_fit(write_yaml):
    path = write_yaml("effects:\n  - {group: virtual, item: worth_time, shift_sd: -0.2}\n")
    assigned = assign_effects(path)
    assert {e.instrument for e in assigned} == {"post_engagement"}  # follow_up has no worth_time
    path = write_yaml("effects:\n  - {group: virtual, item: wroth_time, shift_sd: -0.2}\n")
    with pytest.raises(EffectsError, match="fits no instrument"):
        assign_effects(path)
    path = write_yaml("effects:\n  - {instrument: post, group: virtual, item: x, shift_sd: 1}\n")
    with pytest.raises(EffectsError, match="no instrument 'post'"):
        assign_effects(path)


def test_the_riverton_effects_file_is_valid():
    effects = assign_effects(RIVERTON_EFFECTS)
    assert len(effects) == 7
    assert all(e.note for e in effects)


def test_a_refusal_choice_of_a_multi_select_cannot_be_shifted(write_yaml):
    path = write_yaml(
        "effects:\n  - {when: {wave: post}, item: race_ethnicity, choice: prefer_not,"
        " shift_logit: 1}\n"
    )
    with pytest.raises(EffectsError, match="'prefer_not' is a missing choice"):
        resolve_effects(load_effects(path), load_instrument("community_programme"))
