"""The skip-logic grammar: parsing, rejection of anything else, XPath, vectorised evaluation."""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit.instrument.relevant import (
    And,
    Compare,
    Not,
    Or,
    RelevantSyntaxError,
    Selected,
    evaluate,
    parse_relevant,
    referenced_items,
    to_text,
    to_xpath,
)


def test_precedence_and_binds_tighter_than_or():
    expr = parse_relevant("a = 1 or b = 'x' and not c > 2")
    assert expr == Or(
        (Compare("a", "==", 1), And((Compare("b", "==", "x"), Not(Compare("c", ">", 2)))))
    )


def test_selected_and_parentheses():
    expr = parse_relevant("(selected(types, 'visit') or mode != \"virtual\") and n >= 2.5")
    assert expr == And(
        (
            Or((Selected("types", "visit"), Compare("mode", "!=", "virtual"))),
            Compare("n", ">=", 2.5),
        )
    )
    assert referenced_items(expr) == {"types", "mode", "n"}


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os').system('rm -rf /')",
        "mode == other_item",
        "mode = 'virtual' mode = 'x'",
        "selected(types)",
        "mode =",
        "(mode = 'x'",
        "mode; 'x'",
        "",
        "open('x')",
        "a.b = 1",
        "lambda: 1",
    ],
)
def test_anything_outside_the_grammar_is_rejected(source):
    with pytest.raises(RelevantSyntaxError):
        parse_relevant(source)


def test_error_gives_position():
    with pytest.raises(RelevantSyntaxError, match="character 12"):
        parse_relevant("mode = 'x' extra")


def test_round_trip_through_text():
    source = "(a = 1 or b != 'x') and not(selected(c, 'd'))"
    expr = parse_relevant(source)
    assert parse_relevant(to_text(expr)) == expr


def test_to_xpath_uses_xlsform_references():
    expr = parse_relevant("mode = 'virtual' or selected(types, 'visit')")
    assert to_xpath(expr) == "${mode} = 'virtual' or selected(${types}, 'visit')"


def test_evaluate_is_vectorised_and_treats_missing_like_xpath():
    frame = pd.DataFrame(
        {
            "mode": pd.array(["virtual", "in_person", None], dtype="string"),
            "n": pd.array([3, None, 1], dtype="Int64"),
            "types__visit": pd.array([True, False, None], dtype="boolean"),
        }
    )

    def value(item):
        return frame[item]

    def selected(item, choice):
        return frame[f"{item}__{choice}"]

    assert evaluate(parse_relevant("mode = 'virtual'"), value, selected).tolist() == [
        True,
        False,
        False,
    ]
    # like XPath: an empty answer is "not equal" to anything
    assert evaluate(parse_relevant("mode != 'virtual'"), value, selected).tolist() == [
        False,
        True,
        True,
    ]
    assert evaluate(
        parse_relevant("n > 2 or selected(types, 'visit')"), value, selected
    ).tolist() == [
        True,
        False,
        False,
    ]
    assert evaluate(parse_relevant("not n > 2"), value, selected).tolist() == [False, True, True]
