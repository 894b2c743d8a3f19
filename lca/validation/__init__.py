"""``lca validate``: studies, table files and factor files checked for CI as strictly as the commands.

* :mod:`lca.validation.paths` — :func:`validate` / :func:`validate_paths`: files and folders, each
  file's kind, every problem located (GitHub annotations: :func:`annotation`);
* :mod:`lca.validation.walk` — walking folders (links, loops, files that are not ours);
* :mod:`lca.validation.study` — a study through the commands' own stages (load, factor files,
  compute, uncertainty, PACT), every stage that can run;
* :mod:`lca.validation.uncertainty`, :mod:`lca.validation.ledger` — the uncertainty entries of a
  study, shipments and plant-data tables;
* :mod:`lca.validation.jsonschema` — JSON Schema of every input table and the study file.
"""

from __future__ import annotations

from lca.validation.paths import (Annotation, Outcome, annotation, check_table_frame, classify, validate,
                                  validate_paths)

__all__ = ["validate", "validate_paths", "Outcome", "Annotation", "annotation", "classify", "check_table_frame"]
