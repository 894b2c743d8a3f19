"""Regenerate the Catena-X goldens: every scenario of the default (separator) study and of the cell
study, as ``lca export --format catenax-pcf`` and ``--format catenax-battery-component`` write them.

Run from the repository root after an intended change, review the diff, commit:

    python tests/golden/make_catenax_goldens.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

CREATED = "2026-01-01T00:00:00Z"
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # run as a script from anywhere
#: (study name, format) → golden file; study "default" is lca.default_study_path()
FILES = {("default", "catenax-pcf"): "catenax-pcf.json",
         ("default", "catenax-battery-component"): "catenax-battery-component.json",
         ("ncma-pouch-na", "catenax-pcf"): "catenax-pcf-cell.json",
         ("ncma-pouch-na", "catenax-battery-component"): "catenax-battery-component-cell.json"}


def study_path(name: str) -> Path:
    import lca

    return lca.default_study_path() if name == "default" else Path(lca.__file__).parent / "studies" / f"{name}.toml"


def render(study: str, fmt: str) -> str:
    import lca
    from lca.disclosure.catenax import export_battery_component, export_catenax_pcf

    fp = lca.compute(lca.load_study(study_path(study)))
    export = export_catenax_pcf if fmt == "catenax-pcf" else export_battery_component
    return json.dumps(export(fp, created=CREATED), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    for (study, fmt), name in FILES.items():
        path = HERE / name
        path.write_text(render(study, fmt), encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
