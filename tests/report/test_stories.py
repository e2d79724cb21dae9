"""Most Significant Change stories (issue 18, point 7): a story submitted twice from the
same engagement is shown once."""

from __future__ import annotations

import pandas as pd

from evalkit.report.build import stories_table


def test_the_same_story_from_the_same_engagement_is_shown_once():
    follow_up = pd.DataFrame(
        {
            "engagement_id": ["E1", "E1", "E1", "E2", "E2"],
            "most_significant_change": [
                "We won our first export order.",
                "  we won our FIRST   export order. ",  # the same, typed again
                None,
                "We won our first export order.",  # another engagement: another story
                "Our team now looks abroad.",
            ],
        }
    )
    table = stories_table(follow_up)
    assert table["story"].tolist() == [
        "We won our first export order.",
        "We won our first export order.",
        "Our team now looks abroad.",
    ]
    assert table["title"].tolist() == ["Story 1", "Story 2", "Story 3"]


def test_duplicates_do_not_take_the_place_of_other_stories():
    follow_up = pd.DataFrame(
        {
            "engagement_id": ["E1"] * 6,
            "most_significant_change": ["A"] * 4 + ["B", "C"],
        }
    )
    assert stories_table(follow_up)["story"].tolist() == ["A", "B", "C"]


def test_without_an_engagement_column_the_text_alone_decides():
    follow_up = pd.DataFrame({"most_significant_change": ["A", "a", "B", ""]})
    assert stories_table(follow_up)["story"].tolist() == ["A", "B"]
    assert stories_table(None) is None
