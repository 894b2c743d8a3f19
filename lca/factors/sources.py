"""Plug-in factor sources: a licensed database or a supplier-data service, without forking ``lca``.

A *factor source* is any object with a ``factor_rows()`` method returning a polars DataFrame of
factor rows — the columns of a factor file (:class:`lca.schemas.FactorTable`, ``lca schema
export``). A package makes one available by naming it in the entry-point group
``lca.factor_sources`` (``pyproject.toml``)::

    [project.entry-points."lca.factor_sources"]
    acme = "acme_lca:AcmeFactors"

and a study selects it by that name: ``[factors] sources = ["shipped", "acme"]``. ``shipped`` is the
library that comes with ``lca`` (``factors/*.csv``), the built-in source; the others are layered on
it in the order written (a later source wins by factor id), then the study's ``[factors] files``,
then ``--factors`` / ``compute(factors=...)``. A source's rows are a layer like a user factor file:
the same validation (schema, units by category, citation and data-quality rules, one default
edition per key) with problems named at the source and row, the layer named after the source in
the library's lineage (``FactorLibrary.layers``, each row's ``layer``, the manifest), its rows in
the library's content hash.

What the entry point names may be a class or factory (called once, without arguments) or an
object that already has ``factor_rows``. Its rows are read once per process and kept (like the
shipped library); :func:`refresh` forgets them. ``lca`` itself never fetches anything from the
network: a source that serves a remote service should read a local snapshot of it.

A source that is not installed, fails to load, raises or returns something that is not a valid
factor table is a :class:`~lca.errors.FactorError` naming the study's ``[factors] sources`` and the
source (``lca`` exits 1 with that message, no traceback).
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
from typing import Protocol, runtime_checkable

import polars as pl

from lca.errors import FactorError, LcaInputError, Problem
from lca.factors.library import FactorLibrary, _apply_layer, _layer_frame, _layer_name
from lca.study.sources import SHIPPED, SourceSelection

#: The entry-point group plug-in factor sources are registered in.
GROUP = "lca.factor_sources"


@runtime_checkable
class FactorSource(Protocol):
    """What a plug-in factor source provides."""

    def factor_rows(self) -> pl.DataFrame:
        """Every factor row of the source: a polars DataFrame (a LazyFrame is collected) with the
        columns of a factor file — ``id, category, flow, region, year, scope, gas, value, unit,
        source, …`` (:class:`lca.schemas.FactorTable`). Values may be typed or strings, as a CSV
        file reads. Called once per process; must not depend on the study."""
        ...


#: validated layer frames by (name, entry point value): bounded by the installed entry points
_ROWS: dict[tuple[str, str], pl.DataFrame] = {}


def refresh() -> None:
    """Forget the rows read from plug-in sources (they are read again when next used)."""
    _ROWS.clear()


def installed() -> dict[str, md.EntryPoint]:
    """The plug-in sources installed in this environment, by name (``shipped`` is not one)."""
    return {ep.name: ep for ep in md.entry_points(group=GROUP)}


def _providers(name: str) -> list[md.EntryPoint]:
    return [ep for ep in md.entry_points(group=GROUP) if ep.name == name]


def available() -> list[str]:
    """Every source name a study may select: ``shipped`` and the installed plug-ins."""
    return [SHIPPED, *sorted(n for n in installed() if n != SHIPPED)]


def _where(selection: SourceSelection) -> dict[str, str]:
    return {"file": selection.file, "table": "factors", "column": "sources"}


def _label(name: str, ep: md.EntryPoint) -> str:
    """How the source's rows are named in messages and lineage: name, and the package providing it."""
    dist = getattr(ep, "dist", None)
    package = f"{dist.name} {dist.version}" if dist is not None and getattr(dist, "name", None) else ep.value
    return f"factor source '{name}' ({package})"


def _source(name: str, ep: md.EntryPoint, where: dict[str, str]) -> FactorSource:
    """The object behind an entry point: loaded, called if it is a class or factory, checked."""
    fix = f"fix or reinstall the package that provides it (entry point {name} = {ep.value} in group {GROUP})"
    try:
        obj = ep.load()
        source = obj if isinstance(obj, FactorSource) and not isinstance(obj, type) else obj()
    except Exception as exc:  # noqa: BLE001 - a plug-in may raise anything; the user gets one located line
        raise FactorError(Problem(f"factor source '{name}' could not be loaded: {_said(exc)}", **where,
                                  hint=fix)) from None
    if not isinstance(source, FactorSource):
        raise FactorError(Problem(f"factor source '{name}' ({ep.value}) is {type(source).__name__}, which has "
                                  "no factor_rows() method", **where, hint=fix))
    return source


def _said(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__


def source_layer(name: str, where: dict[str, str] | None = None) -> pl.DataFrame:
    """The validated layer frame of the plug-in source ``name`` (read once per process).

    ``where`` locates problems with the source itself (default: no file). Problems with its rows
    are named at the source and row (``factor source 'acme' (acme-lca 1.0): factors row 3, …``).
    """
    where = where or {"table": "factors", "column": "sources"}
    eps = _providers(name)
    if not eps:
        have = ", ".join(available())
        raise FactorError(Problem(f"no factor source named '{name}' is installed", **where,
                                  hint=f"install the package that provides it, or correct the name (available: "
                                       f"{have})"))
    if len(eps) > 1:  # which one a study gets must not depend on the order of sys.path
        both = "; ".join(_label(name, ep) + f" = {ep.value}" for ep in eps)
        raise FactorError(Problem(f"factor source '{name}' is provided by {len(eps)} packages: {both}", **where,
                                  hint="uninstall all but one of them"))
    ep = eps[0]
    key = (name, ep.value)
    if key not in _ROWS:
        label = _label(name, ep)
        source = _source(name, ep, where)
        try:
            rows = source.factor_rows()
            if isinstance(rows, pl.LazyFrame):
                rows = rows.collect()
        except Exception as exc:  # noqa: BLE001 - a plug-in may raise anything
            raise FactorError(Problem(f"factor source '{name}' failed: {_said(exc)}", **where,
                                      hint="the source's own service or files may be unavailable; fix it, or "
                                           "leave the source out of [factors] sources")) from None
        if not isinstance(rows, pl.DataFrame):
            raise FactorError(Problem(f"factor source '{name}' returned {type(rows).__name__}, not a polars "
                                      "DataFrame", **where, hint="factor_rows() must return a polars DataFrame "
                                                                 "with the columns of a factor file"))
        if rows.height == 0:
            raise FactorError(Problem(f"factor source '{name}' returned no factor rows", **where,
                                      hint="check the source's data, or leave it out of [factors] sources"))
        try:
            _ROWS[key] = _layer_frame(rows, name=name, file=label)
        except LcaInputError as exc:  # rows are named at the source; its lineage says which package
            raise FactorError(exc.problems) from None
    return _ROWS[key]


def apply_sources(lib: FactorLibrary, selection: SourceSelection) -> FactorLibrary:
    """``lib`` with the sources of ``selection`` applied: without the shipped rows unless
    ``shipped`` is selected, then each plug-in source as a layer, in order.

    The same layering as a user factor file (:meth:`FactorLibrary.with_overrides`): a later layer
    replaces rows by id, a default edition it brings demotes the kept one, two default editions of
    one key and vintage are an error at the source's row.
    """
    where = _where(selection)
    if SHIPPED not in selection.names and SHIPPED in lib.layers:
        lib = FactorLibrary(
            factors=lib.factors.filter(pl.col("layer") != SHIPPED), gwp=lib.gwp, version=lib.version,
            content_hash=hashlib.sha256(f"{lib.content_hash}\0without {SHIPPED}".encode()).hexdigest(),
            layers=tuple(x for x in lib.layers if x != SHIPPED),
            replaced=lib.replaced.filter(pl.col("replaced_layer") != SHIPPED))  # its supply routes go with it
    for name in selection.names:
        if name == SHIPPED:
            continue
        frame = source_layer(name, where)
        lib = _apply_layer(lib, frame.with_columns(pl.lit(_layer_name(lib, name)).alias("layer")),
                           _layer_name(lib, name))
    return lib
