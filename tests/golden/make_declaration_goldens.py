"""Regenerate the declaration goldens: the NCMA fixture declared under the EU Art. 7 draft rule pack
(tests/battery_study.py), as ``lca export --format eu-declaration`` and ``--format battery-pass`` write it.

Run from the repository root after an intended change, review the diff, commit:

    python tests/golden/make_declaration_goldens.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

CREATED = "2026-01-01T00:00:00Z"
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # run as a script from anywhere
FILES = {"eu-declaration": "eu-declaration.json", "battery-pass": "battery-pass.json"}


def render(fmt: str) -> str:
    import lca
    from lca.disclosure.declaration.battery_pass import export_battery_pass
    from lca.disclosure.declaration.build import export_declaration
    from tests.battery_study import battery_study

    fp = lca.compute(battery_study())
    doc = export_declaration(fp, created=CREATED) if fmt == "eu-declaration" else export_battery_pass(fp)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    for fmt, name in FILES.items():
        path = HERE / name
        path.write_text(render(fmt), encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
