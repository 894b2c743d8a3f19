"""The Catena-X JSON Schemas the exports are validated against, read from outside the repository.

Like the PACT files (tests/test_export_pact.py, LCA_PACT_DIR), the Catena-X semantic models live in
``../shared/reference/catenax`` (CC BY 4.0, not copied into the project); ``LCA_CATENAX_DIR`` points
elsewhere (e.g. from a worktree: ``LCA_CATENAX_DIR=/work/shared/reference/catenax``). Absent, the
tests skip with a reason that names Catena-X — which fails the run in CI (tests/conftest.py,
``LCA_STRICT_SKIPS``), where the files must be present.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CATENAX_DIR = Path(os.environ.get("LCA_CATENAX_DIR", REPO.parent / "shared" / "reference" / "catenax"))
BATTERY_PASS = "io.catenax.battery.battery_pass-6.1.0-BatteryPass-schema.json"


def catenax_validator(file: str, definition: str):
    """A jsonschema validator for ``components/schemas/<definition>`` of a Catena-X schema file (a
    draft-04 document); skips when the file is absent."""
    path = CATENAX_DIR / file
    if not path.is_file():
        pytest.skip(f"Catena-X schema {file} not found at {CATENAX_DIR} (catenax reference files live in "
                    "../shared/reference/catenax, outside the repository; set LCA_CATENAX_DIR)")
    jsonschema = pytest.importorskip("jsonschema")
    full = json.loads(path.read_text(encoding="utf-8"))
    schema = {"$schema": full.get("$schema", "http://json-schema.org/draft-04/schema"),
              "components": full["components"], "$ref": f"#/components/schemas/{definition}"}
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)
