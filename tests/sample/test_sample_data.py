"""sample_data/ is exactly what the documented command writes (regenerated bit for bit)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from evalkit.cli.main import cli

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "README.md"
    }


def test_regenerating_sample_data_gives_the_same_bytes(tmp_path):
    """The command of sample_data/README.md, run again, writes the committed files."""
    result = CliRunner().invoke(cli, ["sample", "city", "-o", str(tmp_path / "sd")])
    assert result.exit_code == 0, result.output
    committed, fresh = _files(SAMPLE_DATA), _files(tmp_path / "sd")
    assert sorted(fresh) == sorted(committed)
    assert len(committed) == 16
    changed = [name for name in committed if committed[name] != fresh[name]]
    assert changed == []


def test_the_readme_gives_the_command_and_explains_every_bad_row():
    from evalkit.sample.city import BAD_ROWS

    readme = (SAMPLE_DATA / "README.md").read_text(encoding="utf-8")
    assert "evalkit sample city -o sample_data" in readme
    for bad in BAD_ROWS:
        assert f"`{bad.column}`" in readme, bad
    for platform in ("KoboToolbox", "ODK Central", "Qualtrics", "Google Forms", "Microsoft Forms"):
        assert platform in readme
