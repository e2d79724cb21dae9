"""A plain ``pip install`` gets the instrument library and the JSON Schema as package data."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"building the wheel failed: {result.stderr[-2000:]}")
    (path,) = out.glob("evalkit-*.whl")
    return path


def test_wheel_ships_instruments_and_schema(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        Path(n).stem for n in names if n.startswith("evalkit/instruments/") and n.endswith(".yaml")
    }
    sources = {p.stem for p in (ROOT / "instruments").glob("*.yaml")}
    assert shipped == sources
    assert "evalkit/instrument/instrument.schema.json" in names


def test_installed_wheel_finds_its_library(wheel, tmp_path):
    zipfile.ZipFile(wheel).extractall(tmp_path)
    code = (
        "import evalkit.instrument.library as lib, sys; "
        f"assert str(lib.library_dir()).startswith({str(tmp_path)!r}), lib.library_dir(); "
        "print(len(lib.load_library()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(list((ROOT / "instruments").glob("*.yaml"))) - (
        1 if (ROOT / "instruments" / "kpis.yaml").exists() else 0
    )
