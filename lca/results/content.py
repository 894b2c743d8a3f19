"""Content addressing: hashes that are functions of what a result is made of, never of where it came from.

A PACT footprint id and the manifest hash must change if and only if the *content* changes: the
study's data (validated frames and settings), the factor and GWP rows the result actually uses,
the method and the engine version. File names, folders, the order of rows in a table and whether a
study came from a TOML file or from frames do not enter any hash.

Canonical form, per frame: location columns dropped (``origin``, ``row``: where a row was written,
e.g. ``exchanges.csv row 3``; ``element``: the position of a transport entry in its scenario),
numbers as Float64, other values as text, columns sorted by name, rows sorted by every column, then
serialised with polars' JSON writer (shortest round-trip floats, explicit nulls). Row order is not
content, except where it is the data: the ``leg`` number of a transport leg (legs are travelled in
order) is kept.

Equal quantities are equal content: every amount with a unit (exchange amounts, process outputs,
leg distances, ``[product]`` quantities, carbon contents, uncertainty bounds) is hashed as its value
in SI base units, rounded to :data:`SIG_DIGITS` significant digits (unit conversion rounds in the
last bits), together with the unit's dimension — so ``"5.5 g"`` and ``"0.0055 kg"`` hash alike, and
``"5.5 g"`` and ``"5.5 kg"`` (or ``"1 kWh"`` and ``"1 kg"``) do not. Pint is asked once per distinct
unit (:func:`lca.units.unit_table`).

>>> import lca
>>> s = lca.load_study(lca.default_study_path())
>>> study_hash(s) == study_hash(s.__class__(**{**s.__dict__, "path": None, "input_hashes": {}}))
True
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING, Any, Iterable

import polars as pl

if TYPE_CHECKING:  # pragma: no cover
    from lca.results import Footprint
    from lca.study import Study

#: Columns that say where a row was written, not what it says.
LOCATION_COLUMNS = ("origin", "row", "element")
#: Columns of ``Study.supplier_footprints`` that say where a footprint was read or named, not what it says.
SUPPLIER_LOCATION = ("reference", "used_by", "source_of", "file")
#: The study's frames, in the order they are hashed.
STUDY_FRAMES = ("sites", "processes", "exchanges", "scenarios", "steps", "transport", "mixes")
#: (amount, unit) column pairs of the study frames, hashed as SI amounts with their dimension.
QUANTITY_COLUMNS = {"processes": (("output_amount", "output_unit"), ("output_mass_amount", "output_mass_unit")),
                    "exchanges": (("amount", "unit"),), "transport": (("distance", "distance_unit"),)}
#: Settings keys holding quantities (``[pact]`` carbon contents, ``[[uncertainty]]`` bounds).
QUANTITY_KEYS = ("fossil_carbon_content", "biogenic_carbon_content", "min", "max", "mode", "sd")
#: Significant digits of a hashed SI amount: far above any real change of data, far below the
#: float rounding of a unit conversion (5.5 × 0.001 is not exactly 0.0055).
SIG_DIGITS = 12


def _json(value: Any) -> str:
    """Canonical JSON: sorted keys, no whitespace, dates as ISO text."""
    def default(x: Any) -> Any:
        if isinstance(x, (dt.date, dt.datetime, dt.time)):
            return x.isoformat()
        if isinstance(x, (set, frozenset, tuple)):
            return list(x)
        return str(x)

    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=default)


def canonical_frame(df: pl.DataFrame, drop: Iterable[str] = LOCATION_COLUMNS) -> bytes:
    """The frame's content as bytes, independent of column order, row order and location columns."""
    cols = sorted(c for c in df.columns if c not in set(drop))
    exprs = []
    for c in cols:
        dtype = df.schema[c]
        if dtype == pl.Boolean:
            exprs.append(pl.col(c))
        elif dtype.is_numeric():
            exprs.append(pl.col(c).cast(pl.Float64))
        else:
            exprs.append(pl.col(c).cast(pl.String))
    out = df.select(exprs)
    if out.height and cols:
        out = out.sort(cols, nulls_last=True)
    return out.write_json().encode()


def canonical_quantities(df: pl.DataFrame, pairs: Iterable[tuple[str, str]]) -> pl.DataFrame:
    """Each (amount, unit) pair replaced by (amount in SI base units, the unit's dimension).

    A unit pint cannot read (a frame study not yet validated) keeps its amount and text as given.
    """
    from lca.units import unit_table

    for amount, unit in pairs:
        if amount not in df.columns or unit not in df.columns:
            continue
        text = pl.col(unit).cast(pl.String)
        table = unit_table(df.select(text.unique()).to_series().to_list()).select(
            pl.col("unit").alias("__unit"), pl.col("to_base").alias("__to_base"), pl.col("dimension").alias("__dim"))
        si = (pl.col(amount).cast(pl.Float64) * pl.col("__to_base")).round_sig_figs(SIG_DIGITS)
        df = (df.with_columns(text.alias("__unit")).join(table, on="__unit", how="left", maintain_order="left")
              .with_columns(pl.when(pl.col("__to_base").is_not_null()).then(si)
                            .otherwise(pl.col(amount).cast(pl.Float64)).alias(amount),
                            pl.coalesce(pl.col("__dim"), text).alias(unit))
              .drop("__unit", "__to_base", "__dim"))
    return df


def _si(value: float, unit: str) -> Any:
    """``[SI amount, dimension]`` of one settings quantity; as given if the unit does not parse."""
    from lca.units import unit_info

    info = unit_info(unit)
    if info.error or info.to_base is None:
        return [float(value), unit]
    return [float(f"{float(value) * info.to_base:.{SIG_DIGITS - 1}e}"), info.dimension]


def _quantity(q: Any) -> Any:
    return None if q is None else _si(q.value, str(q.unit))


def _settings_value(key: str, value: Any) -> Any:
    """A quantity written as text (``"4.8 g"``) or a ``{value, unit}`` table, canonical; else as given."""
    from lca.errors import LcaInputError
    from lca.study.parse import parse_quantity

    if key not in QUANTITY_KEYS or isinstance(value, (bool, int, float)) or value is None:
        return value
    try:
        q = parse_quantity(value, file="", where="", key=key)
    except LcaInputError:
        return value
    return _si(q.value, str(q.unit))


def study_settings(study: "Study") -> dict[str, Any]:
    """Every non-frame field of a study that is data (not its path or file fingerprints)."""
    p = study.product
    m = study.method
    return {
        "id": study.id, "title": study.title, "description": study.description,
        "reference_period": [study.reference_start, study.reference_end],
        "method": {"gwp": m.gwp, "electricity_rule": m.electricity_rule, "td_losses": m.td_losses,
                   "electricity_basis": str(m.electricity_basis)},
        "cutoff": list(study.cutoff),
        "product": {"name": p.name, "declared_unit": _quantity(p.declared_unit),
                    "mass_per_declared_unit": _quantity(p.mass_per_declared_unit),
                    "shipped_mass_ratio": float(p.shipped_mass_ratio)},
        # the product profile: views by what they convert to (not by how they were written), stages, words
        "views": [{"id": v.id, "label": v.label, "per": v.per, "unit": v.unit, "multiplier": v.multiplier,
                   "basis": v.basis} for v in study.views],
        "stages": [dataclasses.asdict(s) for s in study.stages],
        "profile": dataclasses.asdict(study.profile),
        "cell_plant": study.cell_plant,
        "comparison": list(study.comparison) if study.comparison else None,
        "company_name": study.company_name, "company_ids": list(study.company_ids),
        "product_ids": list(study.product_ids), "product_category_cpc": study.product_category_cpc,
        "uncertainty": [{k: _settings_value(k, v) for k, v in u.items()} for u in study.uncertainty_spec],
        "pact": {k: _settings_value(k, v) for k, v in study.pact_spec.items()},
        # a rule pack and its battery only when declared: studies without them keep their hashes
        **({"rules": m.rules, "battery": study.battery.as_settings() if study.battery else None}
           if m.rules or study.battery else {}),
        **_disclosure_settings(study),
    }


def _disclosure_settings(study: "Study") -> dict[str, Any]:
    """The ``[disclosure]`` table, when the study has one: a study without it keeps its hash."""
    d = study.disclosure
    out = {"contact": d.contact, "product_category_rules": list(d.product_category_rules),
           "packaging_fossil_carbon_content": _quantity(d.packaging_fossil_carbon_content),
           "packaging_biogenic_carbon_content": _quantity(d.packaging_biogenic_carbon_content),
           "not_covered": list(d.not_covered)}
    return {"disclosure": out} if any(v not in (None, "", []) for v in out.values()) else {}


def _without_blank_provenance(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` without provenance columns (source, dqr_*) that no row fills: a study written before
    they existed keeps its hash; a source or rating written anywhere is content and is hashed."""
    from lca.study.provenance import PROVENANCE_COLUMNS

    blank = [c for c in PROVENANCE_COLUMNS if c in frame.columns and frame.get_column(c).null_count() == frame.height]
    return frame.drop(blank)


def study_hash(study: "Study") -> str:
    """SHA-256 of the study's content: settings plus every validated frame in canonical form."""
    h = hashlib.sha256()
    h.update(_json(study_settings(study)).encode())
    for name in STUDY_FRAMES:
        h.update(b"\0" + name.encode() + b"\0")
        frame = _without_blank_provenance(getattr(study, name))
        h.update(canonical_frame(canonical_quantities(frame, QUANTITY_COLUMNS.get(name, ()))))
    # hashed when present (a study without them keeps its hash): co-products, packaging of shipped
    # outputs, inbound legs of materials (the study's own and the shipped defaults it resolved) and
    # screened exclusions all move numbers
    for name in ("coproducts", "allocation", "shipping_packaging", "inbound", "exclusions"):
        frame = getattr(study, name, None)
        if frame is not None and frame.height:
            frame = _without_blank_provenance(frame)
            if "shares" in frame.columns:
                frame = frame.with_columns(pl.col("shares").list.eval(pl.element().struct.json_encode()).list.join(";"))
            h.update(b"\0" + name.encode() + b"\0" + canonical_frame(frame))
    suppliers = getattr(study, "supplier_footprints", None)  # hashed when used: each one's content (digest) and use
    if suppliers is not None and suppliers.height:
        h.update(b"\0supplier_footprints\0" + canonical_frame(suppliers, drop=(*LOCATION_COLUMNS, *SUPPLIER_LOCATION)))
    outlook = study.outlooks  # hashed when a scenario is not current (a study without keeps its hash)
    if outlook.filter(pl.col("outlook") != "current").height:
        h.update(b"\0outlook\0" + canonical_frame(outlook))
    return h.hexdigest()


def factor_rows_used(fp: "Footprint") -> tuple[pl.DataFrame, pl.DataFrame]:
    """The factor rows (incl. grid-loss factors) and GWP rows the result's contributions use."""
    from lca.factors import FACTOR_COLUMNS

    d = fp.detail
    ids = d.get_column("factor_id")
    if "td_loss_factor" in d.columns:
        # one activity may combine several loss rows (transmission + distribution): "a + b"
        ids = pl.concat([ids, d.get_column("td_loss_factor").drop_nulls().str.split(" + ").explode()])
    ids = ids.unique()
    factors = (fp.library.factors.filter(pl.col("id").is_in(ids.implode())).select(FACTOR_COLUMNS)
               .with_columns(pl.col("primary").fill_null(False)))  # an empty cell means false
    for optional in ("dataset", "citation_quality", "retrieved_via"):
        if factors.get_column(optional).null_count() == factors.height:
            # no row states it (the edition is then source + year, already hashed): ids stay as they were
            factors = factors.drop(optional)
    gases = d.get_column("gas").unique()
    gwp = fp.library.gwp.filter((pl.col("gwp_set") == fp.study.method.gwp) & pl.col("gas").is_in(gases.implode()))
    return factors, gwp


def factors_hash(fp: "Footprint") -> str:
    """SHA-256 of the factor and GWP rows the result uses (not of the whole library)."""
    factors, gwp = factor_rows_used(fp)
    h = hashlib.sha256(canonical_frame(factors))
    h.update(b"\0gwp\0" + canonical_frame(gwp))
    return h.hexdigest()


def manifest_hash(*, lca_version: str, study: str, factors: str, method: dict[str, str],
                  uncertainty: dict[str, Any] | None = None) -> str:
    """The manifest hash: engine version, study content, factor rows used and method, and the Monte Carlo
    run's settings when the run has one (seed, iterations, …) — nothing else."""
    body: dict[str, Any] = {"lca_version": lca_version, "study": study, "factors_used": factors, "method": method}
    if uncertainty is not None:  # absent, the hash is what it always was (PACT ids are derived from it)
        body["uncertainty"] = uncertainty
    return hashlib.sha256(_json(body).encode()).hexdigest()


def manifest(fp: "Footprint", *, timestamp: str | None = None,
             uncertainty: dict[str, Any] | None = None) -> dict[str, object]:
    """The body of :meth:`Footprint.manifest <lca.results.Footprint.manifest>` (documented there):
    content hashes, factor library, lca version, method switches and, with a Monte Carlo run, its
    settings; ``manifest_hash`` over the content only."""
    from lca import __version__

    content = dict(fp.content_hashes)
    body: dict[str, object] = {
        "lca_version": __version__,
        "study_id": fp.study.id,
        "content": content,
        "factor_library": {"version": fp.library.version, "content_hash": fp.library.content_hash,
                           "layers": list(fp.library.layers)},
        "method": fp.method,
    }
    if uncertainty is not None:
        body["uncertainty"] = dict(uncertainty)
    body["manifest_hash"] = manifest_hash(lca_version=__version__, study=content["study"],
                                          factors=content["factors_used"],
                                          method=fp.method, uncertainty=uncertainty)
    if timestamp is not None:
        body["run_timestamp"] = timestamp
    return body
