"""Messages that named the wrong cause (review finding 16): link loops, non-factor files, sizes."""

from __future__ import annotations

import os

import pytest

from lca.uncertainty.checks import parse_bytes
from lca.validation import validate_paths


def test_validate_names_a_symbolic_link_loop_as_run_does(cli, tmp_path):
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    os.symlink(b, a)
    os.symlink(a, b)
    (p,) = validate_paths([a])
    assert p.file == str(a) and p.message.endswith("symbolic link loop")
    r = cli("validate", a)
    assert r.exit_code == 1 and "symbolic link loop" in r.stdout + r.stderr
    assert "no such file" not in r.stdout + r.stderr
    assert "symbolic link loop" in cli("run", a).stderr  # the same words in both commands


def test_factors_validate_on_a_study_says_it_is_not_a_factor_table(cli, tiny_path):
    r = cli("factors", "validate", tiny_path)
    assert r.exit_code == 1
    assert "not a factor table" in r.stderr and "CSV or Parquet" in r.stderr
    assert "Schema" not in r.stderr and "more fields" not in r.stderr  # no polars text
    r = cli("run", tiny_path, "--factors", tiny_path)
    assert r.exit_code == 1 and "not a factor table" in r.stderr


@pytest.mark.parametrize("value,words", [("abc", "is not a size"), ("1e30", "too large"), ("1e999", "too large"),
                                         ("0", "not a positive size")])
def test_max_memory_that_is_not_a_usable_size_is_a_usage_error(cli, value, words):
    r = cli("uncertainty", "-n", "10", "--max-memory", value)
    assert r.exit_code == 2, r.stderr
    assert words in " ".join(r.stderr.split())  # the usage box wraps lines


def test_parse_bytes_says_too_large_rather_than_not_positive():
    with pytest.raises(ValueError, match="too large"):
        parse_bytes("1e30")
    assert parse_bytes("8 TB") == 8 * 1000**4 and parse_bytes("4GiB") == 4 * 1024**3
