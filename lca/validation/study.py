"""Checking a study for ``lca validate`` with the commands' own code, every stage that can run.

Stages, each the code path of a command: *load* (every command), the study's *factor files*
(layers on the shipped library, in order, as ``lca run`` applies them), *compute* (``lca
run``/``report``), *uncertainty* (``lca uncertainty``: the model is built and run for a few draws,
:mod:`lca.validation.uncertainty`) and *PACT* (``lca export`` in memory, v3 and v2.3, then the ``lca
check`` rules; only for studies that carry PACT identity: a ``[pact]`` table, company or product
ids). What runs when:

* the study does not load: if every problem is in a ``[pact]`` key or the ``[[uncertainty]]``
  section, those are set aside (the keys dropped, the entries that are tables checked in the
  uncertainty stage) and every later stage runs on the rest; any other problem (an exchange, a
  route leg, a site …) cannot be left out without changing what is computed, so compute,
  uncertainty and PACT do not run, and the outcome says why;
* a factor file has problems: compute and PACT do not run; the ``[[uncertainty]]`` entries are
  checked against the shipped library;
* the study does not compute: PACT does not run; the entries are checked as above;
* the uncertainty stage leaves out entries with problems and runs the model with the others;
* the PACT stage leaves out ``[pact]`` keys the exporter refuses and checks the rules on the rest.

``skip`` (``--skip uncertainty``, ``--skip pact``) leaves a stage out on request, e.g. for a study
``lca run`` accepts but PACT does not (AR4). Every stage not run is in ``not_run`` with its reason.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Collection

from lca.errors import LcaInputError, Problem

#: a fixed creation time: validation must not depend on the clock
PACT_CREATED = "2000-01-01T00:00:00Z"
PACT_KEYS = ("company_name", "company_ids", "product_ids", "product_category_cpc")
#: ``--skip`` values → the stage they leave out
SKIPPABLE = {"uncertainty": "uncertainty", "pact": "PACT"}


@dataclass
class StudyCheck:
    """What checking one study found and which stages ran."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    not_run: dict[str, str] = field(default_factory=dict)

    def skip(self, stage: str, why: str) -> None:
        """Record a stage that did not run (a stage skipped by request keeps that reason)."""
        self.not_run.setdefault(stage, why)


def _located(exc: LcaInputError, file: str, table: str | None = None) -> list[Problem]:
    return [Problem(**{**p.as_dict(), "file": p.file or file, **({"table": table} if table else {})})
            for p in exc.problems]


def _factor_files(doc: dict[str, Any], base: Path) -> list[Path]:
    listed = doc.get("factors", {}).get("files", []) if isinstance(doc.get("factors"), dict) else []
    listed = [listed] if isinstance(listed, str) else listed if isinstance(listed, list) else []
    return [base / p for p in listed if isinstance(p, str) and (base / p).is_file()]


def _layers_ok(doc: dict[str, Any], path: Path, out: StudyCheck) -> bool:
    from lca.factors import check_layer, load_library, read_factor_file
    from lca.study.sources import parse_sources

    ok, lib = True, None
    fdoc = doc.get("factors")
    selection = parse_sources(fdoc.get("sources"), file=str(path))[0] if isinstance(fdoc, dict) else None
    if selection:  # the files are layered on the study's sources, not on the shipped library alone
        try:
            lib = load_library(selection)
        except LcaInputError as exc:
            out.problems += _located(exc, str(path))
            return False
    for layer in _factor_files(doc, path.parent):  # each on top of the library and the layers before it
        try:
            lib = check_layer(read_factor_file(layer), file=str(layer), library=lib)
        except LcaInputError as exc:
            out.problems += _located(exc, str(layer))
            ok = False
    return ok


def check_study(path: Path, doc: dict[str, Any], *, skip: Collection[str] = (), received: Path | None = None,
                allow_expired: bool = False) -> StudyCheck:
    """Every problem of the study at ``path`` (``doc``: its parsed TOML) that its stages can find.

    ``skip``: stages left out on request (``uncertainty``, ``pact``).
    """
    import lca.exchange  # noqa: F401 — registers database URLs as received footprints
    from lca.study import load_study
    from lca.validation.uncertainty import check_entries, check_model, numbered

    out, file = StudyCheck(), str(path)
    for key in skip:
        out.skip(SKIPPABLE[key], f"skipped by request (--skip {key})")
    try:
        study = load_study(path, received=received, allow_expired=allow_expired)
        entries = numbered(study.uncertainty_spec)
    except LcaInputError as exc:
        out.problems += _located(exc, file)
        study, why, more = _set_aside(path, doc, exc, received=received, allow_expired=allow_expired)
        out.problems += [Problem(**{**p.as_dict(), "file": p.file or file}) for p in more]
        entries = numbered(doc.get("uncertainty") if isinstance(doc.get("uncertainty"), list) else [])
    layers_ok = _layers_ok(doc, path, out)
    if study is None:
        for stage in ("compute", "uncertainty", "PACT"):
            out.skip(stage, why)
        return out
    out.ran.append("load")
    fp = None
    if not layers_ok:
        out.skip("compute", "a factor file of the study has problems")
    else:
        from lca.results import compute

        out.ran.append("compute")
        try:
            fp = compute(study)
            out.warnings = list(dict.fromkeys(fp.warnings))  # method gaps and grid fallbacks, as `lca run` prints
            from lca.validation.cutoff import cutoff_problems

            out.problems += cutoff_problems(fp, file)  # declared exclusions within the cut-off
        except LcaInputError as exc:
            out.problems += _located(exc, file)
    if "uncertainty" not in out.not_run:
        if fp is not None:
            out.ran.append("uncertainty")
            out.problems += check_model(fp, entries, file)
        else:
            out.ran.append("uncertainty entries")
            out.problems += check_entries(study, entries, file)
            out.skip("uncertainty", "the study does not compute; only its [[uncertainty]] entries were checked")
    if fp is None:
        out.skip("PACT", out.not_run.get("compute", "the study does not compute"))
    elif "PACT" not in out.not_run:
        _pact(fp, out, file)
    return out


def _aside(p: Problem) -> bool:
    """A load problem that can be set aside: a ``[pact]`` key or the ``[[uncertainty]]`` section."""
    return p.table == "pact" or (p.table or "").split(" #")[0] == "uncertainty"


def _part(p: Problem, file: str) -> str:
    """What a load problem is in, for the reason the later stages did not run."""
    t = p.table or ""
    if p.file and p.file != file:
        return Path(p.file).name
    if not t:
        return ""  # the file itself: it cannot be read
    if "transport" in t:
        return "transport legs"
    if t.startswith("route"):
        return "route legs"
    if "exchange" in t:
        return "exchanges"
    return f"[{t.split(' ')[0]}]"


def _set_aside(path: Path, doc: dict[str, Any] | None, exc: LcaInputError, **supplier: Any):
    """``(study, None, more)`` without the ``[pact]`` keys and ``[[uncertainty]]`` section found wrong, when
    only those are wrong; else ``(None, why, more)``: other problems cannot be left out without changing
    the numbers. ``more``: problems the loader finds once the first ones are set aside (a wrong section
    stops it before the keys are read), reported in the same pass."""
    from lca.study import study_from_dict

    problems, more = exc.problems, []
    for _ in range(3):  # a section, then keys: each pass sets aside what the loader could see
        rest = [p for p in problems if not _aside(p)]
        parts = [x for x in dict.fromkeys(_part(p, str(path)) for p in rest) if x]
        if not doc or (rest and not parts):
            return None, "the study file cannot be read", more
        if rest:
            return None, (f"the study does not load; its problems in {', '.join(parts)} cannot be set aside like "
                          "[pact] keys and [[uncertainty]] entries, since leaving them out would change what is "
                          "computed: fix them, then run again"), more
        doc = _trimmed(doc, problems)
        try:
            return replace(study_from_dict(doc, base=path.parent, file=str(path), **supplier), path=path), None, more
        except LcaInputError as again:
            problems = again.problems
            more += problems
    return None, "the study does not load", more


def _trimmed(doc: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    """``doc`` without its ``[[uncertainty]]`` section (if wrong) and the ``[pact]`` keys found wrong."""
    trimmed = dict(doc)
    if any(_aside(p) and p.table != "pact" for p in problems):
        trimmed.pop("uncertainty", None)  # its entries that are tables are checked in the uncertainty stage
    wrong = {p.column for p in problems if p.table == "pact"}
    if isinstance(doc.get("pact"), dict) and None not in wrong:
        trimmed["pact"] = {k: v for k, v in doc["pact"].items() if k not in wrong}
    elif wrong:
        trimmed.pop("pact", None)
    return trimmed


def _pact(fp, out: StudyCheck, file: str) -> None:
    from lca.disclosure import check_pact, export_pact

    s = fp.study
    if not (s.pact_spec or any(getattr(s, k) for k in PACT_KEYS)):
        out.skip("PACT", "the study has no [pact] table, company or product ids")
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
    from lca.disclosure.pact.keys import at_study_keys

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
