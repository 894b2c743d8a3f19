"""Study parameters and unit-checked expressions of them (``[parameters]``; docs/study-format.md).

``[parameters]`` names quantities: ``areal_mass = "5.5 g/m^2"``, ``porosity = { value = 0.42,
unit = "dimensionless", note = "…" }`` or an expression of other parameters. Any amount (an
exchange, an output, an output mass, a leg distance, a ``[product]`` conversion) may then be an
expression: ``amount = "areal_mass * (1 - porosity) * 1 m^2"``.

An expression is read by pint's tokenizer and evaluator (numbers, names, ``+ - * / ** ^`` and
parentheses; never Python ``eval``). Every name must be a parameter or a unit written the way the
rest of the study writes units (ambiguous spellings refused). Each expression is evaluated once,
its dimension checked where it is used, and recorded with its value (lineage, and so that a
change to a parameter re-evaluates exactly the expressions that use it). Evaluation works on
numpy arrays too: one evaluation per expression for a whole batch of parameter values.

>>> p = Parameters.parse({"areal_mass": "5.5 g/m^2", "porosity": {"value": 0.42, "unit": "dimensionless"}},
...                      file="study.toml")
>>> q = p.evaluate("areal_mass * (1 - porosity) * 1 m^2", where="process 'p1' exchange #1", key="amount")
>>> round(q.value, 6), q.unit
(3.19, 'g')
"""

from __future__ import annotations

import contextvars
import re
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from typing import Any, Iterator, Mapping

import polars as pl

from lca.errors import LcaInputError, Problem, StudyError

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPS = {"+", "-", "*", "/", "**", "^", "(", ")"}
#: the parameters of the study being loaded (set by the loader around parsing; see :func:`active`)
_ACTIVE: contextvars.ContextVar["Parameters | None"] = contextvars.ContextVar("lca_parameters", default=None)

EXPRESSION_SCHEMA = {"table": pl.String, "column": pl.String, "expression": pl.String, "value": pl.Float64,
                     "unit": pl.String, "names": pl.List(pl.String)}
PARAMETER_SCHEMA = {"name": pl.String, "value": pl.Float64, "unit": pl.String, "expression": pl.String,
                    "note": pl.String, "primary": pl.Boolean, "source": pl.String,
                    **{f"dqr_{k}": pl.Int64 for k in ("technological", "geographical", "temporal", "completeness",
                                                       "reliability")}}


def _tokens(text: str) -> list[tuple[int, str]]:
    from pint.pint_eval import tokenizer
    import tokenize

    return [(t.type, t.string) for t in tokenizer(text) if t.type not in (tokenize.NEWLINE, tokenize.ENDMARKER)]


def _as_floats(text: str) -> str:
    """``text`` with every integer literal written as a float: ``10 ** 10 ** 10`` must overflow (an error),
    not compute a ten-billion-digit integer. Only decimal literals are accepted."""
    from pint.pint_eval import tokenizer
    import tokenize

    out, last = [], 0
    for t in tokenizer(text):
        if t.type != tokenize.NUMBER:
            continue
        if not re.fullmatch(r"(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", t.string):
            raise ValueError(f"'{t.string}' is not a decimal number")
        start, end = t.start[1], t.end[1]
        out += [text[last:start], t.string if re.search(r"[.eE]", t.string) else t.string + ".0"]
        last = end
    return "".join(out) + text[last:]


def names_in(text: str) -> list[str]:
    """The identifiers an expression uses (parameters and units), in order, each once."""
    import tokenize

    return list(dict.fromkeys(s for t, s in _tokens(text) if t == tokenize.NAME))


@dataclass
class Parameters:
    """Evaluated parameters (pint quantities) and the record of every expression evaluated with them."""

    values: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # name → expression (parameters written as one)
    notes: dict[str, str | None] = field(default_factory=dict)
    #: name → primary, source and dqr_* (:mod:`lca.study.provenance`) of the parameters written as tables
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # dependency order
    file: str = "study"
    records: list[tuple[str, str, str, float, str, list[str]]] = field(default_factory=list)

    # ----------------------------------------------------------------------------- parse
    @classmethod
    def parse(cls, table: Mapping[str, Any] | None, *, file: str) -> "Parameters":
        """The ``[parameters]`` table, evaluated in dependency order (StudyError listing every problem)."""
        from lca.units import registry

        out = cls(file=file)
        if not table:
            return out
        if not isinstance(table, Mapping):
            raise StudyError(Problem("[parameters] must be a table of name = quantity", file=file, table="parameters"))
        problems: list[Problem] = []
        raw: dict[str, str] = {}
        ureg = registry()
        for name, spec in table.items():
            if not _IDENT.fullmatch(name):
                problems.append(Problem(f"parameter name {name!r} has the wrong form", file=file, table="parameters",
                                        column=name, hint="use letters, digits and _ (starting with a letter)"))
                continue
            if name in ureg:
                problems.append(Problem(f"parameter name '{name}' is also a unit", file=file, table="parameters",
                                        column=name, hint="choose a name that is not a unit (e.g. add a prefix)"))
                continue
            note = None
            if isinstance(spec, Mapping):
                from lca.study.parse import primary_problems
                from lca.study.provenance import provenance_fields

                allowed = {"value", "unit", "note", "source", "dqr", "primary", "uncertainty"}
                unknown = set(spec) - allowed
                if unknown:
                    problems.append(Problem(f"unknown key '{sorted(unknown)[0]}'", file=file, table="parameters",
                                            column=name, hint="allowed keys: " + ", ".join(sorted(allowed))))
                    continue
                where = f"parameter '{name}'"
                prov, more = provenance_fields(spec, file=file, where=where)
                more += primary_problems(spec, file, where)
                if more:
                    problems += more
                    continue
                out.provenance[name] = {"primary": spec.get("primary") is True, **prov}
                note = spec.get("note")
                spec = {k: v for k, v in spec.items() if k in ("value", "unit")}
                if "unit" not in spec and isinstance(spec.get("value"), str):
                    spec = spec["value"]  # { value = "5.5 g/m^2" } or an expression, with its source
            out.notes[name] = note
            if isinstance(spec, str) and any(n in table for n in names_in_safe(spec)):
                raw[name] = spec
                continue
            from lca.study.parse import parse_quantity

            try:
                q = parse_quantity(spec, file=file, where="parameters", key=name)
            except StudyError as exc:
                problems += exc.problems
                continue
            out.values[name] = ureg.Quantity(q.value, q.unit)
        graph = {n: {m for m in names_in_safe(t) if m in table} for n, t in raw.items()}
        try:
            order = list(TopologicalSorter(graph).static_order())
        except CycleError as exc:
            cycle = exc.args[1]
            problems.append(Problem("parameters refer to each other in a cycle: " + " → ".join(cycle), file=file,
                                    table="parameters", column=cycle[0], hint="define one of them as a quantity"))
            raise StudyError(problems) from None
        if problems:
            raise StudyError(problems)
        for name in order:
            if name in raw:
                q = out.evaluate(raw[name], where="parameters", key=name, record=False)
                out.values[name] = ureg.Quantity(q.value, q.unit)
                out.texts[name] = raw[name]
        out.order = [n for n in order if n in raw]
        return out

    # -------------------------------------------------------------------------- evaluate
    def is_expression(self, text: str) -> bool:
        """Whether ``text`` uses a parameter (then it is evaluated, not read as ``<number> <unit>``)."""
        return bool(self.values) and any(n in self.values for n in names_in_safe(text))

    def evaluate(self, text: str, *, where: str, key: str, expect: str | None = None, record: bool = True):
        """``text`` as a :class:`~lca.study.Quantity` (unit-checked; recorded for lineage)."""
        from lca.study.parse import Quantity

        value, unit, used = self.compute(text, self.values, where=where, key=key)
        if expect is not None:
            from lca.units import require_unit

            require_unit(unit, expect=expect, where=Problem("", file=self.file, table=where, column=key))
        if record:
            self.records.append((where, key, text, float(value), unit, used))
        return Quantity(float(value), unit)

    def compute(self, text: str, values: Mapping[str, Any], *, where: str, key: str) -> tuple[Any, str, list[str]]:
        """Magnitude (float or ndarray), unit and parameters used; ``values`` may hold ndarray quantities."""
        from lca.units import registry, require_unit

        shown = text if len(text) <= 80 else text[:77] + "..."
        fail = lambda msg, hint=None: StudyError(Problem(  # noqa: E731
            f"expression {shown!r}: {msg}", file=self.file, table=where, column=key, hint=hint))
        try:
            toks = _tokens(text)
        except Exception:  # pint's tokenizer on text that is no expression at all
            raise fail("is not an expression of parameters and units") from None
        import tokenize

        used = []
        for i, (kind, s) in enumerate(toks):
            if (kind == tokenize.NUMBER and i >= 1 and toks[i - 1][1] == "/" and i + 1 < len(toks)
                    and toks[i + 1][0] == tokenize.NAME):
                # pint reads "x / 2 m" as (x / 2) · m: refused as ambiguous, like ambiguous unit spellings
                raise fail(f"'/ {s} {toks[i + 1][1]}' is ambiguous", f"write '/ ({s} {toks[i + 1][1]} ...)' "
                                                                    "with parentheses")
            if kind == tokenize.OP and s not in _OPS:
                raise fail(f"'{s}' is not allowed", "use numbers, parameters, units, + - * / ** and parentheses")
            if kind == tokenize.NAME:
                if s in values:
                    used.append(s)
                    continue
                try:
                    require_unit(s, where=Problem("", file=self.file, table=where, column=key))
                except LcaInputError:
                    known = ", ".join(sorted(values)) or "none"
                    raise fail(f"unknown name '{s}'", f"use a parameter (defined: {known}) or a unit") from None
            elif kind not in (tokenize.NUMBER, tokenize.OP):
                raise fail(f"{s!r} is not allowed", "use numbers, parameters, units, + - * / ** and parentheses")
        try:
            q = registry().parse_expression(_as_floats(text), **{n: values[n] for n in used})
            if not hasattr(q, "units"):
                q = registry().Quantity(q, "dimensionless")
            q = q.to_reduced_units()
        except Exception as exc:  # pint: DimensionalityError ("1 kg + 1 m"), syntax, float overflow
            from pint.errors import DimensionalityError

            if isinstance(exc, DimensionalityError):
                raise fail(str(exc), "check the units of the terms that are added or raised to a power") from None
            if isinstance(exc, (OverflowError, ArithmeticError)):
                raise fail("is too large to compute with", "check the numbers and powers") from None
            raise fail(f"cannot be evaluated ({type(exc).__name__}: {str(exc)[:80]})",
                       "use numbers, parameters, units, + - * / ** and parentheses") from None
        unit = format(q.units, "~") or "dimensionless"
        return q.magnitude, unit, list(dict.fromkeys(used))

    # ----------------------------------------------------------------------------- frames
    def frame(self) -> pl.DataFrame:
        """``name, value, unit, expression, note``, ``primary``, ``source``, ``dqr_*`` of every parameter."""
        blank = {"primary": False}
        rows = [(n, float(q.magnitude), format(q.units, "~") or "dimensionless", self.texts.get(n), self.notes.get(n),
                 *[self.provenance.get(n, blank).get(c) for c in list(PARAMETER_SCHEMA)[5:]])
                for n, q in self.values.items()]
        return pl.DataFrame(rows, schema=PARAMETER_SCHEMA, orient="row")

    def expressions(self) -> pl.DataFrame:
        """``table, column, expression, value, unit, names``: every amount written as an expression."""
        return pl.DataFrame(self.records, schema=EXPRESSION_SCHEMA, orient="row")


def names_in_safe(text: str) -> list[str]:
    try:
        return names_in(text)
    except Exception:
        return []


def active() -> Parameters | None:
    """The parameters of the study being parsed, if it has any."""
    return _ACTIVE.get()


class using:
    """``with using(params): ...`` — amounts parsed inside may be expressions of ``params``."""

    def __init__(self, params: Parameters):
        self.params = params

    def __enter__(self) -> Parameters:
        self._token = _ACTIVE.set(self.params)
        return self.params

    def __exit__(self, *exc: object) -> None:
        _ACTIVE.reset(self._token)


def iter_dependents(params: pl.DataFrame, name: str) -> Iterator[str]:
    """Parameters whose expression uses ``name``, directly or through others (dependency order)."""
    seen = {name}
    for n, text in params.filter(pl.col("expression").is_not_null()).select("name", "expression").iter_rows():
        if seen & set(names_in_safe(text)):
            seen.add(n)
            yield n
