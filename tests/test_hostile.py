"""Hostile input never hurts: the corpus of :mod:`hostile_corpus` run through the CLI in-process.

CI runs a deterministic sample (every kind × role once, then a seeded fill to ``LCA_HOSTILE_N``
cases, default 320); ``LCA_HOSTILE=full`` runs the whole corpus (~1,500 cases).
"""

from __future__ import annotations

import os

import pytest

pytest.importorskip("tomli_w")

import hostile_corpus as hc  # noqa: E402

ALL = hc.corpus()
N = int(os.environ.get("LCA_HOSTILE_N", "320"))
CASES = ALL if os.environ.get("LCA_HOSTILE") == "full" else hc.sample(ALL, N)


@pytest.fixture(scope="module")
def invoke():
    from typer.testing import CliRunner

    from lca.cli import app

    runner = CliRunner()
    return lambda argv: runner.invoke(app, argv)


def test_corpus_is_large_and_deterministic():
    assert len(ALL) >= 1000
    assert len(CASES) >= min(300, len(ALL))
    assert [c.id for c in hc.corpus()] == [c.id for c in ALL]
    assert {c.kind for c in CASES} >= {"study-key", "table-cell", "table-damage", "factor", "shipments", "option",
                                       "damage"}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case, tmp_path, invoke, monkeypatch):
    monkeypatch.setenv("LCA_NO_CACHE", "1")
    outcome = hc.run_case(case, tmp_path, invoke)
    assert not outcome.failures, "\n".join(outcome.failures)
