"""``[factors] sources``: which factor sources a study draws on, by name, in layer order.

A study names its factor sources (``sources = ["shipped", "acme"]``): ``shipped`` is the library
that comes with ``lca`` (``factors/*.csv``), any other name is a plug-in installed in the entry-point
group ``lca.factor_sources`` (:mod:`lca.factors.sources` finds, calls and checks them when the
study is computed). This module only reads what the study wrote: a :class:`SourceSelection`, plain
data that the study keeps as the first of its factor layers (``Study.factor_files``), so the factor
library applies it like any other layer.

>>> parse_sources(["shipped", "acme"], file="s.toml")
(SourceSelection(names=('shipped', 'acme'), file='s.toml'), [])
>>> [p.message for p in parse_sources(["acme", "shipped"], file="s.toml")[1]]
["'shipped' must come first: it is the base the other sources are layered on"]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lca.errors import Problem
from lca.schemas import ID

#: The name of the library shipped with ``lca``: always available, never a plug-in.
SHIPPED = "shipped"


@dataclass(frozen=True)
class SourceSelection:
    """The factor sources a study selects, in layer order (a later source wins by factor id).

    ``file`` is where the selection was written (problems with a source are reported there, at
    ``[factors] sources``). Without ``shipped`` the shipped factor rows are left out (its GWP
    table is always used).
    """

    names: tuple[str, ...]
    file: str = "study"


def parse_sources(value: Any, *, file: str) -> tuple[SourceSelection | None, list[Problem]]:
    """``[factors] sources`` as written (``None``: not given) → a selection and every problem with it."""
    if value is None:
        return None, []
    where = {"file": file, "table": "factors", "column": "sources"}
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None, [Problem("must be a list of factor source names", **where,
                              hint='e.g. sources = ["shipped", "acme"] (see docs/factor-sources.md)')]
    problems = [Problem(f"factor source name {v!r:.60} has the wrong form", **where,
                        hint="a name is letters, digits and _ . : - (starting with a letter or digit)")
                for v in value if not re.fullmatch(ID, v)]
    twice = sorted({v for v in value if value.count(v) > 1})
    if twice:
        problems.append(Problem("factor source listed twice: " + ", ".join(twice), **where,
                                hint="name each source once, in the order they are layered"))
    if SHIPPED in value and value[0] != SHIPPED:
        problems.append(Problem(f"'{SHIPPED}' must come first: it is the base the other sources are layered on",
                                **where, hint=f'write sources = ["{SHIPPED}", ...], or leave it out to use '
                                              "only the plug-in sources"))
    return (None if problems else SourceSelection(tuple(value), file)), problems
