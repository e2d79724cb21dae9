"""Which item (or option of a select_multiple item) each column of an export holds.

A column is matched by, in this order: the ``--map`` file; the item id; the question text
in any of the instrument's languages; for option columns ``<question><sep><option>`` or the
Qualtrics ``choiceId``; finally the last part of a group path. See docs/ingest.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from evalkit.errors import Location
from evalkit.ingest._base import InputError, PlatformData, norm

if TYPE_CHECKING:
    import pandas as pd

    from evalkit.instrument.model import Instrument, Item

COLUMN_REPORT_COLUMNS = ["position", "header", "used_as", "item", "choice"]
IGNORE = "ignore"


@dataclass(frozen=True)
class Target:
    """What a column holds: a whole item, or one option of a select_multiple item."""

    item: str
    choice: str | None = None


def header_index(instrument: Instrument) -> dict[str, str]:
    index: dict[str, str] = {}
    for item in instrument.items:
        for _, text in item.text.translations:
            index.setdefault(norm(text), item.id)
    for item in instrument.items:  # ids win over texts
        index[norm(item.id)] = item.id
    return index


def choice_index(instrument: Instrument, item: Item) -> dict[str, Any]:
    """``{matching key: choice value}`` for values and labels in every language."""
    choices = instrument.choices_for(item)
    index: dict[str, Any] = {}
    if choices is None:
        return index
    for choice in choices:
        for _, label in choice.label.translations:
            index.setdefault(norm(label), choice.value)
    for choice in choices:
        index[norm(choice.name)] = choice.value
    return index


_GEO_PARTS = ("latitude", "longitude", "altitude", "accuracy", "precision")


def unanalysed_index(instrument: Instrument) -> dict[str, str]:
    """``{matching key: question name}`` for the questions the instrument does not analyse.

    Their names and labels match, and for geopoints also the columns platforms split them
    into (ODK ``loc-Latitude``, Kobo ``_loc_latitude``).
    """
    index: dict[str, str] = {}
    for question in instrument.unanalysed:
        keys = [question.name]
        if question.label is not None:
            keys += [text for _, text in question.label.translations]
        if "geopoint" in question.type or question.type in ("gps", "location"):
            for part in _GEO_PARTS:
                keys += [f"{question.name}-{part}", f"_{question.name}_{part}"]
        for key in keys:
            index.setdefault(norm(key), question.name)
    return index


def _resolve(header: str, index: dict[str, str], group_seps: tuple[str, ...]) -> str | None:
    key = norm(header)
    if key in index:
        return index[key]
    for sep in group_seps:
        # strip one group level at a time: labels may themselves contain the separator
        # ("Logistics/Audio/video worked well" is the item "Audio/video worked well")
        rest = header
        while sep in rest:
            rest = rest.split(sep, 1)[1]
            if norm(rest) in index:
                return index[norm(rest)]
    return None


def map_columns(
    data: PlatformData, instrument: Instrument, mapping: dict[str, str] | None = None
) -> dict[int, Target | None]:
    """Decide what every non-system column holds (None: unknown)."""
    index = header_index(instrument)
    custom = {norm(k): v for k, v in (mapping or {}).items()}
    multi = {i.id for i in instrument.items if i.type == "select_multiple"}
    unanalysed = unanalysed_index(instrument) if instrument.unanalysed else {}
    ignored: list[str] = []
    unclaimed: list[str] = []
    targets: dict[int, Target | None] = {}
    for pos, header in enumerate(data.headers):
        if pos in data.metadata:
            if pos in data.claimable:
                claimed = _claim(data, instrument, pos, custom, index)
                if claimed is not None:
                    targets[pos] = claimed
                elif data.claimable[pos] == "other_text":
                    unclaimed.append(header)
            continue
        if not header.strip():
            if (data.body[pos].astype(str).str.strip() != "").any():
                targets[pos] = None  # data without a header: reported, never used
            continue
        text = data.texts[pos] if data.texts else ""
        target = _custom_target(custom, header, text, instrument, pos, data.path_hint)
        if target is None:
            target = _find_target(data, instrument, pos, header, text, index, multi)
        if target is None and unanalysed:
            name = _resolve(header, unanalysed, data.group_seps) or (
                _resolve(text, unanalysed, data.group_seps) if text else None
            )
            if name is not None:
                target = Target(IGNORE)
                ignored.append(header)
        targets[pos] = target
    if unclaimed:
        data.notes.append(
            f"{len(unclaimed)} 'other, specify' column(s) not used: {_shown(unclaimed)}; "
            "send each to a text item with --map to keep it"
        )
    if ignored:
        data.notes.append(
            f"{len(ignored)} column(s) of questions {instrument.id} records as not analysed "
            f"(geopoint, time, calculate, ...) ignored: {_shown(ignored)}"
        )
    return targets


def _shown(headers: list[str]) -> str:
    return ", ".join(repr(h) for h in headers[:5]) + (" ..." if len(headers) > 5 else "")


def _claim(
    data: PlatformData,
    instrument: Instrument,
    pos: int,
    custom: dict[str, str],
    index: dict[str, str],
) -> Target | None:
    """The item a claimable system column goes to (``--map``, else the text item of its id
    or text), or None.

    An e-mail column goes only to a personal (``pii: true``) item: it is then never stored
    as such, and as a keyed hash when the item is ``role: id`` (docs/ingest.md).
    """
    header = data.headers[pos]
    text = data.texts[pos] if data.texts else ""
    target = _custom_target(custom, header, text, instrument, pos, data.path_hint)
    if target is None:
        item_id = next((index[k] for k in (norm(header), norm(text)) if k and k in index), None)
        # unasked, a system column only goes to a text item (never to a question's choices)
        if item_id is None or instrument.item(item_id).type != "text":
            return None
        target = Target(item_id)
    if target.item == IGNORE:
        return target
    item = instrument.item(target.item)
    if data.claimable[pos] == "email" and not item.pii:
        raise InputError(
            "bad-map",
            f"column {header!r} holds e-mail addresses but item {item.id!r} is not marked personal",
            Location(file=data.path_hint or None, column=header),
            f"mark {item.id} 'pii: true' (and 'role: id' to link follow-ups by it)",
        )
    return target


def _custom_target(
    custom: dict[str, str], header: str, text: str, instrument: Instrument, pos: int, path: str
) -> Target | None:
    for key in (norm(header), norm(text)):
        if key and key in custom:
            value = str(custom[key])
            if value == IGNORE:
                return Target(IGNORE)
            item_id, _, choice = value.partition("__")
            choices = instrument.choices_for(item_id) if instrument.has_item(item_id) else None
            bad_choice = bool(choice) and (choices is None or choices.find(choice) is None)
            if not instrument.has_item(item_id) or bad_choice:
                raise InputError(
                    "bad-map",
                    f"the map sends column {header!r} to {value!r}, which is not an item of "
                    f"{instrument.id}",
                    Location(file=path or None, column=header),
                    "use an item id, <item>__<choice> or 'ignore'",
                )
            return Target(item_id, choice or None)
    return None


def _find_target(
    data: PlatformData,
    instrument: Instrument,
    pos: int,
    header: str,
    text: str,
    index: dict[str, str],
    multi: set[str],
) -> Target | None:
    if pos in data.split_choice_ids:
        base = header.rsplit("_", 1)[0] if "_" in header else header
        item_id = _resolve(base, index, ()) or _resolve(text.split(" - ")[0], index, ())
        choice = (
            _qualtrics_choice(instrument, item_id, data, pos, text) if item_id in multi else None
        )
        if item_id in multi and choice is not None:
            return Target(item_id, choice)
        return None  # a split column whose option is not a choice of the item
    for candidate in (header, text):
        if not candidate:
            continue
        item_id = index.get(norm(candidate))
        if item_id:
            return Target(item_id)
    for sep in data.option_seps:
        start = len(header)
        while (cut := header.rfind(sep, 0, start)) > 0:
            item_id = _resolve(header[:cut], index, data.group_seps)
            if item_id in multi:
                choice = choice_index(instrument, instrument.item(item_id)).get(
                    norm(header[cut + len(sep) :])
                )
                if choice is not None:
                    return Target(item_id, str(choice))
            start = cut
    for candidate in (header, text):
        item_id = _resolve(candidate, index, data.group_seps) if candidate else None
        if item_id:
            return Target(item_id)
    return None


def _qualtrics_choice(
    instrument: Instrument, item_id: str, data: PlatformData, pos: int, text: str
) -> str | None:
    choices = instrument.choices_for(item_id)
    if choices is None:
        return None
    if " - " in text:
        found = choice_index(instrument, instrument.item(item_id)).get(norm(text.rsplit(" - ")[-1]))
        if found is not None:
            return str(found)
    choice_id = data.split_choice_ids[pos][1]
    found_id = choices.find(choice_id)
    if found_id is not None:
        return str(found_id.value)
    if choice_id.isdigit() and 1 <= int(choice_id) <= len(choices):
        return choices.choices[int(choice_id) - 1].name
    return None


_DUPLICATE_HINTS = {
    # two questions of a Kobo form may share a label, never a name: the XML export is unique
    "kobo": "two questions (or options) share this label: export again from KoboToolbox "
    'with "Value and header format" set to "XML values and headers" (names are unique)',
    "": "rename one of the columns (or delete the copy) and read the file again",
}


def check_duplicate_headers(data: PlatformData) -> None:
    """Refuse a header that appears twice, metadata columns included: a second
    ``response_id`` or ``submitted_at`` column was passed over silently (issue 17)."""
    seen: dict[str, int] = {}
    for pos, header in enumerate(data.headers):
        if not header.strip():
            continue
        key = norm(header) + "\x00" + (norm(data.texts[pos]) if data.texts else "")
        if key in seen:
            raise InputError(
                "duplicate-header",
                f"the header {header!r} appears twice (columns {seen[key] + 1} and {pos + 1})",
                Location(file=data.path_hint or None, column=header),
                _DUPLICATE_HINTS.get(data.platform, _DUPLICATE_HINTS[""]),
            )
        seen[key] = pos


def column_report(data: PlatformData, targets: dict[int, Target | None]) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for pos, header in enumerate(data.headers):
        if pos in data.metadata and pos not in targets:
            used, item, choice = "metadata", None, None
        elif not header.strip() and pos not in targets:
            continue
        else:
            target = targets.get(pos)
            if target is None:
                used, item, choice = "unknown", None, None
            elif target.item == IGNORE:
                used, item, choice = "ignored", None, None
            else:
                used = "option" if target.choice else "item"
                item, choice = target.item, target.choice
        if not header.strip():
            header = f"(column {pos + 1}, no header)"
        rows.append(
            {"position": pos + 1, "header": header, "used_as": used, "item": item, "choice": choice}
        )
    return pd.DataFrame(rows, columns=COLUMN_REPORT_COLUMNS)
