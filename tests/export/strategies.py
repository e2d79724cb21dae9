"""Hypothesis strategies: valid instruments of every shape the model allows."""

from __future__ import annotations

from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from evalkit.instrument.load import build_instrument, check_instrument_data
from evalkit.instrument.model import Instrument

LANGUAGE_SETS = (("en",), ("en", "es"), ("fr", "en", "de"))
# Printable text without surrounding blanks; some start with a formula character on purpose.
_PLAIN = (
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Zl", "Zp")),
        min_size=1,
        max_size=25,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(lambda s: s and not s.startswith("'"))
)
TEXTS = st.one_of(
    _PLAIN, st.sampled_from(["=1+1", "+41 22", "-5 dB", "@home", "<script>x</script>"])
)
_SUFFIX = st.text("abcdefghijklmnopqrstuvwxyz0123456789", max_size=6)


def _text(draw: Any, languages: tuple[str, ...]) -> dict[str, str]:
    return {code: draw(TEXTS) for code in languages}


@st.composite
def instrument_data(draw: Any) -> dict[str, Any]:
    """YAML-shaped data of a valid instrument."""
    languages = draw(st.sampled_from(LANGUAGE_SETS))
    lists: dict[str, list[dict[str, Any]]] = {}
    for number in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            count = draw(st.integers(2, 7))
            start = draw(st.sampled_from([0, 1, -2]))
            choices = [{"value": start + k, "label": _text(draw, languages)} for k in range(count)]
            kind = "ints"
        else:
            values = draw(
                st.lists(
                    st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
                    min_size=1,
                    max_size=5,
                    unique=True,
                )
            )
            choices = [{"value": v, "label": _text(draw, languages)} for v in values]
            kind = "names"
        if draw(st.booleans()):
            missing = {
                "value": "na_x" if kind == "ints" else "zz_missing",
                "label": _text(draw, languages),
                "missing": True,
            }
            choices.append(missing)
        lists[f"l{number}_{kind}"] = choices
    sources = [
        {"id": f"src{k}", "citation": draw(TEXTS)}
        | ({"url": "https://example.org/a?b=1"} if draw(st.booleans()) else {})
        for k in range(draw(st.integers(0, 2)))
    ]
    section_ids = [f"s{k}{draw(_SUFFIX)}" for k in range(draw(st.integers(0, 3)))]
    items: list[dict[str, Any]] = []
    for number in range(draw(st.integers(1, 8))):
        item_type = draw(
            st.sampled_from(
                [
                    "select_one",
                    "select_multiple",
                    "likert",
                    "integer",
                    "decimal",
                    "nps",
                    "text",
                    "date",
                ]
            )
        )
        item: dict[str, Any] = {"id": f"i{number}{draw(_SUFFIX)}", "type": item_type}
        if item_type in ("select_one", "select_multiple"):
            item["choices"] = draw(st.sampled_from(sorted(lists)))
        elif item_type == "likert":
            ints = [name for name in lists if name.endswith("ints")]
            if not ints:
                item["type"] = item_type = "text"
            else:
                item["choices"] = draw(st.sampled_from(ints))
        item["text"] = _text(draw, languages)
        pii = draw(st.booleans()) if item_type == "text" else False
        item["pii"] = pii
        roles = [None, "context", "id"] if pii else [None, "context", "outcome", "covariate"]
        if item_type == "select_one" and not pii:
            roles.append("group")
        if item_type in ("integer", "decimal") and not pii:
            roles.append("weight")
        role = draw(st.sampled_from(roles))
        if role:
            item["role"] = role
        if draw(st.booleans()):
            item["required"] = True
        if draw(st.booleans()):
            item["hint"] = _text(draw, languages)
        if item_type in ("integer", "decimal"):
            bounds = sorted(draw(st.lists(st.integers(-50, 500), min_size=2, max_size=2)))
            if item_type == "decimal" and draw(st.booleans()):
                bounds = [bounds[0] + 0.5, bounds[1] + 0.5]
            if draw(st.booleans()):
                item["min"] = bounds[0]
            if draw(st.booleans()):
                item["max"] = bounds[1]
            if draw(st.booleans()):
                item["unit"] = draw(st.sampled_from(["USD", "km", "hours"]))
        if sources and draw(st.booleans()):
            item["source"] = draw(st.sampled_from(sources))["id"]
        earlier = [i for i in items if i["type"] != "text" and i["type"] != "date"]
        if earlier and draw(st.booleans()):
            item["relevant"] = _condition(draw, draw(st.sampled_from(earlier)), lists)
        items.append(item)
    if section_ids:
        cuts = sorted(
            draw(
                st.lists(
                    st.integers(0, len(items)), min_size=len(section_ids), max_size=len(section_ids)
                )
            )
        )
        for index, item in enumerate(items):
            owner = sum(1 for cut in cuts if cut <= index) - 1
            if owner >= 0:
                item["section"] = section_ids[owner]
    data: dict[str, Any] = {
        "id": f"gen{draw(_SUFFIX)}",
        "version": draw(st.sampled_from(["1.0.0", "2.3.11", "0.1.0-beta.2"])),
        "title": _text(draw, languages),
        "languages": list(languages),
        "kind": draw(st.sampled_from(["survey", "register"])),
        "choice_lists": lists,
        "items": items,
    }
    if sources:
        data["sources"] = sources
    if section_ids:
        data["sections"] = [{"id": s, "title": _text(draw, languages)} for s in section_ids]
    for key in ("respondent", "timing"):
        if draw(st.booleans()):
            data[key] = draw(TEXTS)
    if draw(st.booleans()):
        data["purpose"] = _text(draw, languages)
    rated = [i for i in items if i["type"] in ("integer", "decimal", "nps")]
    if len(rated) >= 2 and draw(st.booleans()):
        members = [i["id"] for i in rated]
        data["scales"] = [
            {
                "id": f"sc{draw(_SUFFIX)}",
                "items": members,
                "reverse": members[:1] if draw(st.booleans()) else [],
                "score": draw(st.sampled_from(["mean", "sum"])),
                "min_items": 1,
            }
            | ({"label": _text(draw, languages)} if draw(st.booleans()) else {})
        ]
    return data


def _condition(draw: Any, target: dict[str, Any], lists: dict[str, Any]) -> str:
    ref = target["id"]
    if target["type"] in ("integer", "decimal", "nps"):
        atom = f"{ref} {draw(st.sampled_from(['>', '<=', '!=', '=']))} {draw(st.integers(0, 9))}"
    else:
        value = draw(st.sampled_from([c["value"] for c in lists[target["choices"]]]))
        if target["type"] == "select_multiple":
            atom = f"selected({ref}, '{value}')"
        else:
            quoted = value if isinstance(value, int) else f"'{value}'"
            atom = f"{ref} {draw(st.sampled_from(['=', '==', '!=']))} {quoted}"
    return draw(
        st.sampled_from(
            [atom, f"not {atom}", f"not ({atom})", f"({atom}) or {atom}", f"{atom} and not {atom}"]
        )
    )


@st.composite
def instruments(draw: Any) -> Instrument:
    data = draw(instrument_data())
    problems = check_instrument_data(data, "generated")
    assume(not problems)
    return build_instrument(data)
