"""``compute_ledger``: per-lot footprints for a shipments table, in memory or streamed to Parquet."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Sequence

import polars as pl

from lca.choices import ON_ERROR, spoken
from lca.errors import InternalError, LcaInputError, OutputError, Problem
from lca import outputs
from lca.ledger import io
from lca.ledger.duplicates import duplicate_lot_ids
from lca.ledger.engine import LedgerPlan, as_exchange, bad_lots, good_lots, price
from lca.ledger.plan import Dimensions, build_plan
from lca.ledger.plan import date_window as date_window_of
from lca.ledger.schemas import LedgerTable, RejectTable
from lca.schemas import validate_table

OnError = Literal["fail", "skip"]
#: Parquet writer settings: lz4 and min/max statistics only. Measured on 10 M lots (2 cores):
#: the default (zstd + all statistics) took 5.4 s to write the input again, lz4 without the
#: distinct-count statistics about 2-2.5 s; writing, not pricing, bounds the streaming path.
PARQUET = {"compression": "lz4",
           "statistics": {"min": True, "max": True, "distinct_count": False, "null_count": True}}
_SUMMARY_KEYS = ("period", "destination_plant", "scenario")


@dataclass(frozen=True)
class LedgerResult:
    """What a ledger run produced. ``lots``/``rejects`` are frames in memory, or None when written."""

    n_in: int
    n_out: int
    n_rejected: int
    plan: LedgerPlan
    summary: dict[str, pl.DataFrame]
    lots: pl.DataFrame | None = None
    rejects: pl.DataFrame | None = None
    out: Path | None = None
    rejects_path: Path | None = None
    #: Rows of the input and of the output pandera checked (a sample: the first rows). Every row's
    #: bad-row rules and the output invariants are checked on all rows by the engine itself.
    pandera_rows: int = io.VALIDATE_ROWS

    @property
    def checks(self) -> str:
        """One line saying what was checked on every row and what on a sample only."""
        n = min(self.pandera_rows, self.n_in)
        return (f"checked on all {self.n_in:,} lots: bad-row rules, duplicate ids, footprint = quantity × "
                f"intensity, finite, ≥ 0; pandera (types, columns) on the first {n:,} rows only")

    @property
    def total(self) -> tuple[float, str]:
        """Total footprint of all priced lots as ``(value, "kg_CO2e")``."""
        t = self.summary["period"]
        return float(t.get_column("footprint").sum()), "kg_CO2e"


def _totals(lots: pl.LazyFrame) -> pl.LazyFrame:
    """Lots, quantity and footprint per month × destination × scenario: one small group-by on
    Enum codes. In memory it runs in the pass that prices the lots; streamed, it reads the
    written file back (6 narrow columns), which measured faster than a third branch off the
    priced stream (and three group-bys branching off it buffered 3.2 GB on 50 M lots).

    The same group-by checks the output invariants on *every* row (pandera sees a sample):
    the largest ``|footprint − declared_quantity × intensity|``, and the counts of non-finite
    and negative values; :func:`_check_invariants` fails the run if any is off.
    """
    f, q, i = pl.col("footprint"), pl.col("declared_quantity"), pl.col("intensity")
    return lots.group_by(*_SUMMARY_KEYS).agg(
        pl.len().alias("lots"), q.sum(), f.sum(),
        (f - q * i).abs().max().alias("max_residual"),
        (~(f.is_finite() & q.is_finite() & i.is_finite())).sum().alias("non_finite"),
        ((f < 0) | (q < 0) | (i < 0)).sum().alias("negative"))


def _check_invariants(totals: pl.DataFrame) -> None:
    """Fail loudly (nothing published) if a written lot breaks footprint = quantity × intensity
    (exactly: the engine computes it that way), or is non-finite or negative."""
    row = totals.select(pl.col("max_residual").max(), pl.col("non_finite").sum(), pl.col("negative").sum()).row(0)
    residual, non_finite, negative = (row[0] or 0.0), int(row[1] or 0), int(row[2] or 0)
    if residual != 0.0 or non_finite or negative:
        raise OutputError(f"ledger invariant broken on the full output: max |footprint - declared_quantity × "
                          f"intensity| = {residual:g} kg_CO2e, {non_finite} non-finite and {negative} negative "
                          f"lots; nothing was written (this is a bug in lca or its study, please report it)")


def _check_output(good: pl.DataFrame, bad: pl.DataFrame) -> None:
    """pandera on the output sample. Every input problem was already a bad row or a located
    error, so a failure here is lca's own: an :class:`InternalError`, never an input error naming
    an internal table."""
    try:
        validate_table(good, LedgerTable, table="ledger output")
        validate_table(bad, RejectTable, table="ledger rejects")
    except LcaInputError as exc:
        raise InternalError(f"the ledger output failed its own schema ({exc.problems[0]}); nothing was written "
                            "(this is a bug in lca, please report it)") from None


def _summaries(totals: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Totals by month, destination plant and scenario (route), each with its unit; keys as text
    in category order (months chronological, names sorted)."""
    return {k: totals.group_by(k).agg(pl.col("lots").sum().cast(pl.UInt32), pl.col("declared_quantity").sum(),
                                      pl.col("footprint").sum())
            .sort(k).with_columns(pl.col(k).cast(pl.String), pl.lit("kg_CO2e").alias("footprint_unit"))
            for k in _SUMMARY_KEYS}


def _fail(bad: pl.DataFrame, n_bad: int, file: str | None, limit: int) -> LcaInputError:
    problems = [Problem(f"lot {r['lot_id']!r}: {r['reason']}" if r["lot_id"] is not None else r["reason"],
                        file=file, table="shipments", row=r["row"]) for r in bad.head(limit).iter_rows(named=True)]
    more = f" (first {limit} listed)" if n_bad > limit else ""
    problems.append(Problem(f"{n_bad} bad lot{'s' if n_bad != 1 else ''}{more}; nothing was written",
                            file=file, table="shipments",
                            hint="fix them, or pass --on-error skip to write them to a rejects file"))
    return LcaInputError(problems)


def as_footprint(footprint):
    """``footprint`` itself, or the footprint of a :class:`~lca.study.Study`; anything else (a path,
    None) is refused: the ledger reads no study file, its caller loads it."""
    from lca.results import Footprint
    from lca.study import Study

    if isinstance(footprint, Footprint):
        return footprint
    if isinstance(footprint, Study):
        from lca.results import compute

        return compute(footprint)
    raise TypeError(f"the ledger takes a Footprint (lca.compute(lca.load_study(path))), not {type(footprint).__name__}")


def compute_ledger(shipments: Path | str | pl.DataFrame | pl.LazyFrame, footprint, *,
                   out: Path | str | None = None, plant_data: Path | str | pl.DataFrame | None = None,
                   on_error: OnError = "fail", rejects: Path | str | None = None,
                   partition_by: Literal["period"] | None = None, m2_per_roll: str | None = None,
                   factors: Sequence = (), max_listed: int = 20, date_window=None) -> LedgerResult:
    """Footprint of every lot: quantity in declared units × intensity of its scenario, destination and month.

    ``footprint``: the computed :class:`~lca.results.Footprint` of the study (or a
    :class:`~lca.study.Study`, computed here); files are read by the caller (``lca ledger`` loads
    ``--study``), never here. Destination plants other than its cell plant are priced by
    :meth:`Footprint.at_cell_plant <lca.results.Footprint.at_cell_plant>`. With ``out`` the
    lots stream to Parquet (a folder of ``period=YYYY-MM`` partitions with ``partition_by``);
    without, they are returned in memory. ``on_error="fail"`` raises :class:`LcaInputError`
    naming the bad lots and writes nothing; ``"skip"`` sets them aside with a reason.
    ``date_window``: the dates lots may carry, ``(first, last)`` or ``"YYYY-MM-DD..YYYY-MM-DD"``
    (default: the study's reference period ± 5 years, :func:`lca.ledger.plan.date_window`); lots
    dated outside it are bad rows.

    >>> import polars as pl, lca
    >>> from datetime import date
    >>> lots = pl.DataFrame({"lot_id": ["A", "B"], "date": [date(2025, 3, 1)] * 2, "quantity": [100.0, 1076.39],
    ...     "unit": ["m^2", "ft^2"], "scenario": ["ontario"] * 2, "destination_plant": ["liberty"] * 2})
    >>> r = compute_ledger(lots, lca.compute(lca.load_study(lca.default_study_path())))
    >>> r.n_out, [round(x, 3) for x in r.lots["declared_quantity"]]
    (2, [100.0, 100.0])
    """
    if on_error not in ON_ERROR:
        raise LcaInputError(Problem(f"unknown on_error '{on_error}'",
                                    hint="use " + spoken([f"'{v}'" for v in ON_ERROR])))
    fp = as_footprint(footprint)
    window = date_window_of(fp.meta, date_window)  # a bad window fails before any data is read
    file = None if isinstance(shipments, (pl.DataFrame, pl.LazyFrame)) else str(shipments)
    raw = shipments.lazy() if isinstance(shipments, (pl.DataFrame, pl.LazyFrame)) else io.scan_lots(shipments)
    lots = io.normalize(raw, file=file)
    io.check_sample(lots, file=file)
    plant, plant_file = io.read_plant_data(plant_data) if plant_data is not None else (None, None)
    try:
        dims = Dimensions.of(lots)
        dups = duplicate_lot_ids(lots)
    except pl.exceptions.PolarsError as exc:
        raise LcaInputError(Problem(f"cannot read the shipments: {exc}".splitlines()[0], file=file)) from None
    plan = build_plan(fp, dims, plant=plant, m2_per_roll=m2_per_roll, factors=factors, plant_file=plant_file,
                      duplicate_ids=dups, window=window)
    priced = price(lots.with_row_index("row", offset=1), plan)
    good, bad = good_lots(priced, plan), bad_lots(priced, plan)
    if out is None:
        return _in_memory(good, bad, plan, on_error, file, max_listed)
    return _streamed(good, bad, plan, Path(out), on_error, rejects, partition_by, file, max_listed)


def _in_memory(good, bad, plan, on_error, file, max_listed) -> LedgerResult:
    g, b, totals = pl.collect_all([good, bad, _totals(good)])  # one pass: priced once, shared
    if b.height and on_error == "fail":
        raise _fail(b, b.height, file, max_listed)
    _check_invariants(totals)
    _check_output(as_exchange(g.head(io.VALIDATE_ROWS)), b.head(io.VALIDATE_ROWS))
    return LedgerResult(g.height + b.height, g.height, b.height, plan, _summaries(totals), lots=g, rejects=b)


def _drop_empty_partitions(folder: Path) -> None:
    """Remove the month folders no lot went to (their row counts come from the footers); keep one
    if all are empty, so the output still has its schema."""
    parts = sorted(folder.glob("period=*/lots.parquet"))
    empty = [f for f in parts if pl.scan_parquet(f, glob=False).select(pl.len()).collect().item() == 0]
    for f in empty[: len(empty) - (len(empty) == len(parts))]:
        outputs.discard(f.parent)


def _streamed(good, bad, plan, out, on_error, rejects, partition_by, file, max_listed) -> LedgerResult:
    meta = {f"lca.{k}": v for k, v in plan.lineage.items()} | {"lca.intensity_unit": plan.intensity_unit}
    tmp_out = outputs.temporary_sibling(out)
    rej_target = Path(rejects) if rejects else out.with_name(out.stem + ".rejects.parquet")
    tmp_rej = outputs.temporary_sibling(rej_target)
    if partition_by == "period":  # one sink per month of the plan, all off the same priced stream
        sinks = [good.filter(pl.col("period") == p).sink_parquet(tmp_out / f"period={p}" / "lots.parquet",
                                                                  metadata=meta, mkdir=True, lazy=True, **PARQUET)
                 for p in plan.periods]
    else:
        sinks = [good.sink_parquet(tmp_out, metadata=meta, lazy=True, **PARQUET)]
    try:
        # One streaming pass prices the input once; good lots and rejects branch off it.
        pl.collect_all([*sinks, bad.sink_parquet(tmp_rej, lazy=True, **PARQUET)])
        if partition_by == "period":
            _drop_empty_partitions(tmp_out)
        # every read-back names files literally (glob=False): an output called 'out[1].parquet'
        # must not be taken for a pattern
        rejected = pl.scan_parquet(tmp_rej, glob=False)
        n_bad = rejected.select(pl.len()).collect().item()  # from the footer
        if n_bad and on_error == "fail":
            raise _fail(rejected.head(max_listed).collect(), n_bad, file, max_listed)
        written = pl.scan_parquet(sorted(tmp_out.rglob("*.parquet")) if tmp_out.is_dir() else tmp_out,
                                  hive_partitioning=False, glob=False)
        _check_output(as_exchange(written.head(io.VALIDATE_ROWS).collect()),
                      rejected.head(io.VALIDATE_ROWS).collect())
        totals = _totals(written).collect()
        _check_invariants(totals)
        summary = _summaries(totals)
        n_out = int(summary["period"].get_column("lots").sum())
        outputs.publish(tmp_out, out)
        if n_bad or rejects:
            outputs.publish(tmp_rej, rej_target)
        else:
            outputs.discard(tmp_rej)
    except pl.exceptions.ComputeError as exc:  # a malformed row deep in the file, met while streaming
        outputs.discard(tmp_out, tmp_rej)
        raise LcaInputError(Problem(f"cannot read the shipments: {exc}".splitlines()[0], file=file,
                                    hint="check the file's rows (same number of columns, UTF-8)")) from None
    except BaseException:
        outputs.discard(tmp_out, tmp_rej)
        raise
    return LedgerResult(n_out + n_bad, n_out, n_bad, plan, summary, out=out,
                        rejects_path=rej_target if (n_bad or rejects) else None)
