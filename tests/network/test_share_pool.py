"""evalkit share and evalkit pool: what a bundle holds, verification, the CLI contract."""

from __future__ import annotations

import json
import zipfile

import pandas as pd
import pytest

from evalkit.cli.main import cli
from evalkit.errors import DataError
from evalkit.network.bundle import read_bundle, write_bundle
from evalkit.network.pool import POOLED_COLUMNS, pool
from evalkit.network.share import share_from_workspace


@pytest.fixture(scope="module")
def bundles(city_workspaces, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bundles")
    for city, ws in city_workspaces.items():
        share = share_from_workspace(str(ws), "2026", city)
        write_bundle(folder / f"{city}.zip", share.meta, share.tables)
    return folder


def _zip_text(path) -> str:
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8") for n in z.namelist())


def test_share_cli_writes_a_frictionless_package(runner, city_workspaces, tmp_path):
    out = tmp_path / "avon.zip"
    ws = str(city_workspaces["Avon"])
    result = runner.invoke(
        cli, ["share", "--workspace", ws, "--period", "2026", "--city", "Avon", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        descriptor = json.loads(z.read("datapackage.json"))
    assert names == {"datapackage.json", "manifest.sha256", "data/counts.csv",
                     "data/counts_by_type.csv", "data/moments.csv", "data/kpis.csv",
                     "data/disclosure_log.csv"}  # fmt: skip
    assert descriptor["profile"] == "tabular-data-package"
    for resource in descriptor["resources"]:
        assert resource["hash"].startswith("sha256:")
        assert [f["name"] for f in resource["schema"]["fields"]]
    meta = descriptor["evalkit"]
    assert meta["city"] == "Avon" and meta["instrument_id"] == "post_engagement"
    assert len(meta["wording_hash"]) == 64 and meta["min_cell"] == 10


def test_bundle_carries_no_microdata_or_small_cells(runner, city_workspaces, tmp_path):
    """No response id, respondent key, free text, pii item or count from 1 to K-1."""
    from evalkit.store import load_responses

    ws = city_workspaces["Bree"]
    frame = load_responses(ws, "post_engagement", "2026")
    out = tmp_path / "bree.zip"
    share = share_from_workspace(str(ws), "2026", "Bree", min_cell=10)
    write_bundle(out, share.meta, share.tables)
    text = _zip_text(out)
    for rid in frame["response_id"].head(50):
        assert str(rid) not in text
    for column in ("participant_code", "most_valuable", "email", "travel_from", "engagement_id"):
        assert column not in text
    for value in frame["travel_from"].dropna().unique()[:20]:
        assert str(value) not in text
    assert "__key" not in text and "submitted_at" not in text
    b = read_bundle(out)
    counts = b.tables["counts"]["count"]
    assert ((counts == 0) | (counts >= 10)).all()
    assert (b.tables["moments"]["n"] >= 10).all()
    kpis = b.tables["kpis"]
    props = kpis[kpis["kind"] == "proportion"]
    for num, den in zip(props["numerator"], props["denominator"], strict=True):
        assert num == 0 or num >= 10
        assert den - num == 0 or den - num >= 10


def test_margins_do_not_reveal_a_small_group(tmp_path):
    """A group below K is left out of every table, so no margin minus cells derives it."""
    from evalkit.instrument import load_instrument
    from evalkit.network.share import aggregate_frame
    from evalkit.sample.generate import generate_responses

    inst = load_instrument("post_engagement")
    frame = generate_responses(inst, 400, seed=5)
    remote = frame.index[frame["mode"] == "hybrid_remote"]
    frame = frame.drop(remote[6:])  # six remote respondents remain
    share = aggregate_frame(frame, inst, "Dunn", "2026", min_cell=10)
    kept = len(frame) - 6
    assert share.meta["responses"] == kept
    assert "hybrid_remote" not in set(share.tables["counts"]["group"])
    assert "hybrid_remote" not in set(share.tables["moments"]["group"])
    log = share.tables["disclosure_log"]
    assert ((log["group"] == "hybrid_remote") & (log["action"] == "excluded")).any()
    # every KPI denominator counts only the groups that are shown
    props = share.tables["kpis"][share.tables["kpis"]["kind"] == "proportion"]
    assert (props["denominator"] <= kept).all()
    # each count table is whole: its groups' totals never miss a shown group
    counts = share.tables["counts"]
    for _, block in counts.groupby("outcome"):
        assert set(block["group"]) == set(share.meta["groups"])


def test_dry_run_shows_what_would_leave(runner, city_workspaces, tmp_path):
    ws = str(city_workspaces["Cray"])
    result = runner.invoke(
        cli, ["share", "--workspace", ws, "--period", "2026", "--city", "Cray", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "nothing else leaves" in result.output
    assert "counts (" in result.output and "disclosure log (" in result.output
    assert not list(tmp_path.iterdir())


def test_pool_json_equals_the_library_result(runner, bundles, tmp_path):
    out_json = tmp_path / "pooled.json"
    result = runner.invoke(cli, ["pool", str(bundles), "--json", str(out_json)])
    assert result.exit_code == 0, result.output
    printed = json.loads(out_json.read_text())
    library = pool([bundles]).to_dict()
    library["metadata"] = printed["metadata"] = None
    assert printed == json.loads(json.dumps(library))
    assert list(printed["pooled"][0]) == POOLED_COLUMNS
    assert "value_index" in result.output


def test_pool_writes_parquet_tables(runner, bundles, tmp_path):
    out = tmp_path / "network"
    result = runner.invoke(cli, ["pool", *sorted(str(p) for p in bundles.glob("*.zip")),
                                 "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    pooled = pd.read_parquet(out / "pooled.parquet")
    assert list(pooled.columns) == POOLED_COLUMNS
    assert set(pooled["k"].dropna()) <= {1, 2, 3}
    assert (out / "results.json").is_file() and (out / "withheld.csv").is_file()


def test_tampered_bundle_is_refused_naming_bundle_and_file(runner, bundles, tmp_path):
    source = bundles / "Avon.zip"
    bad = tmp_path / "Avon.zip"
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(bad, "w") as out:
        for name in z.namelist():
            data = z.read(name)
            if name == "data/counts.csv":
                data = data.rstrip(b"\n") + b"1\n"  # the last count gains a digit
            out.writestr(name, data)
    result = runner.invoke(cli, ["pool", str(bad), str(bundles / "Bree.zip")])
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert str(bad) in lines[0] and "data/counts.csv" in lines[0] and "changed" in lines[0]


def test_same_city_and_period_twice_is_refused(bundles, tmp_path):
    copy = tmp_path / "avon-again.zip"
    copy.write_bytes((bundles / "Avon.zip").read_bytes())
    with pytest.raises(DataError, match="two bundles of Avon, period 2026"):
        pool([bundles / "Avon.zip", copy])


def test_mixed_instrument_versions_are_not_pooled(runner, bundles, tmp_path):
    b = read_bundle(bundles / "Bree.zip")
    meta = {**b.meta, "instrument_version": "2.0.0", "instrument_major": "2"}
    other = tmp_path / "bree-v2.zip"
    write_bundle(other, meta, b.tables)
    result = runner.invoke(cli, ["pool", str(bundles / "Avon.zip"), str(other)])
    assert result.exit_code != 0
    assert "instrument major version differs" in result.output
    assert len(result.output.strip().splitlines()) == 1
    meta = {**b.meta, "wording_hash": "0" * 64}
    write_bundle(other, meta, b.tables)
    with pytest.raises(DataError, match="instrument wording differs"):
        pool([bundles / "Avon.zip", other])


def test_unknown_outcome_is_one_line(runner, bundles):
    result = runner.invoke(cli, ["pool", str(bundles), "--outcome", "nope"])
    assert result.exit_code != 0 and "no bundle has the outcome 'nope'" in result.output
