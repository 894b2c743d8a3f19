"""Every ```python block of docs/api.md (and of docs/factor-sources.md) runs, in order, in one namespace per
page: each example is a test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_docs_have_examples():
    assert len(BLOCKS) >= 5


@pytest.fixture(scope="module")
def namespace() -> dict:
    return {"__name__": "docs_api"}


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_example(index, namespace):
    code = compile(BLOCKS[index], f"{DOC.name} python block #{index + 1}", "exec")
    exec(code, namespace)  # noqa: S102 - running our own documentation is the point


SOURCES_DOC = DOC.parent / "factor-sources.md"
SOURCES_BLOCKS = re.findall(r"```python\n(.*?)```", SOURCES_DOC.read_text(encoding="utf-8"), flags=re.S)


@pytest.fixture(scope="module")
def sources_namespace() -> dict:
    return {"__name__": "docs_factor_sources"}


@pytest.mark.parametrize("index", range(len(SOURCES_BLOCKS)))
def test_factor_sources_example(index, sources_namespace):
    """docs/factor-sources.md: the plug-in example, block by block (the last one uninstalls it)."""
    code = compile(SOURCES_BLOCKS[index], f"{SOURCES_DOC.name} python block #{index + 1}", "exec")
    exec(code, sources_namespace)  # noqa: S102
