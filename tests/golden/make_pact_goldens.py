"""Regenerate the PACT golden files of the default study (every scenario, v2.3 and v3.0).

Run from the repository root after an intended change, review the diff, commit:

    python tests/golden/make_pact_goldens.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

CREATED = "2026-01-01T00:00:00Z"
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # run as a script from anywhere


def render(version: str) -> str:
    import lca

    fp = lca.compute(lca.load_study(lca.default_study_path()))
    return json.dumps(lca.export_pact(fp, version, created=CREATED), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    for version in ("v2", "v3"):
        path = HERE / f"pact-{version}.json"
        path.write_text(render(version), encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
