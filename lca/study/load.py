"""Loading a study: the TOML file (and the table files beside it) parsed and checked into a :class:`Study`.

Loading parses and validates everything and reports every problem with the file and the key or
row; it never computes. The parts of a study are read by the modules beside this one (sites and
processes :mod:`lca.study.tables`, routes :mod:`lca.study.routes`, scenarios
:mod:`lca.study.scenarios`, ``[pact]`` :mod:`lca.study.pact`); this module puts them together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

import polars as pl

from lca.errors import LcaInputError, Problem, SchemaError, StudyError
from lca.schemas import ID
from lca.study.model import Method, Study, _check_method
from lca.study.origins import exchange_rows, locate
from lca.study.coproducts import parse_coproducts
from lca.study.expressions import Parameters, using
from lca.study.io import nesting_problems, parse_toml, read_bytes, table_digest
from lca.study.disclosure import Disclosure, parse_disclosure
from lca.study.pact import as_date, parse_pact, urn_problems
from lca.study.provenance import inline_uncertainties
from lca.study.profile import Profile, View, complete_stages, parse_profile, parse_stages, parse_views, used_stages
from lca.study.parse import _check_keys
from lca.study.retarget import transport_plan
from lca.study.routes import LEG_SCHEMA, collect_routes, leg_problems, route_map
from lca.study.battery import parse_battery
from lca.study.catenax import parse_catenax
from lca.study.linked import link_views
from lca.study.outlook import outlook_frame
from lca.study.scenarios import _scenarios
from lca.study.shape import shape_problems
from lca.study.sources import parse_sources
from lca.study.received import FolderFootprints, ReceivedFootprints, as_store, is_url, open_url
from lca.study.supplier import resolve_supplier_footprints, supplier_layer
from lca.study.screening import parse_exclusions
from lca.study.shipping import parse_shipping
from lca.study.waste import with_waste
from lca.study.tables import (ROUTE_COLUMNS, _check_exchange_refs, _processes, _product, _sites, _table_file,
                              table_location)

#: Years a reference period may lie in: a footprint describes real (or planned) production.
REFERENCE_YEARS = (1900, 2200)

#: what ``received=`` accepts: a store, a folder, or None (the study's ``[factors] received``)
ReceivedLike = ReceivedFootprints | Path | str | None

_TOP_KEYS = {"study", "method", "product", "site", "process", "route", "scenario", "comparison", "tables",
             "factors", "uncertainty", "pact", "stage", "view", "profile", "parameters",
             "material", "inbound", "exclusion", "cutoff", "battery", "disclosure", "catenax"}


# ------------------------------------------------------------------------------------ parsing

def load_study(path: Path | str, *, cell_plant: str | None = None, received: ReceivedLike = None,
               allow_expired: bool = False) -> Study:
    """Read, parse and validate a study file (and its table files). Raises :class:`StudyError`.

    ``received``: where supplier footprints named by id or product id are looked up (a
    :class:`~lca.study.received.ReceivedFootprints` store or a folder; default: the study's
    ``[factors] received``); ``allow_expired`` uses expired or Deprecated ones, with a warning
    (:mod:`lca.study.supplier`)."""
    path = Path(path)
    file = str(path)
    raw = read_bytes(path, file=file, what="study file")
    doc = parse_toml(raw, file=file)
    hashes = {path.name: hashlib.sha256(raw).hexdigest()}
    study = study_from_dict(doc, base=path.parent, file=file, hashes=hashes, cell_plant=cell_plant,
                            received=received, allow_expired=allow_expired)
    return replace(study, path=path)


def _product_ids(doc: Mapping[str, Any]) -> tuple[str, ...]:
    """``[study] product_ids`` as far as they are well-formed (their problems are reported by ``_head``)."""
    head = doc.get("study")
    ids = head.get("product_ids") if isinstance(head, Mapping) else None
    return tuple(x for x in ids if isinstance(x, str)) if isinstance(ids, list) else ()


def _head(head: Mapping[str, Any], file: str) -> tuple[dt.date, dt.date, list[Problem]]:
    """Reference period (dates, not date-times), study id form and the URN lists of ``[study]``."""
    problems = _check_keys(head, {"id", "title", "description", "reference_period", "cell_plant", "company_name",
                                  "company_ids", "product_ids", "product_category_cpc"}, file=file, where="study")
    if not re.fullmatch(ID, head["id"]):
        problems.append(Problem(f"study id {head['id']!r:.60} has the wrong form", file=file, table="study",
                                column="id", hint="use letters, digits and _ . : - (starting with a letter or digit)"))
    for key in ("company_ids", "product_ids"):
        if key in head:
            problems += urn_problems(head[key], file=file, table="study", column=key)
    period = head.get("reference_period")
    ref_start = ref_end = dt.date(2025, 1, 1)
    if not (isinstance(period, Mapping) and "start" in period and "end" in period):
        problems.append(Problem("reference_period must be { start = YYYY-MM-DD, end = YYYY-MM-DD }", file=file,
                                table="study", column="reference_period"))
        return ref_start, ref_end, problems
    dates = []
    for key in ("start", "end"):
        try:
            day = as_date(period[key], file=file, table="study", column=f"reference_period.{key}")
        except StudyError as exc:
            problems += exc.problems
            continue
        if not REFERENCE_YEARS[0] <= day.year <= REFERENCE_YEARS[1]:
            # factor vintages, validity periods (+3 years) and the ledger's date window are computed from it
            problems.append(Problem(f"reference period {key} {day.isoformat()} is outside the years "
                                    f"{REFERENCE_YEARS[0]}-{REFERENCE_YEARS[1]}", file=file, table="study",
                                    column=f"reference_period.{key}", hint="give the year the data describe"))
            continue
        dates.append(day)
    if len(dates) == 2:
        ref_start, ref_end = dates
        if ref_end < ref_start:
            problems.append(Problem("reference period ends before it starts", file=file, table="study",
                                    column="reference_period"))
    return ref_start, ref_end, problems


def study_from_dict(doc: Mapping[str, Any], *, base: Path | None = None, file: str = "study",
                    hashes: dict[str, str] | None = None, cell_plant: str | None = None,
                    tables: Mapping[str, pl.DataFrame] | None = None, received: ReceivedLike = None,
                    allow_expired: bool = False) -> Study:
    """Build a :class:`Study` from a parsed TOML document (or an equivalent dict).

    ``tables`` gives ``[tables]`` entries (``sites``, ``exchanges``, ``routes``) as in-memory
    frames instead of files; they are checked exactly like table files. Dates may be ISO strings.
    ``[parameters]`` are evaluated first; amounts may then be expressions of them
    (:mod:`lca.study.expressions`).
    """
    params = Parameters.parse(doc.get("parameters") if isinstance(doc, Mapping) else None, file=file)
    with using(params):
        study = _study_from_doc(doc, base=base, file=file, hashes=hashes, cell_plant=cell_plant, tables=tables,
                                received=received, allow_expired=allow_expired)
    return replace(study, parameters=params.frame(), expressions=params.expressions())


def _study_from_doc(doc: Mapping[str, Any], *, base: Path | None = None, file: str = "study",
                    hashes: dict[str, str] | None = None, cell_plant: str | None = None,
                    tables: Mapping[str, pl.DataFrame] | None = None, received: ReceivedLike = None,
                    allow_expired: bool = False) -> Study:
    """The study of ``doc`` (amounts parsed under the active parameters)."""
    base = base or Path.cwd()
    hashes = dict(hashes or {})
    if not isinstance(doc, Mapping):  # e.g. a JSON array or null from an API request: located, not a crash
        raise StudyError(Problem(f"a study must be a table of sections (a dict), got {type(doc).__name__}",
                                 file=file, hint="pass the parsed TOML document: {'study': {...}, 'product': {...}, …}"))
    deep = nesting_problems(doc, file=file)
    if deep:
        raise StudyError(deep)
    problems = [Problem(f"unknown section '{k}'", file=file, table=str(k),
                        hint="allowed sections: " + ", ".join(sorted(_TOP_KEYS)))
                for k in doc if k not in _TOP_KEYS]
    shape = shape_problems(doc, file)
    if shape:
        raise StudyError(problems + shape)
    head = doc.get("study", {})
    if not isinstance(head, Mapping) or not head.get("id"):
        problems.append(Problem("missing [study] section with an 'id'", file=file, table="study",
                                hint='add [study] with id = "my-study"'))
        raise StudyError(problems)
    ref_start, ref_end, more = _head(head, file)
    problems += more

    mdoc = doc.get("method", {})
    problems += _check_keys(mdoc, {"gwp", "electricity_rule", "td_losses", "electricity_basis", "rules"}, file=file,
                            where="method")
    method = Method(str(mdoc.get("gwp", "AR6")), str(mdoc.get("electricity_rule", "location")),
                    *(None if mdoc.get(k) is None else str(mdoc[k]) for k in ("td_losses", "electricity_basis",
                                                                              "rules")))
    try:
        _check_method(method, file)
    except StudyError as exc:
        problems += exc.problems

    product = None
    views: tuple[View, ...] = ()
    try:
        product = _product(doc.get("product"), file)
        views = parse_views(link_views(doc.get("view"), base=base, file=file, hashes=hashes,
                                       product_ids=_product_ids(doc)),
                            product, file)
    except StudyError as exc:
        problems += exc.problems
    profile, declared = Profile(), ()
    try:
        profile = parse_profile(doc.get("profile"), file)
        declared = parse_stages(doc.get("stage"), file)
    except StudyError as exc:
        problems += exc.problems
    pact: dict[str, Any] = {}
    try:
        pact = parse_pact(doc.get("pact", {}), file=file, reference_end=ref_end,
                          product_mass=product.mass_per_declared_unit if product else None)
    except StudyError as exc:
        problems += exc.problems
    disclosure = Disclosure()
    try:
        disclosure = parse_disclosure(doc.get("disclosure"), file, product)
    except StudyError as exc:
        problems += exc.problems

    table_names = dict(doc.get("tables", {}))
    memory = {k: v.collect() if isinstance(v, pl.LazyFrame) else v for k, v in (tables or {}).items()}
    for key, value in memory.items():
        if not isinstance(value, pl.DataFrame):
            raise StudyError(problems + [Problem(f"tables['{key}'] must be a polars DataFrame, got "
                                                 f"{type(value).__name__}", file=file, table="tables", column=str(key),
                                                 hint="pass pl.DataFrame(rows), or use lca.study_from_frames")])
    table_names.update({k: table_names.get(k, k) for k in memory})
    problems += _check_keys(table_names, {"sites", "exchanges", "routes"}, file=file, where="tables")
    for key, name in table_names.items():
        digest = None if key in memory else table_digest(base / name)
        if digest:
            hashes[name] = digest

    # supplier footprints named by exchanges become flows of their own (lca.study.supplier)
    store = as_store(received)
    fdoc0 = doc.get("factors") if isinstance(doc.get("factors"), Mapping) else {}
    if store is None and fdoc0.get("received") is not None:
        if isinstance(fdoc0["received"], str) and is_url(fdoc0["received"]):  # a database (lca.study.received)
            try:
                store = open_url(fdoc0["received"], base=base,
                                 where={"file": file, "table": "factors", "column": "received"})
            except LcaInputError as exc:
                problems += exc.problems
        elif isinstance(fdoc0["received"], str):
            store = FolderFootprints(base / fdoc0["received"])
        else:
            problems.append(Problem(f"received must be a folder name, got {fdoc0['received']!r:.60}", file=file,
                                    table="factors", column="received", hint='write received = "received/" (a folder) or "sqlite:///received.db" (a database)'))
    doc, suppliers, more = resolve_supplier_footprints(doc, base=base, file=file, received=store,
                                                       allow_expired=allow_expired, reference_end=ref_end)
    problems += more
    for pf_id, sha in suppliers.select("pf_id", "digest").iter_rows():
        hashes[f"supplier footprint {pf_id}"] = sha

    sites = processes = exchanges = None
    try:
        sites = _sites(doc.get("site", []), table_names, base, file, memory)
    except (StudyError, SchemaError) as exc:
        problems += exc.problems
    try:
        processes, exchanges = _processes(doc.get("process", []), table_names, base, file, memory)
        exchanges, more = with_waste(exchanges, doc, file)
        problems += more
    except (StudyError, SchemaError) as exc:
        problems += exc.problems
    coproducts = allocation = None
    try:
        coproducts, allocation = parse_coproducts(doc.get("process", []), file=file)
    except StudyError as exc:
        problems += exc.problems
    routes = pl.DataFrame(schema=LEG_SCHEMA)
    try:
        rtable = (_table_file(base, table_names["routes"], ROUTE_COLUMNS, file=file, table="routes", memory=memory)
                  if "routes" in table_names else None)
        routes, more = collect_routes(doc.get("route", []), rtable, name=table_names.get("routes"),
                                      path=table_location(base, table_names, "routes", memory, file)
                                      if "routes" in table_names else None, file=file)
        problems += more
    except (StudyError, SchemaError) as exc:
        problems += exc.problems
    # every route leg, used or not: a typo in one row must not quietly become a route of its own
    problems += leg_problems(routes, route_ends=None if sites is None else set(sites.get_column("id").to_list()))
    if problems:
        raise StudyError(problems)

    plant = cell_plant or head.get("cell_plant")
    site_ids = set(sites.get_column("id").to_list())
    if plant is not None and plant not in site_ids:
        problems.append(Problem(f"cell plant '{plant}' is not a site", file=file, table="study",
                                column="cell_plant", hint="use one of: " + ", ".join(sorted(site_ids))))
    scen, steps, transport, mixes, sp = _scenarios(doc.get("scenario", []), route_map(routes), plant, site_ids,
                                                   set(processes.get_column("id").to_list()),
                                                   product.shipped_mass_ratio, file)
    problems += sp
    outlook, more = outlook_frame(doc.get("scenario", []), mixes, file)
    problems += more
    comparison = None
    comp = doc.get("comparison")
    if comp:
        ids = set(scen.get_column("id").to_list())
        problems += _check_keys(comp, {"baseline", "alternative"}, file=file, where="comparison")
        for k in ("baseline", "alternative"):
            if comp.get(k) not in ids:
                problems.append(Problem(f"comparison {k} '{comp.get(k)}' is not a scenario", file=file,
                                        table="comparison", column=k, hint="use one of: " + ", ".join(sorted(ids))))
        if comp.get("baseline") in ids and comp.get("baseline") == comp.get("alternative"):
            problems.append(Problem(f"comparison alternative '{comp['alternative']}' is the baseline itself",
                                    file=file, table="comparison", column="alternative",
                                    hint="compare two different scenarios, or remove [comparison]"))
        comparison = (comp.get("baseline"), comp.get("alternative"))
    inline_unc, more = inline_uncertainties(doc, file=file)  # exchanges' and parameters' own uncertainty
    problems += more
    fdoc = doc.get("factors", {})
    problems += _check_keys(fdoc, {"files", "sources", "received"}, file=file, where="factors")
    listed = fdoc.get("files", [])
    if not (isinstance(listed, str) or isinstance(listed, list) and all(isinstance(x, str) for x in listed)):
        problems.append(Problem(f"files must be a file name or a list of file names, got {listed!r:.60}", file=file,
                                table="factors", column="files", hint='write files = ["my-factors.csv"]'))
        listed = []
    factor_files = tuple(base / str(p) for p in ([listed] if isinstance(listed, str) else listed))
    selection, more = parse_sources(fdoc.get("sources"), file=file)  # layered below the files
    problems += more
    for p in factor_files:
        try:
            raw = read_bytes(p, file=file, what=f"factor file '{p.name}'", table="factors")
            hashes[p.name] = hashlib.sha256(raw).hexdigest()
        except StudyError as exc:
            problems += [Problem(**{**q.as_dict(), "column": "files"}) for q in exc.problems]
    if problems:
        raise StudyError(problems)
    rows = {} if "exchanges" not in table_names else exchange_rows(
        exchanges, Path(str(table_names["exchanges"])).name, table_location(base, table_names, "exchanges", memory, file))
    try:
        _check_exchange_refs(exchanges, processes, file)
    except StudyError as exc:  # a row of the exchanges file is named at its file and row
        raise StudyError(locate(exc.problems, rows, file)) from None
    packaging, inbound, more = parse_shipping(doc, sites, exchanges, file)
    exclusions, cutoff, more2 = parse_exclusions(doc.get("exclusion"), doc.get("cutoff"), file)
    if more + more2:
        raise StudyError(more + more2)
    used, where_used = used_stages(processes, exchanges)
    stages = complete_stages(declared, used, file, where_used)
    battery = parse_battery(doc.get("battery"), method.rules, product=product, views=views, site_ids=site_ids,
                            file=file)
    catenax = parse_catenax(doc.get("catenax"), site_ids=site_ids, file=file)
    return Study(
        id=str(head["id"]), title=str(head.get("title", head["id"])), description=str(head.get("description", "")),
        reference_start=ref_start, reference_end=ref_end, method=method, product=product, sites=sites,
        processes=processes, exchanges=exchanges, scenarios=scen, steps=steps, transport=transport,
        mixes=mixes, cell_plant=plant, comparison=comparison, input_hashes=hashes,
        factor_files=((selection,) if selection else ()) + factor_files
        + ((supplier_layer(suppliers),) if suppliers.height else ()), supplier_footprints=suppliers,
        table_files=tuple(base / str(n) for k, n in table_names.items() if k not in memory),
        company_name=head.get("company_name"), company_ids=tuple(head.get("company_ids", ())),
        product_ids=tuple(head.get("product_ids", ())), product_category_cpc=head.get("product_category_cpc"),
        uncertainty_spec=tuple(doc.get("uncertainty", ())) + tuple(inline_unc), pact_spec=pact, routes=routes, source=file,
        table_rows=rows, transport_plan=transport_plan(doc.get("scenario", []), product.shipped_mass_ratio),
        stages=stages, views=views, profile=profile, coproducts=coproducts, allocation=allocation,
        outlook=outlook, shipping_packaging=packaging, inbound=inbound, exclusions=exclusions, cutoff=cutoff,
        battery=battery, disclosure=disclosure, catenax=catenax)
