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

>>> import lca
>>> s = lca.load_study(lca.default_study_path())
>>> study_hash(s) == study_hash(s.__class__(**{**s.__dict__, "path": None, "input_hashes": {}}))
True
"""

from __future__ import annotations

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
#: The study's frames, in the order they are hashed.
STUDY_FRAMES = ("sites", "processes", "exchanges", "scenarios", "steps", "transport", "mixes")


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


def _quantity(q: Any) -> Any:
    return None if q is None else [float(q.value), str(q.unit)]


def study_settings(study: "Study") -> dict[str, Any]:
    """Every non-frame field of a study that is data (not its path or file fingerprints)."""
    p = study.product
    m = study.method
    return {
        "id": study.id, "title": study.title, "description": study.description,
        "reference_period": [study.reference_start, study.reference_end],
        "method": {"gwp": m.gwp, "electricity_rule": m.electricity_rule, "td_losses": m.td_losses},
        "product": {"name": p.name, "declared_unit": _quantity(p.declared_unit),
                    "mass_per_declared_unit": _quantity(p.mass_per_declared_unit),
                    "separator_per_cell_energy": _quantity(p.separator_per_cell_energy),
                    "pack_energy": _quantity(p.pack_energy), "annual_volume": _quantity(p.annual_volume),
                    "shipped_mass_ratio": float(p.shipped_mass_ratio)},
        "cell_plant": study.cell_plant,
        "comparison": list(study.comparison) if study.comparison else None,
        "company_name": study.company_name, "company_ids": list(study.company_ids),
        "product_ids": list(study.product_ids), "product_category_cpc": study.product_category_cpc,
        "uncertainty": [dict(u) for u in study.uncertainty_spec],
        "pact": dict(study.pact_spec),
    }


def study_hash(study: "Study") -> str:
    """SHA-256 of the study's content: settings plus every validated frame in canonical form."""
    h = hashlib.sha256()
    h.update(_json(study_settings(study)).encode())
    for name in STUDY_FRAMES:
        h.update(b"\0" + name.encode() + b"\0")
        h.update(canonical_frame(getattr(study, name)))
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
    if factors.get_column("dataset").null_count() == factors.height:
        # no row names its edition: the edition is source + year, already hashed (ids stay as they were)
        factors = factors.drop("dataset")
    gases = d.get_column("gas").unique()
    gwp = fp.library.gwp.filter((pl.col("gwp_set") == fp.study.method.gwp) & pl.col("gas").is_in(gases.implode()))
    return factors, gwp


def factors_hash(fp: "Footprint") -> str:
    """SHA-256 of the factor and GWP rows the result uses (not of the whole library)."""
    factors, gwp = factor_rows_used(fp)
    h = hashlib.sha256(canonical_frame(factors))
    h.update(b"\0gwp\0" + canonical_frame(gwp))
    return h.hexdigest()


def manifest_hash(*, lca_version: str, study: str, factors: str, method: dict[str, str]) -> str:
    """The manifest hash: engine version, study content, factor rows used and method — nothing else."""
    body = {"lca_version": lca_version, "study": study, "factors_used": factors, "method": method}
    return hashlib.sha256(_json(body).encode()).hexdigest()
