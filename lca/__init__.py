"""lca — unit-checked, cited product carbon footprints for battery supply chains.

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> round(fp.total("jp-import").value, 2) > 0
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "load_study",
    "study_from_dict",
    "default_study_path",
    "compute",
    "build_model",
    "load_library",
    "Footprint",
    "Study",
    "Quantity",
    "FactorLibrary",
    "errors",
    # exports and checks (lca.disclosure), validation for CI (lca.validation), frames API (lca.study)
    "export_pact",
    "check_pact",
    "export_table",
    "validate_paths",
    "study_from_frames",
    # uncertainty and sensitivity (lca.uncertainty)
    "run_uncertainty",
    "break_even",
    # ledger scale (lca.ledger)
    "compute_ledger",
]

#: Where each public name lives (each package re-exports it); imported on first use.
_HOMES = {
    "lca.study": ("load_study", "study_from_dict", "study_from_frames", "Study", "Quantity"),
    "lca.resources": ("default_study_path",),
    "lca.factors": ("load_library", "FactorLibrary"),
    "lca.results": ("Footprint", "compute", "build_model"),
    "lca.disclosure": ("export_pact", "check_pact", "export_table"),
    "lca.validation": ("validate_paths",),
    "lca.uncertainty": ("run_uncertainty", "break_even"),
    "lca.ledger": ("compute_ledger",),
}
_LAZY = {name: module for module, names in _HOMES.items() for name in names}

if TYPE_CHECKING:  # pragma: no cover
    from lca import errors
    from lca.factors import FactorLibrary, load_library
    from lca.resources import default_study_path
    from lca.results import Footprint, build_model, compute
    from lca.study import Quantity, Study, load_study, study_from_dict


def __getattr__(name: str) -> Any:
    # Imports are lazy so `lca --help` starts fast; polars/pandera load on first real use.
    if name == "errors":
        import importlib

        return importlib.import_module("lca.errors")
    if name in _LAZY:
        import importlib

        if _LAZY[name] == "lca.study":  # database URLs as received footprints: lca.exchange registers them
            importlib.import_module("lca.exchange")
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'lca' has no attribute {name!r}")
