"""Runs the hostile corpus in one process (``python -m tests.hardening.fuzz_worker DIR``):
every case through the CLI as a user would run it, one JSON line of results per case
(exit code, output, CPU seconds, wall seconds, peak RSS so far). One process for all keeps
the corpus fast (evalkit and pandas are imported once); the peak RSS only grows, so a
case's reading is an upper bound of its own."""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(folder: str) -> None:
    from click.testing import CliRunner

    from evalkit.cli.main import cli
    from tests.hardening.corpus import CASES

    root = Path(folder)
    runner = CliRunner()
    for case in CASES:
        path = root / f"{case.name}{case.suffix}"
        if not path.exists():
            case.write(path)
        args = [
            a.replace("{path}", str(path)).replace("{workspace}", str(root / f"{case.name}.duckdb"))
            for a in case.command
        ]
        saved = {k: os.environ.get(k) for k in case.env}
        os.environ.update(case.env)
        cpu, wall = _cpu(), time.perf_counter()
        try:
            result = runner.invoke(cli, [*args, "--json"] if _takes_json(args) else args)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        try:
            summary = json.loads(result.output)
        except ValueError:
            summary = None
        if isinstance(summary, dict):  # only the row counts: the rest may be large
            summary = {k: v for k, v in summary.items() if k == "rows" or k.startswith("rows_")}
        record = {
            "name": case.name,
            "summary": summary,
            "exit_code": result.exit_code,
            "output": result.output[-3000:],
            "output_lines": result.output.count("\n"),
            "exception": None
            if result.exception is None or isinstance(result.exception, SystemExit)
            else f"{type(result.exception).__name__}: {result.exception}"[:500],
            "cpu_s": _cpu() - cpu,
            "wall_s": time.perf_counter() - wall,
            "max_rss_mb": _peak_rss_mb(),
        }
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()


def _peak_rss_mb() -> float:
    """This process' peak RSS: VmHWM on Linux (ru_maxrss after exec still holds the peak of
    the forked parent, pytest's, there), else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _takes_json(args: list[str]) -> bool:
    return args[0] in ("validate", "ingest")


if __name__ == "__main__":
    main(sys.argv[1])
