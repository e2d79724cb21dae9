"""Reading ahead: a file parsed in the background while a command imports its libraries
gives the grid, the errors and the command output of reading it in place."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from pathlib import Path

import pytest

from evalkit.cli.main import cli
from evalkit.ingest import detect
from evalkit.ingest.detect import prefetch_grid, read_grid

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "2026" / "post_engagement.kobo.csv"
CORPUS = Path(__file__).parent / "bad_inputs"


@pytest.fixture
def every_file_read_ahead(monkeypatch):
    monkeypatch.setattr(detect, "PREFETCH_MIN_BYTES", 0)
    monkeypatch.setattr(detect, "_PREFETCHED", {})


def _same_grid(a, b) -> None:
    assert (a.encoding, a.delimiter, a.kind, a.empty_rows) == (
        b.encoding,
        b.delimiter,
        b.kind,
        b.empty_rows,
    )
    assert a.cells.astype(str).equals(b.cells.astype(str))


@pytest.mark.usefixtures("every_file_read_ahead")
@pytest.mark.parametrize("path", [SAMPLE, CORPUS / "bom_utf8.csv", CORPUS / "blank_lines.csv"])
def test_read_ahead_grid_equals_a_read_in_place(path):
    prefetch_grid(path)
    assert len(detect._PREFETCHED) == 1
    ahead = read_grid(path)
    assert detect._PREFETCHED == {}  # taken once, not kept
    _same_grid(ahead, read_grid(path))


@pytest.mark.usefixtures("every_file_read_ahead")
@pytest.mark.parametrize("name", ["binary.csv", "empty.csv", "mixed_encodings.csv"])
def test_an_error_while_reading_ahead_is_raised_by_the_reader(name):
    with pytest.raises(Exception) as in_place:
        read_grid(CORPUS / name)
    prefetch_grid(CORPUS / name)
    with pytest.raises(type(in_place.value)) as ahead:
        read_grid(CORPUS / name)
    assert str(ahead.value) == str(in_place.value)


@pytest.mark.usefixtures("every_file_read_ahead")
def test_a_file_changed_after_reading_ahead_is_read_again(tmp_path):
    path = tmp_path / "responses.csv"
    shutil.copy(SAMPLE, path)
    prefetch_grid(path)
    with path.open("a", encoding="utf-8") as handle:  # one more row: size and time change
        handle.write(SAMPLE.read_text(encoding="utf-8").splitlines()[1] + "\n")
    os.utime(path, ns=(1, 1))
    assert len(read_grid(path).cells) == len(read_grid(SAMPLE).cells) + 1


def test_small_and_missing_files_are_not_read_ahead(tmp_path, monkeypatch):
    monkeypatch.setattr(detect, "_PREFETCHED", {})
    prefetch_grid(SAMPLE)  # far below PREFETCH_MIN_BYTES
    prefetch_grid(tmp_path / "nope.csv")
    assert detect._PREFETCHED == {}


@pytest.mark.parametrize("command", ["validate", "analyze"])
def test_commands_print_the_same_with_and_without_reading_ahead(command, runner, monkeypatch):
    args = [command, str(SAMPLE), "--instrument", "post_engagement"]
    plain = runner.invoke(cli, args)
    monkeypatch.setattr(detect, "PREFETCH_MIN_BYTES", 0)
    monkeypatch.setattr(detect, "_PREFETCHED", {})
    calls = []
    monkeypatch.setattr(detect, "_read_grid", _counting(detect._read_grid, calls))
    ahead = runner.invoke(cli, args)
    assert len(calls) == 1 and detect._PREFETCHED == {}  # read once, ahead, and taken
    assert (ahead.exit_code, ahead.output) == (plain.exit_code, plain.output)


def _counting(function, calls):
    def wrapper(*args, **kwargs):
        calls.append(args)
        return function(*args, **kwargs)

    return wrapper


@pytest.mark.usefixtures("every_file_read_ahead")
def test_waiting_for_a_read_ahead_returns_when_it_is_parsed_and_leaves_the_grid(monkeypatch):
    started, release = [], threading.Event()
    real = detect._read_grid

    def slow_read(path):
        started.append(path)
        release.wait(5)
        return real(path)

    monkeypatch.setattr(detect, "_read_grid", slow_read)
    prefetch_grid(SAMPLE)
    thread = next(iter(detect._PREFETCHED.values()))[0]
    assert thread.is_alive()
    release.set()
    detect.wait_for_prefetch(SAMPLE)
    assert not thread.is_alive()
    assert len(detect._PREFETCHED) == 1  # still there for the reader
    _same_grid(read_grid(SAMPLE), real(SAMPLE))
    assert len(started) == 1 and detect._PREFETCHED == {}


@pytest.mark.usefixtures("every_file_read_ahead")
def test_waiting_for_a_file_not_read_ahead_does_not_wait_for_another(tmp_path, monkeypatch):
    release = threading.Event()
    real = detect._read_grid
    monkeypatch.setattr(detect, "_read_grid", lambda path: (release.wait(5), real(path))[1])
    other = tmp_path / "other.csv"
    shutil.copy(SAMPLE, other)
    prefetch_grid(other)
    thread = next(iter(detect._PREFETCHED.values()))[0]
    detect.wait_for_prefetch(SAMPLE)  # not read ahead: returns although `other` is parsing
    detect.wait_for_prefetch(tmp_path / "nope.csv")
    assert thread.is_alive() and len(detect._PREFETCHED) == 1
    release.set()
    thread.join()


@pytest.mark.usefixtures("every_file_read_ahead")
def test_analyze_hashes_the_file_read_ahead(runner, tmp_path):
    out = tmp_path / "result.json"
    result = runner.invoke(
        cli, ["analyze", str(SAMPLE), "--instrument", "post_engagement", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    meta = json.loads(out.read_text())["metadata"]
    assert meta["input_sha256"] == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
