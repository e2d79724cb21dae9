"""kill -9 in the middle of each workspace command leaves the workspace as it was.

A child process runs the command with a hook that, after the command has changed the
tables but before it commits, says so and sleeps; the test kills it with SIGKILL there and
compares every table of the workspace with its contents before.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from evalkit.instrument import load_instrument
from evalkit.store import ingest_file

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
HEAD = "response_id,submitted_at,engagement_id,mode,worth_time,participant_code\n"
ROOT = Path(__file__).resolve().parents[2]


def _dump(db: Path) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        tables = [r[0] for r in rows]
        return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall()))
                for t in sorted(tables)}  # fmt: skip
    finally:
        con.close()


@pytest.fixture
def db(tmp_path):
    inst = load_instrument("post_engagement")
    one = tmp_path / "one.csv"
    one.write_text(HEAD + "r1,2026-03-01T10:00:00Z,E1,virtual,2,a@x.org\n"
                   "r2,2026-03-01T11:00:00Z,E1,virtual,4,b@x.org\n")  # fmt: skip
    two = tmp_path / "two.csv"
    two.write_text(HEAD + "r1,2026-03-01T10:00:00Z,E1,virtual,5,a@x.org\n"
                   "r3,2026-03-02T11:00:00Z,E2,virtual,3,c@x.org\n")  # fmt: skip
    path = tmp_path / "w.duckdb"
    ingest_file(one, inst, workspace=path, period="2026")
    ingest_file(two, inst, workspace=path, period="2026")
    return path


HOOK = """
import sys, time
from pathlib import Path
from evalkit.store import db as _db, ingest as _ingest
ready = Path(sys.argv[1])
def _hang(original):
    def hang(*args, **kwargs):
        original(*args, **kwargs)
        ready.write_text("in the transaction")
        time.sleep(60)
    return hang
_db.log = _hang(_db.log)
_ingest._record_provenance = _hang(_ingest._record_provenance)
"""

COMMANDS = {
    "ingest": "from evalkit.store import ingest_file; from evalkit.instrument import "
    "load_instrument; ingest_file(W.parent / 'three.csv', load_instrument('post_engagement'), "
    "workspace=W, period='2026')",
    "undo": "from evalkit.store.maintain import undo; undo(W, 2)",
    "relabel": "from evalkit.store.maintain import relabel; relabel(W, '2026', '2027')",
    "erase": "from evalkit.store.tombstones import erase; erase(W, response_id='r1')",
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_kill_9_mid_command_leaves_the_workspace_as_before(db, command, tmp_path):
    (tmp_path / "three.csv").write_text(
        HEAD + "r1,2026-03-01T10:00:00Z,E1,virtual,1,a@x.org\n"
        "r4,2026-03-03T11:00:00Z,E2,virtual,3,d@x.org\n"
    )
    before = _dump(db)
    ready = tmp_path / "ready"
    script = HOOK + f"\nfrom pathlib import Path\nW = Path({str(db)!r})\n" + COMMANDS[command]
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), str(ready)], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the command never reached its hook"
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert _dump(db) == before
