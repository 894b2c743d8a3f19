"""Where shipped data lives: ``factors/``, ``templates/`` and the default study.

In a wheel, ``factors/`` and ``templates/`` are installed as ``lca/_data/...`` and found through
:mod:`importlib.resources`; in a source checkout (editable install or tests run from the repo)
they are the top-level folders next to the package. Never relative to the working directory.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    installed = resources.files("lca") / "_data" / name
    if installed.is_dir():
        return Path(str(installed))
    checkout = _PKG.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"lca is missing its '{name}' data folder (looked in {installed} and {checkout})")


def factors_dir() -> Path:
    """Folder of the shipped factor library."""
    return _data_dir("factors")


def templates_dir() -> Path:
    """Folder of the shipped jinja2 report templates."""
    return _data_dir("templates")


def default_study_path() -> Path:
    """The bundled default study: the file ``lca/studies/DEFAULT`` names (which product it is about is
    data, not code)."""
    studies = resources.files("lca") / "studies"
    return Path(str(studies / (studies / "DEFAULT").read_text(encoding="utf-8").strip()))


def shipped_study(name: str) -> Path | None:
    """A study shipped in ``lca/studies`` by file name (``ncma-pouch-na.toml``) or stem; None if there is none."""
    studies = Path(str(resources.files("lca") / "studies"))
    for candidate in (name, f"{name}.toml"):
        path = studies / candidate
        if "/" not in candidate and "\\" not in candidate and path.suffix == ".toml" and path.is_file():
            return path
    return None
