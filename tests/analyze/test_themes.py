"""Open answers (issue 19, point 7): counts, lengths, themes with CIs, redacted quotes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from evalkit.analyze.engine import analyze
from evalkit.analyze.options import AnalysisOptions
from evalkit.analyze.themes import Codebook, Theme, fold, load_codebook, redact, theme_matrix
from evalkit.errors import EvalkitError, UsageError
from evalkit.instrument import load_instrument

FOLLOW = load_instrument("follow_up")
CODEBOOK = """\
themes:
  - id: contacts
    label: {en: New contacts, es: Nuevos contactos}
    keywords:
      en: [contact, "met people"]
      es: [contacto]
  - id: funding
    label: {en: Funding}
    keywords: [grant, funding, financ]
items: [outcome_statement]
"""


def test_keywords_start_words_without_case_or_accents():
    themes = (
        Theme("contacts", {"en": "Contacts"}, (fold("contact"), fold("met people"))),
        Theme("network", {"en": "Network"}, (fold("red"),)),
    )
    answers = pd.Series(
        ["Three new CONTACTS", "contactó al puerto", "we Met  People", "I was tired", None,
         "una red nueva", "uncontacted"]
    )  # fmt: skip
    matrix = theme_matrix(answers, themes)
    assert matrix[:, 0].tolist() == [True, True, False, False, False, False, False]
    assert matrix[:, 1].tolist() == [False, False, False, False, False, True, False]


def test_redact_removes_contact_details_and_names():
    text = "Mail maria.g@port.example.org, tel. +44 20 7946 0958, see https://x.org/a — Maria G"
    out = redact(text, ["Maria G"])
    assert "@" not in out and "7946" not in out and "https" not in out and "Maria" not in out
    assert out.count("[e-mail]") == 1 and "[phone]" in out and "[link]" in out
    assert redact("a\x1b]52;c;bad\x07b") == "a ]52;c;bad b"
    assert len(redact("word " * 200)) <= 300


def test_codebook_is_checked(tmp_path):
    good = tmp_path / "themes.yaml"
    good.write_text(CODEBOOK, "utf-8")
    book = load_codebook(good)
    assert [t.id for t in book.themes] == ["contacts", "funding"]
    assert book.codes("outcome_statement") and not book.codes("other")
    for text, message in [
        ("items: []\n", "needs a list 'themes:'"),
        ("themes:\n  - label: x\n", "needs an 'id'"),
        ("themes:\n  - id: a\n    keywords: {en: [1]}\n", "keywords.en must be a list"),
        ("themes:\n  - id: a\n    keywords: [x]\n  - id: a\n    keywords: [y]\n", "twice"),
    ]:
        bad = tmp_path / "bad.yaml"
        bad.write_text(text, "utf-8")
        with pytest.raises(UsageError, match=message) as info:
            load_codebook(bad)
        assert "bad.yaml" in str(info.value)
    aliases = tmp_path / "alias.yaml"
    aliases.write_text("a: &x [1]\nthemes: *x\n", "utf-8")
    with pytest.raises(EvalkitError):  # the guarded reader refuses anchors and aliases
        load_codebook(aliases)


def _frame(n_per_mode=(40, 30, 4)):
    rng = np.random.default_rng(2)
    modes = ["in_person", "virtual", "hybrid_remote"]
    texts = ["We met people from the port", "A grant for shore power", "Contact kept",
             "", None, "Nothing yet; write to ana@city.example.org"]  # fmt: skip
    rows = []
    for mode, n in zip(modes, n_per_mode, strict=True):
        for _ in range(n):
            rows.append({"mode": mode, "outcome_statement": texts[rng.integers(len(texts))]})
    return pd.DataFrame(rows)


def _book():
    from evalkit.analyze.themes import Codebook

    return Codebook(
        (
            Theme("contacts", {"en": "New contacts"}, ("contact", "met people")),
            Theme("funding", {"en": "Funding"}, ("grant", "funding")),
        )
    )


def test_counts_shares_and_quotes_equal_hand_counts():
    frame = _frame((40, 30, 45))
    result = analyze(frame, FOLLOW, AnalysisOptions(outcomes=("outcome_statement",),
                                                    themes=_book()))  # fmt: skip
    texts = result.texts.set_index("group")
    answered = frame["outcome_statement"].fillna("").str.strip() != ""
    for mode in ("in_person", "virtual"):
        in_mode = frame["mode"] == mode
        assert texts.loc[mode, "n_answered"] == (answered & in_mode).sum()
        words = frame.loc[answered & in_mode, "outcome_statement"].str.split().str.len()
        assert texts.loc[mode, "median_words"] == words.median()
    themes = result.themes.set_index(["group", "theme"])
    in_person = frame[(frame["mode"] == "in_person") & answered]
    hits = in_person["outcome_statement"].str.contains("grant").sum()
    row = themes.loc[("in_person", "funding")]
    assert row["count"] == hits and row["share"] == pytest.approx(hits / len(in_person))
    assert row["share_ci_low"] < row["share"] < row["share_ci_high"]
    quotes = result.quotes
    assert quotes.groupby("theme").size().max() <= 5
    assert not quotes["quote"].str.contains("@").any()


def test_small_groups_are_suppressed_and_never_quoted():
    result = analyze(_frame(), FOLLOW, AnalysisOptions(outcomes=("outcome_statement",),
                                                       themes=_book()))  # fmt: skip
    texts = result.texts.set_index("group")
    assert texts.loc["hybrid_remote", "suppressed"]
    assert np.isnan(texts.loc["hybrid_remote", "n_answered"])
    hidden = set(texts.index[texts["suppressed"].astype(bool)])
    assert not hidden & set(result.quotes["group"])
    themes = result.themes
    assert themes.loc[themes["group"].isin(hidden), "count"].isna().all()


def test_without_codebook_only_counts_and_no_quotes():
    result = analyze(_frame(), FOLLOW, AnalysisOptions(outcomes=("outcome_statement",)))
    assert len(result.texts) == 4 and result.themes.empty and result.quotes.empty


def test_personal_text_items_are_never_analysed():
    with pytest.raises(UsageError, match="personal data"):
        analyze(_frame(), FOLLOW, AnalysisOptions(outcomes=("substantiator",)))
    frame = _frame().assign(substantiator="Ana Lopez, port authority")
    result = analyze(frame, FOLLOW, AnalysisOptions(themes=_book()))
    assert "substantiator" not in set(result.texts["outcome"])


def test_quotes_redact_the_respondents_own_personal_answers():
    frame = _frame((30, 0, 0))
    frame["outcome_statement"] = [f"Met people at port {i} with Ana Lopez" for i in range(30)]
    frame["substantiator"] = "Ana Lopez"
    result = analyze(frame, FOLLOW, AnalysisOptions(outcomes=("outcome_statement",),
                                                    themes=_book(), by="none"))  # fmt: skip
    assert len(result.quotes) == 5
    assert all("Ana" not in q and "[name]" in q for q in result.quotes["quote"])


def test_an_answer_given_word_for_word_by_many_is_quoted_once():
    frame = _frame((30, 0, 0))
    same = ["Met people at the port"] * 25 + ["met  PEOPLE at the port"] * 3
    frame["outcome_statement"] = same + [f"Met people, visit {i}" for i in range(2)]
    result = analyze(frame, FOLLOW, AnalysisOptions(outcomes=("outcome_statement",),
                                                    themes=_book(), by="none"))  # fmt: skip
    quotes = sorted(result.quotes["quote"].str.lower().str.split().str.join(" "))
    assert len(quotes) == 3 and len(set(quotes)) == 3


def test_cli_themes(tmp_path):
    from evalkit.cli.main import cli

    book = tmp_path / "themes.yaml"
    book.write_text(CODEBOOK, "utf-8")
    path = tmp_path / "frame.csv"
    _frame().to_csv(path, index=False)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [
        "analyze", "--frame", str(path), "--instrument", "follow_up", "--outcome",
        "outcome_statement", "--themes", str(book), "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Open answers" in result.output and "Funding:" in result.output
    assert set(pd.read_csv(out / "themes.csv")["theme"]) == {"contacts", "funding"}
    assert (out / "quotes.csv").is_file()
    bad = CliRunner().invoke(cli, [
        "analyze", "--frame", str(path), "--instrument", "follow_up",
        "--themes", str(tmp_path / "missing.yaml")])  # fmt: skip
    assert bad.exit_code != 0 and "missing.yaml" in bad.output
    assert "Traceback" not in bad.output


def test_codebook_dataclass_defaults():
    assert Codebook(()).codes("anything")
