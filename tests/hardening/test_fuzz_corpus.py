"""The hostile corpus (tests/hardening/corpus.py, at least 60 inputs) run through validate,
ingest, instrument check/show and analyze in a subprocess: each ends in a one-line error
(exit 2) or a read with every row valid or quarantined (exit 0/1), in a few CPU seconds and
under 500 MB, with no traceback and no internal error (issue 17, point 6)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .corpus import CASES

ROOT = Path(__file__).resolve().parents[2]
MAX_CPU_S = 5.0
MAX_RSS_MB = 500
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_the_corpus_has_at_least_sixty_inputs():
    assert len(CASES) >= 60
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    env = {**os.environ, "PYTHONWARNINGS": "default"}  # a leaked warning shows in the output
    done = subprocess.run(
        [sys.executable, "-m", "tests.hardening.fuzz_worker", str(folder)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env=env, check=False,
    )  # fmt: skip
    records = {}
    for line in done.stdout.splitlines():
        record = json.loads(line)
        records[record["name"]] = record
    assert done.returncode == 0, done.stderr[-3000:]
    return records


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_input_ends_cleanly(case, results):
    record = results[case.name]
    output = record["output"]
    assert record["exception"] is None, record["exception"]
    assert "Traceback" not in output and "internal error" not in output, output
    assert "Warning" not in output, output  # numpy/pandas warnings must not leak
    assert not CONTROL.search(output), repr(output)  # no escape sequence reaches a terminal
    assert record["cpu_s"] < MAX_CPU_S, f"{record['cpu_s']:.1f} CPU s"
    assert record["max_rss_mb"] < MAX_RSS_MB, f"{record['max_rss_mb']:.0f} MB"
    if record["exit_code"] == 2:
        errors = [line for line in output.splitlines() if line.lower().startswith("error")]
        assert len(errors) == 1, output
        if output.startswith("error: "):
            assert record["output_lines"] == 1, output
        return
    assert record["exit_code"] in (0, 1), output
    if case.command[0] in ("validate", "ingest"):
        summary = record["summary"]
        assert summary, output
        if "rows" in summary:  # validate
            rows_in = summary["rows"]["in"]
            assert rows_in == summary["rows"]["valid"] + summary["rows"]["quarantined"]
        else:  # ingest: new + changed + already present + quarantined
            rows_in = summary["rows_in"]
            parts = [v for k, v in summary.items() if k.startswith("rows_") and k != "rows_in"]
            assert rows_in == sum(parts), summary
        if case.rows is not None:
            assert rows_in == case.rows
    elif case.rows is not None:
        pytest.fail(f"{case.name} is expected to be read: {output}")
