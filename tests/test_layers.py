"""The import layers of ``lca``: dependencies go one way, from the domain up to the consumers.

    domain       lca.errors, lca.choices, lca.units, lca.resources
    io           lca.schemas, lca.study, lca.outputs
    engine       lca.factors, lca.engine
    results      lca.results
    consumers    lca.report, lca.disclosure, lca.uncertainty, lca.ledger, lca.validation, lca.cli

A module may import its own layer or a lower one, never a higher one. Every import counts: at
module level, inside functions and under ``TYPE_CHECKING`` (a typing-only import is still a
dependency of the design). In addition, consumers read the result object: the ones that take a
footprint (report, disclosure, uncertainty, ledger) do not load studies — from :mod:`lca.study` they
may use only the model (:class:`Study`, :class:`Quantity`, …; :mod:`lca.study.model`,
:mod:`lca.study.parse`, the product profile :mod:`lca.study.profile`) — and no consumer re-runs
the inventory (:mod:`lca.engine.inventory`). The CLI and ``lca validate`` are where files are
read, so they load studies.

``KNOWN_VIOLATIONS`` lists where the code still breaks these rules; the test fails on a new
violation and on a listed one that is gone, so the list only shrinks (to empty, #12 item 6).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "lca"

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("domain", ("lca.errors", "lca.choices", "lca.units", "lca.resources", "lca.timestamps")),
    ("io", ("lca.schemas", "lca.study", "lca.outputs", "lca.rules")),
    ("engine", ("lca.factors", "lca.engine")),
    ("results", ("lca.results",)),
    ("consumers", ("lca.report", "lca.disclosure", "lca.uncertainty", "lca.ledger", "lca.validation", "lca.exchange",
                   "lca.cli")),
)
#: The package itself (``lca/__init__.py``) is the public facade above every layer: it imports
#: lazily whatever ``lca.__all__`` names; ``lca.__version__`` is package metadata, usable anywhere.
FACADE = "lca"

#: Consumers that read a computed footprint; they must not load a study themselves.
READERS = ("lca.report", "lca.disclosure", "lca.uncertainty", "lca.ledger")
#: What those may take from lca.study: the model, not the loaders.
STUDY_MODEL = {"Study", "Method", "Product", "Quantity", "parse_quantity", "CELL_PLANT"}
STUDY_MODEL_MODULES = ("lca.study.model", "lca.study.parse", "lca.study.profile", "lca.study.targets")
INVENTORY = "lca.engine.inventory"

#: (importer, what it imports, rule) of every violation still in the code.
KNOWN_VIOLATIONS: set[tuple[str, str, str]] = set()


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path, name: str) -> list[tuple[str, tuple[str, ...]]]:
    """(module, names) of every ``lca`` import in the file, wherever it stands; relative imports resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out += [(a.name, ()) for a in node.names if a.name.split(".")[0] == "lca"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] == "lca":
                out.append((target, tuple(a.name for a in node.names)))
    return out


def layer(module: str) -> int | None:
    for rank, (_name, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return None


def targets(module: str, names: tuple[str, ...], known: set[str]) -> list[tuple[str, tuple[str, ...]]]:
    """``from lca import errors`` imports the module lca.errors; ``from lca.study import study`` names
    a submodule too: each target with the names taken from it."""
    subs = [n for n in names if f"{module}.{n}" in known]
    rest = tuple(n for n in names if n not in subs)
    return [(f"{module}.{n}", ()) for n in subs] + ([(module, rest)] if rest or not names else [])


def violations() -> set[tuple[str, str, str]]:
    mods = modules()
    found = set()
    for importer, path in mods.items():
        if importer == FACADE:
            continue
        own = layer(importer)
        for module, names in imports(path, importer):
            for target, taken in targets(module, names, set(mods)):
                if target == FACADE:
                    assert set(taken) <= {"__version__"}, f"{importer} imports {taken} from the facade lca"
                    continue
                rank = layer(target)
                if rank is not None and rank > own:
                    found.add((importer, target, "layer"))
                if own == len(LAYERS) - 1 and (target == INVENTORY or target.startswith(INVENTORY + ".")):
                    found.add((importer, INVENTORY, "inventory"))
                if importer.startswith(READERS) and (target == "lca.study" or target.startswith("lca.study.")):
                    if target == "lca.study":
                        found |= {(importer, f"lca.study.{n}", "loader") for n in taken if n not in STUDY_MODEL}
                    elif not target.startswith(STUDY_MODEL_MODULES):
                        found.add((importer, target, "loader"))
    return found


def test_every_module_has_a_layer():
    homeless = [m for m in modules() if m != FACADE and layer(m) is None]
    assert not homeless, f"modules without a layer (add them to LAYERS in {__file__}): {homeless}"


def test_imports_go_one_way():
    found = violations()
    new = sorted(found - KNOWN_VIOLATIONS)
    gone = sorted(KNOWN_VIOLATIONS - found)
    assert not new, ("imports against the layers (domain → io → factors/engine → results → consumers; readers of "
                     "a footprint do not load studies; no consumer re-runs the inventory): "
                     + "; ".join(f"{a} imports {b} ({rule})" for a, b, rule in new))
    assert not gone, ("fixed, well done: remove from KNOWN_VIOLATIONS in tests/test_layers.py: "
                      + "; ".join(f"{a} → {b}" for a, b, _ in gone))


@pytest.mark.parametrize("source, importer, expected", [
    ("from lca.results import Footprint", "lca.study.model", {("lca.study.model", "lca.results", "layer")}),
    ("def f():\n    from lca.cli.common import load", "lca.engine.pipeline",
     {("lca.engine.pipeline", "lca.cli.common", "layer")}),
    ("from lca.study import Study, load_study", "lca.report.context",
     {("lca.report.context", "lca.study.load_study", "loader")}),
    ("import lca.engine.inventory", "lca.cli.run", {("lca.cli.run", "lca.engine.inventory", "inventory")}),
    ("from lca.study import load_study", "lca.cli.run", set()),  # the CLI loads what the user names
    ("from lca.units import unit_info", "lca.schemas.run", set()),
])
def test_the_rules_catch_what_they_should(tmp_path, monkeypatch, source, importer, expected):
    """The checker itself: a made-up module with one import, checked as if it were ``importer``."""
    fake = tmp_path / "m.py"
    fake.write_text(source, encoding="utf-8")
    real = modules()
    monkeypatch.setitem(globals(), "modules", lambda: {**real, importer: fake})
    assert {v for v in violations() if v[0] == importer} == expected
