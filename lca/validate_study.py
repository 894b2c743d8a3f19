"""Checking a study for ``lca validate`` with the commands' own code, every stage that can run.

Stages, each the code path of a command: *load* (every command), the study's *factor files* (each
validated alone, as ``--factors`` layers are), *compute* (``lca run``/``report``), *uncertainty*
(``lca uncertainty``: the model is built and run for a few draws, so targets, distributions,
ranges, units, duplicates and the factor tables' uncertainty columns are all checked) and *PACT*
(``lca export`` in memory, v3 and v2.3, then the ``lca check`` rules; only for studies that carry
PACT identity: a ``[pact]`` table, company or product ids). A stage that needs a failed one does
not run and the outcome says so; every other stage still runs, so a file's problems come in one
pass instead of in rounds.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lca.errors import LcaInputError, Problem

#: draws of the uncertainty check: enough for every statistic to exist, cheap for CI
UNCERTAINTY_DRAWS = 64
#: a fixed creation time: validation must not depend on the clock
PACT_CREATED = "2000-01-01T00:00:00Z"
PACT_KEYS = ("company_name", "company_ids", "product_ids", "product_category_cpc")


@dataclass
class StudyCheck:
    """What checking one study found and which stages ran."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    not_run: dict[str, str] = field(default_factory=dict)


def _located(exc: LcaInputError, file: str, table: str | None = None) -> list[Problem]:
    return [Problem(**{**p.as_dict(), "file": p.file or file, **({"table": table} if table else {})})
            for p in exc.problems]


def _factor_files(doc: dict[str, Any], base: Path) -> list[Path]:
    listed = doc.get("factors", {}).get("files", []) if isinstance(doc.get("factors"), dict) else []
    listed = [listed] if isinstance(listed, str) else listed if isinstance(listed, list) else []
    return [base / p for p in listed if isinstance(p, str) and (base / p).is_file()]


def check_study(path: Path, doc: dict[str, Any]) -> StudyCheck:
    """Every problem of the study at ``path`` (``doc``: its parsed TOML) that its stages can find."""
    from lca.factors import check_layer, read_factor_file
    from lca.study import load_study

    out, file = StudyCheck(), str(path)
    try:
        study = load_study(path)
        out.ran.append("load")
    except LcaInputError as exc:
        out.problems += _located(exc, file)
        study = _without_wrong_pact(path, doc, exc)
        if study is not None:
            out.ran.append("load")
    layers_ok, lib = True, None
    for layer in _factor_files(doc, path.parent):  # each on top of the library and the layers before it
        try:
            lib = check_layer(read_factor_file(layer), file=str(layer), library=lib)
        except LcaInputError as exc:
            out.problems += _located(exc, str(layer))
            layers_ok = False
    if study is None:
        for stage in ("compute", "uncertainty", "PACT"):
            out.not_run[stage] = "the study does not load"
        return out
    if not layers_ok:
        out.not_run["compute"] = "a factor file of the study has problems"
        _uncertainty_entries(study, out, file)
        out.not_run["PACT"] = out.not_run["compute"]
        return out
    from lca.pipeline import compute

    out.ran.append("compute")
    try:
        fp = compute(study)
    except LcaInputError as exc:
        out.problems += _located(exc, file)
        _uncertainty_entries(study, out, file)
        out.not_run["PACT"] = "the study does not compute"
        return out
    out.warnings = list(dict.fromkeys(fp.warnings))  # method gaps and declared grid fallbacks, as `lca run` prints
    _uncertainty(fp, out, file)
    _pact(fp, out, file)
    return out


def _without_wrong_pact(path: Path, doc: dict[str, Any] | None, exc: LcaInputError):
    """When only ``[pact]`` keys are wrong, the study without them, so later stages still run in this pass."""
    from lca.study import study_from_dict

    wrong = {p.column for p in exc.problems if p.table == "pact"}
    if not doc or not isinstance(doc.get("pact"), dict) or any(p.table != "pact" for p in exc.problems):
        return None
    trimmed = {**doc, "pact": {k: v for k, v in doc["pact"].items() if k not in wrong}}
    try:
        return study_from_dict(trimmed, base=path.parent, file=str(path))
    except LcaInputError:
        return None


def _uncertainty(fp, out: StudyCheck, file: str) -> None:
    from lca.uncertainty import DEFAULT_SEED, run_uncertainty

    out.ran.append("uncertainty")
    try:
        run_uncertainty(fp, UNCERTAINTY_DRAWS, DEFAULT_SEED, sensitivity_draws=UNCERTAINTY_DRAWS)
    except LcaInputError as exc:
        out.problems += _located(exc, file)


def _uncertainty_entries(study, out: StudyCheck, file: str) -> None:
    """Without a footprint: the ``[[uncertainty]]`` entries alone, factor targets against the library."""
    from lca.factors import load_library
    from lca.uncertainty import parse_spec

    values = {fid: (v, u) for fid, v, u in load_library().factors.select("id", "value", "unit").iter_rows()}
    try:
        parse_spec(study, factor_values=values)
    except LcaInputError as exc:
        out.problems += _located(exc, file)
    out.ran.append("uncertainty entries")
    out.not_run["uncertainty"] = "needs a study that computes (only its [[uncertainty]] entries were checked)"


def _pact(fp, out: StudyCheck, file: str) -> None:
    from lca.export import check_pact, export_pact

    s = fp.study
    if not (s.pact_spec or any(getattr(s, k) for k in PACT_KEYS)):
        out.not_run["PACT"] = "the study has no [pact] table, company or product ids"
        return
    out.ran.append("PACT")
    try:  # [pact] keys and values, the GWP set: the same for every scenario and version
        export_pact(fp, "v3", fp.scenarios[0], created=PACT_CREATED, check=False)
    except LcaInputError as exc:
        out.problems += _located(exc, file)
        # go on without the [pact] keys found wrong, so the methodology rules are checked in this pass too
        wrong = {p.column for p in exc.problems if p.table == "pact"}
        if any(p.table != "pact" for p in exc.problems):
            return
        spec = {k: v for k, v in s.pact_spec.items() if k not in wrong}
        fp = replace(fp, study=replace(s, pact_spec=spec))
    from lca.export.keys import at_study_keys

    found: dict[tuple, list[str]] = {}
    for version in ("v3", "v2"):
        for sid in fp.scenarios:
            doc = export_pact(fp, version, sid, created=PACT_CREATED, check=False)
            for p in check_pact(doc, version):
                key = (version, p.message, p.column)
                found.setdefault(key, []).append(sid)
    for (version, message, column), sids in found.items():
        which = "every scenario" if len(sids) == len(fp.scenarios) else "scenario " + ", ".join(sids)
        # named at the [pact]/[study]/[method] key the field comes from, as `lca export` names it
        out.problems += at_study_keys([Problem(message, column=column)], fp.study.pact_spec, file,
                                      context=f"PACT {version} export, {which}")


def read_study_doc(path: Path) -> dict[str, Any] | None:
    """The TOML document, or None when it cannot be parsed (the loader then reports why)."""
    try:
        text = path.read_bytes().decode("utf-8")
        return tomllib.loads(text.lstrip("\ufeff"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return None
