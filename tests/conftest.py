"""Shared fixtures. Heavy objects are session-scoped: computing the default study once is enough."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
TINY = HERE / "data" / "tiny" / "study.toml"

# Hermetic runs: never let a tool write caches into the user's home during tests.
os.environ.setdefault("POLARS_SKIP_CPU_CHECK", "1")


@pytest.fixture(scope="session")
def default_study():
    import lca

    return lca.load_study(lca.default_study_path())


@pytest.fixture(scope="session")
def default_fp(default_study):
    import lca

    return lca.compute(default_study)


@pytest.fixture(scope="session")
def tiny_path() -> Path:
    return TINY


@pytest.fixture(scope="session")
def tiny_fp():
    import lca

    return lca.compute(lca.load_study(TINY))


@pytest.fixture()
def tiny_doc():
    """The tiny study as a mutable dict (tomllib), for building variants in tests."""
    import tomllib

    return tomllib.loads(TINY.read_text(encoding="utf-8"))


@pytest.fixture()
def cli():
    """Invoke the CLI in-process; returns typer's Result (exit_code, stdout, stderr)."""
    from typer.testing import CliRunner

    from lca.cli import app

    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, [str(a) for a in args])

    return invoke
