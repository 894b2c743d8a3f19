"""Review of #10/#11, findings 4 and 13: a scenario compared with itself is refused where it is
written (not an internal error); an overflow is blamed on the input that causes it, and only the
view that cannot hold the number fails."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

import lca
from lca.errors import LcaInputError


def _variant(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = lca.default_study_path().read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------- finding 4: A compared with A

SELF = ('alternative = "charlotte-coated"', 'alternative = "jp-import"')


def test_a_comparison_of_a_scenario_with_itself_is_refused_at_load(tmp_path, cli):
    """Before: `lca validate` said ok, `run` and `report` ended in "internal error … duplicate"."""
    path = _variant(tmp_path, SELF)
    with pytest.raises(LcaInputError) as err:
        lca.load_study(path)
    assert [(p.file, p.table, p.column) for p in err.value.problems] == [(str(path), "comparison", "alternative")]
    assert "jp-import" in err.value.problems[0].message
    for command in (["validate"], ["run"], ["report", "-o", tmp_path / "r.html"], ["uncertainty", "-n", "50"]):
        r = cli(command[0], path, *command[1:])
        assert r.exit_code == 1 and "internal error" not in r.stderr, command
        assert "comparison, column 'alternative'" in r.stderr, command
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("command", ["run", "uncertainty"])
def test_compare_with_itself_is_a_usage_error_naming_the_option(command, cli):
    r = cli(command, "--compare", "jp-import", "jp-import", *(["-n", "50"] if command == "uncertainty" else []))
    assert r.exit_code == 2 and "--compare" in r.stderr and "compared with itself" in r.stderr
    assert "internal error" not in r.stderr


def test_the_api_refuses_a_comparison_with_itself(default_fp):
    with pytest.raises(LcaInputError, match="compared with itself"):
        default_fp.compare("jp-import", "jp-import")
    from lca.uncertainty import run_uncertainty

    with pytest.raises(LcaInputError, match="compared with itself"):
        run_uncertainty(default_fp, 20, 1, compare=["ontario", "ontario"])
