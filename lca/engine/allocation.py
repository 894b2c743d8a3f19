"""Allocation factors of multi-output processes, and substitution credits (study: :mod:`lca.study.coproducts`).

A process with co-products is split, per run, between its outputs: its reference product keeps
the fraction ``factor`` of every input and exchange (mass, economic or a stated physical basis),
the co-products the rest. Co-products are not consumed inside the study, so their share of the
burden leaves the system with them. Under ``substitution`` the reference product keeps everything
and each co-product brings a credit: a negative exchange of the substituted flow.

>>> from lca.resources import default_study_path
>>> from lca.study import load_study
>>> allocation_frame(load_study(default_study_path())).height  # the default study has no co-products
0
"""

from __future__ import annotations

import polars as pl

from lca.errors import LcaInputError, Problem, StudyError
from lca.study import Study
from lca.units import conversion_factor

ALLOCATION_FRAME = {"process": pl.String, "output": pl.String, "method": pl.String, "factor": pl.Float64,
                    "basis": pl.String, "reason": pl.String}


def allocation_frame(study: Study) -> pl.DataFrame:
    """``process, output, method, factor, basis, reason``: one row per output of each multi-output process.

    ``factor`` is the output's share of the process's burden (null for the co-products of a
    substitution, whose credit is an exchange of its own).
    """
    coproducts = getattr(study, "coproducts", None)
    alloc = getattr(study, "allocation", None)
    if alloc is None or alloc.height == 0:
        return pl.DataFrame(schema=ALLOCATION_FRAME)
    procs = {r["id"]: r for r in study.processes.iter_rows(named=True)}
    rows, problems = [], []
    for p, method, basis, reason, price, currency, price_unit, shares in alloc.iter_rows():  # per process
        cos = coproducts.filter(pl.col("process") == p)
        outs = [p, *cos.get_column("output").to_list()]
        where = f"process '{p}'"
        try:
            if method == "substitution":
                weights = None
            elif method == "physical":
                weights = {s["output"]: s["share"] for s in shares}
                weights = [weights[o] for o in outs]
            elif method == "mass":
                weights = [_main_mass(procs[p], where, study.source)] + [
                    _co_mass(r, study.source) for r in cos.iter_rows(named=True)]
            else:  # economic
                pr = procs[p]
                main = price * pr["output_amount"] * pr["yield"] * conversion_factor(pr["output_unit"], price_unit)
                weights = [main]
                for r in cos.iter_rows(named=True):
                    if r["currency"] != currency:
                        raise StudyError(Problem(f"prices in {currency} and {r['currency']}: one currency per process",
                                                 file=study.source, table=r["origin"], column="price"))
                    weights.append(r["price"] * r["amount"] * conversion_factor(r["unit"], r["price_unit"]))
        except LcaInputError as exc:
            problems += [q if q.file else Problem(**{**q.as_dict(), "file": study.source, "table": where})
                         for q in exc.problems]
            continue
        if weights is None:
            rows += [(p, o, method, 1.0 if o == p else None, basis, reason) for o in outs]
            continue
        total = sum(weights)
        if not 0 < total < float("inf"):  # all zero, or amounts × prices beyond float range
            problems.append(Problem(f"the outputs' {method} adds up to {total:g}: nothing to allocate by",
                                    file=study.source,
                                    table=f"{where} allocation", column="method"))
            continue
        rows += [(p, o, method, w / total, basis, reason) for o, w in zip(outs, weights)]
    if problems:
        raise StudyError(problems)
    return pl.DataFrame(rows, schema=ALLOCATION_FRAME, orient="row")


def main_factors(study: Study) -> pl.DataFrame:
    """``process, alloc``: the reference product's share of each multi-output process (1 elsewhere: absent)."""
    a = allocation_frame(study)
    return a.filter(pl.col("process") == pl.col("output")).select("process", pl.col("factor").alias("alloc"))


def credits(study: Study) -> pl.DataFrame:
    """``process, flow, amount (negative, per run), unit, factor, origin`` of every substitution credit."""
    cos = getattr(study, "coproducts", None)
    alloc = getattr(study, "allocation", None)
    schema = {"process": pl.String, "flow": pl.String, "amount": pl.Float64, "unit": pl.String,
              "factor": pl.String, "origin": pl.String}
    if alloc is None or alloc.height == 0:
        return pl.DataFrame(schema=schema)
    subst = alloc.filter(pl.col("method") == "substitution").select("process")
    return (cos.join(subst, on="process", how="semi", maintain_order="left")
            .select("process", pl.col("substitutes").alias("flow"), (-pl.col("amount")).alias("amount"), "unit",
                    "factor", "origin"))


def _main_mass(pr: dict, where: str, file: str) -> float:
    if pr["output_mass_amount"] is None:
        raise StudyError(Problem("allocation by mass needs the reference product's output_mass", file=file,
                                 table=where, column="output_mass", hint='add output_mass = "1 kg"'))
    return pr["output_mass_amount"] * pr["yield"] * conversion_factor(pr["output_mass_unit"], "kg")


def _co_mass(r: dict, file: str) -> float:
    if r["mass"] is not None:
        return r["mass"] * conversion_factor(r["mass_unit"], "kg")
    try:
        return r["amount"] * conversion_factor(r["unit"], "kg")
    except LcaInputError:
        raise StudyError(Problem(f"allocation by mass needs the mass of this coproduct (its amount is in "
                                 f"'{r['unit']}')", file=file, table=r["origin"], column="mass",
                                 hint='add mass = "1.4 kg"')) from None
