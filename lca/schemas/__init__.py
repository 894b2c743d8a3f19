"""pandera (polars backend) models for every table that enters or leaves `lca`.

What users declare lives in the models — :mod:`lca.schemas.study` (the study's tables),
:mod:`lca.schemas.factors` (factor rows, GWP tables), :mod:`lca.schemas.results` (inventory and
results); their choice sets come from :mod:`lca.choices`. :func:`validate_table`
(:mod:`lca.schemas.run`) is how they run: coerced, every problem at once, located by row and column.

>>> import polars as pl
>>> bad = pl.DataFrame({"id": ["a", "a"], "name": ["A", "B"], "country": ["JP", "J"]})
>>> try:
...     validate_table(bad, SiteTable, file="s.toml", table="site")
... except SchemaError as e:
...     print(len(e.problems), e.problems[0])
3 s.toml: site row 1, column 'id': value 'a' is duplicated (fix: ids must be unique)
"""

from __future__ import annotations

from lca.errors import SchemaError
from lca.schemas.base import ID, REGION, Base
from lca.schemas.factors import FactorTable, GwpTable
from lca.schemas.results import ActivityTable, ResultTable
from lca.schemas.run import coerce_columns, required_columns, validate_table
from lca.schemas.study import (ExchangeTable, MixTable, ProcessTable, RouteTable, SiteTable, StepTable,
                               TransportTable)

#: Input tables whose number columns refuse NaN and ±inf (NaN passes every range check). Other
#: models check finiteness themselves (results) or report it per row (the ledger's lots).
FINITE_MODELS = (SiteTable, ProcessTable, ExchangeTable, StepTable, TransportTable, RouteTable, MixTable,
                 FactorTable, GwpTable, ActivityTable)

__all__ = ["ID", "REGION", "Base", "SchemaError", "FINITE_MODELS", "validate_table", "coerce_columns",
           "required_columns", "SiteTable", "ProcessTable", "ExchangeTable", "StepTable", "TransportTable",
           "RouteTable", "MixTable", "FactorTable", "GwpTable", "ActivityTable", "ResultTable"]
