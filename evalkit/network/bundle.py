"""The bundle: one zip an office can e-mail, a Frictionless Data Package of aggregates.

Layout::

    datapackage.json        profile tabular-data-package; a Table Schema per resource;
                            the "evalkit" key: city, period, instrument id / version /
                            wording hash, evalkit version, date, min_cell
    data/counts.csv         group × level counts per outcome item
    data/counts_by_type.csv the same split by type of engagement (see by_type.py); absent
                            from bundles written before evalkit had it (read as empty)
    data/moments.csv        per-group n, mean, variance of numeric outcomes and scales
    data/kpis.csv           KPI numerators and denominators (or n, mean, variance)
    data/disclosure_log.csv what was coarsened or withheld, and why
    manifest.sha256         SHA-256 of every other file ("<hex>  <path>", sha256sum format)

:func:`read_bundle` verifies the manifest (every file listed, none extra, every checksum
right) and the resource hashes of datapackage.json before it returns a single table; a
changed file is refused naming the bundle and the file. The checksums detect changes and
damage, not forgery: a network that needs authenticity signs the zip (e.g. with GPG).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from evalkit.errors import DataError, Location

MANIFEST = "manifest.sha256"
DESCRIPTOR = "datapackage.json"
# tables a bundle of an older evalkit may lack; read as empty tables with their columns
OPTIONAL_TABLES = ("counts_by_type",)
MAX_BUNDLE_BYTES = 50 * 1024 * 1024  # a bundle of aggregates is kilobytes; raise if needed

# name -> [(field, Table Schema type, description)]
SCHEMAS: dict[str, list[tuple[str, str, str]]] = {
    "counts": [
        ("outcome", "string", "item id (select_multiple: item__choice)"),
        ("outcome_type", "string", "ordinal, nominal or binary"),
        ("group_var", "string", "the breakdown, e.g. mode"),
        ("group", "string", "the group's value, e.g. virtual"),
        ("level", "string", "choice value, or merged values joined by '|'"),
        ("level_order", "integer", "position of the level (bin) in the item's order"),
        ("score", "number", "mean of the merged level values (ordinal items)"),
        ("count", "integer", "respondents; 0 or at least min_cell"),
    ],
    "counts_by_type": [
        ("outcome", "string", "item id (select_multiple: item__choice)"),
        ("outcome_type", "string", "ordinal, nominal or binary"),
        ("engagement_type", "string", "type of engagement; 'other': unknown, other or small"),
        ("group_var", "string", "the breakdown, e.g. mode"),
        ("group", "string", "the group's value, e.g. virtual"),
        ("level", "string", "choice value, or merged values joined by '|'"),
        ("level_order", "integer", "position of the level (bin); the same bins in every type"),
        ("score", "number", "mean of the merged level values (ordinal items)"),
        ("count", "integer", "respondents; 0 or at least min_cell"),
    ],
    "moments": [
        ("outcome", "string", "numeric item id or scale id"),
        ("outcome_type", "string", "numeric or scale"),
        ("group_var", "string", "the breakdown, e.g. mode"),
        ("group", "string", "the group's value"),
        ("n", "integer", "answers; at least min_cell"),
        ("mean", "number", "mean of the answers"),
        ("variance", "number", "sample variance (n - 1 denominator)"),
    ],
    "kpis": [
        ("kpi_id", "string", "KPI id in the catalogue"),
        ("code", "string", "KPI code, e.g. K4"),
        ("kind", "string", "proportion, mean, index, ..."),
        ("unit", "string", "share, points, ..."),
        ("numerator", "number", "proportions: respondents meeting the KPI"),
        ("denominator", "number", "proportions: respondents in the KPI's population"),
        ("n", "integer", "respondents the value rests on"),
        ("mean", "number", "means and indices: the mean"),
        ("variance", "number", "means and indices: the sample variance"),
        ("value", "number", "the KPI's value"),
    ],
    "disclosure_log": [
        ("table", "string", "counts, counts_by_type, moments, kpis or all"),
        ("outcome", "string", "item, scale or KPI"),
        ("group", "string", "group concerned (empty: every group)"),
        ("action", "string", "excluded, coarsened or withheld"),
        ("reason", "string", "why, in words"),
    ],
}


def columns(name: str) -> list[str]:
    """The fixed column names of a bundle table."""
    return [f for f, _, _ in SCHEMAS[name]]


@dataclass
class Bundle:
    """A verified bundle: its metadata (the descriptor's ``evalkit`` key) and tables."""

    path: str
    meta: dict[str, Any]
    tables: dict[str, pd.DataFrame]

    @property
    def city(self) -> str:
        return str(self.meta["city"])

    @property
    def period(self) -> str:
        return str(self.meta["period"])


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def bundle_files(meta: dict[str, Any], tables: dict[str, pd.DataFrame]) -> dict[str, bytes]:
    """Every file of the bundle, by path inside the zip (descriptor and manifest included)."""
    files: dict[str, bytes] = {}
    resources = []
    for name in SCHEMAS:
        frame = tables.get(name, pd.DataFrame()).reindex(columns=columns(name))
        data = _csv_bytes(frame)
        path = f"data/{name}.csv"
        files[path] = data
        resources.append(
            {
                "name": name.replace("_", "-"),
                "path": path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(data),
                "hash": f"sha256:{_sha256(data)}",
                "schema": {
                    "fields": [
                        {"name": f, "type": t, "description": d} for f, t, d in SCHEMAS[name]
                    ]
                },
            }
        )
    slug = "-".join(
        str(meta[k]).lower().replace(" ", "-") for k in ("city", "period", "instrument_id")
    )
    descriptor = {
        "profile": "tabular-data-package",
        "name": "".join(c for c in slug if c.isalnum() or c in "-._") or "evalkit-bundle",
        "title": f"evalkit bundle: {meta['city']}, {meta['period']}, {meta['instrument_id']}",
        "created": meta["created"],
        "evalkit": meta,
        "resources": resources,
    }
    files[DESCRIPTOR] = (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode()
    manifest = "".join(f"{_sha256(data)}  {path}\n" for path, data in sorted(files.items()))
    files[MANIFEST] = manifest.encode("utf-8")
    return files


def write_bundle(path: str | Path, meta: dict[str, Any], tables: dict[str, pd.DataFrame]) -> Path:
    """Write the bundle zip atomically; returns its path."""
    from evalkit.io import atomic_path

    files = bundle_files(meta, tables)
    with (
        atomic_path(path) as tmp,
        zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return Path(path)


def _refuse(path: str, message: str, name: str | None = None) -> DataError:
    return DataError(
        message,
        Location(file=path, key=name),
        "ask the office for a fresh copy of its bundle (evalkit share) and do not edit it",
    )


def _read_files(path: str) -> dict[str, bytes]:
    p = Path(path)
    if not p.is_file():
        raise DataError("no such bundle", Location(file=path), "give the path of a bundle zip")
    if p.stat().st_size > MAX_BUNDLE_BYTES:
        raise _refuse(path, f"bundle larger than {MAX_BUNDLE_BYTES // 2**20} MiB")
    try:
        with zipfile.ZipFile(p) as archive:
            files = {}
            for info in archive.infolist():
                if info.is_dir():
                    continue
                if info.file_size > MAX_BUNDLE_BYTES:
                    raise _refuse(path, "file too large for a bundle", info.filename)
                files[info.filename] = archive.read(info)
            return files
    except zipfile.BadZipFile as error:
        raise _refuse(path, f"not a zip file ({error})") from error


def read_bundle(path: str | Path) -> Bundle:
    """Read and verify a bundle; refuse (DataError naming bundle and file) any change."""
    path = str(path)
    files = _read_files(path)
    if MANIFEST not in files:
        raise _refuse(path, f"the bundle has no {MANIFEST}: not an evalkit bundle")
    listed: dict[str, str] = {}
    for line in files[MANIFEST].decode("utf-8", "replace").splitlines():
        digest, _, name = line.partition("  ")
        if name:
            listed[name] = digest
    for name in sorted(set(files) - {MANIFEST}):
        if name not in listed:
            raise _refuse(path, "file not in the manifest (added after sharing)", name)
        if _sha256(files[name]) != listed[name]:
            raise _refuse(path, "file changed after sharing (SHA-256 does not match)", name)
    for name in sorted(set(listed) - set(files)):
        raise _refuse(path, "file listed in the manifest is missing", name)
    try:
        descriptor = json.loads(files[DESCRIPTOR])
    except (KeyError, ValueError) as error:
        raise _refuse(path, f"unreadable {DESCRIPTOR} ({error})", DESCRIPTOR) from error
    tables: dict[str, pd.DataFrame] = {}
    for resource in descriptor.get("resources", []):
        name, rpath = resource["name"].replace("-", "_"), resource["path"]
        data = files.get(rpath)
        if data is None or resource.get("hash") != f"sha256:{_sha256(data)}":
            raise _refuse(path, "resource does not match datapackage.json", rpath)
        if name not in SCHEMAS:
            continue
        frame = pd.read_csv(io.BytesIO(data), keep_default_na=True, dtype={
            f: "string" for f, t, _ in SCHEMAS[name] if t == "string"
        })  # fmt: skip
        if list(frame.columns) != columns(name):
            raise _refuse(path, f"columns are not {', '.join(columns(name))}", rpath)
        tables[name] = frame
    for name in OPTIONAL_TABLES:
        tables.setdefault(name, pd.DataFrame(columns=columns(name)))
    missing = [n for n in SCHEMAS if n not in tables]
    if missing:
        raise _refuse(path, f"the bundle lacks the table {missing[0]}", DESCRIPTOR)
    return Bundle(path, dict(descriptor["evalkit"]), tables)
